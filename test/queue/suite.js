'use strict';
/**
 * What the queue-mode suites share (test/queue/run.js, and test/queue/crash.js run stand-alone):
 * builders for the small workflows their cases import, and one runner that starts the fakes and
 * a cluster, runs the cases in order (or those named by --only=a,b), reports, and always stops
 * everything it started.
 */
const fs = require('node:fs');
const L = require('../e2e/lib');
const { Reporter } = require('../e2e/scenario');
const { tempDir } = require('./lib');

// ----- workflow builders -------------------------------------------------------------------------

/** The credential the examples and the suites' workflows reference (imported by L.credentialsFor). */
const POKEE_CRED = { pokeeApi: { id: 'pokeeApiExample1', name: 'Pokee account' } };

const manualTrigger = (id) => ({ id: `${id}-t`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} });

/** A POST webhook; responseMode: 'lastNode' (answer with the last node's output), 'onReceived', 'streaming'. */
const webhookNode = (id, path, responseMode = 'lastNode') => ({
	id: `${id}-w`,
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2.1,
	position: [0, 0],
	webhookId: `${id}-hook`,
	parameters: { httpMethod: 'POST', path, responseMode, options: {} },
});

/** A Pokee node (second in its chain) with the given parameters. */
const pokeeNode = (id, name, parameters) => ({
	id: `${id}-${name[0].toLowerCase()}`,
	name,
	type: 'n8n-nodes-pokee.pokee',
	typeVersion: 1,
	position: [240, 0],
	parameters,
	credentials: POKEE_CRED,
});

/** Connections that run the named nodes one after the other. */
const chain = (...names) =>
	Object.fromEntries(names.slice(0, -1).map((n, i) => [n, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));

/** A workflow whose nodes run in the order given. */
const workflow = (id, name, nodes) => ({
	id,
	name,
	nodes,
	connections: chain(...nodes.map((n) => n.name)),
	settings: { executionOrder: 'v1' },
	active: false,
	pinData: {},
});

// ----- runner ------------------------------------------------------------------------------------

/**
 * Runs `cases` ({key: [title, async fn(ctx)]}) on one cluster and prints a PASS/FAIL summary;
 * sets process.exitCode = 1 when a check failed.
 *   setUp(ctx)      ctx = {dir, report, fakes}; must set ctx.cluster (a QueueCluster) before it
 *                   awaits the cluster's start, so that a failed start is still stopped; may add
 *                   more to ctx (the cases get it whole)
 *   afterCase(ctx)  after each case, whatever its outcome (e.g. put back workers a case removed)
 *   finish(ctx)     after the last case (e.g. print which worker ran what)
 */
async function runSuite({ name, banner, cases, setUp, afterCase, finish }) {
	const started = Date.now();
	const only = process.argv.find((a) => a.startsWith('--only='))?.split('=')[1]?.split(',');
	const dir = process.env.QUEUE_DIR || tempDir();
	const report = new Reporter('e2e');
	report.info = (text) => console.log(`  ${text}`);
	const fakes = await L.startFakes({ pokee: { maxSessions: 1000 } });
	const ctx = { dir, report, fakes };
	console.log(`${name}: ${banner}, folder ${dir}`);
	try {
		await setUp(ctx);
		for (const [key, [title, fn]] of Object.entries(cases)) {
			if (only && !only.includes(key)) continue;
			report.section(title);
			const t = Date.now();
			try {
				await fn(ctx);
			} catch (error) {
				report.check('runs to the end', false, error.stack ?? String(error));
			}
			console.log(`  (${((Date.now() - t) / 1000).toFixed(1)} s)`);
			await afterCase?.(ctx);
		}
		finish?.(ctx);
	} catch (error) {
		report.check('set-up', false, error.stack ?? String(error));
		console.log(L.tail(ctx.cluster?.main?.log ?? '', 30));
	} finally {
		await ctx.cluster?.close();
		await L.cleanup();
		await fakes.close();
		if (!process.env.QUEUE_DIR) fs.rmSync(dir, { recursive: true, force: true });
	}
	const seconds = ((Date.now() - started) / 1000).toFixed(0);
	if (report.failures.length) {
		console.log(`\n${name}: FAILED ${report.failures.length} of ${report.passed + report.failures.length} checks (${seconds} s):`);
		for (const f of report.failures) console.log(`  - ${f}`);
		process.exitCode = 1;
	} else {
		console.log(`\n${name}: all ${report.passed} checks passed (${seconds} s)`);
	}
}

/**
 * Ctrl-C, SIGTERM, SIGHUP: stop every process started through test/e2e/lib.js, run `onStop` (e.g.
 * remove folders), then leave with 130.
 */
function stopOnSignals(name, onStop = () => {}) {
	let stopping = false;
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.on(signal, () => {
			if (stopping) return; // a repeated signal (Ctrl-C and the wrapper's TERM) must not cut the stop short
			stopping = true;
			console.log(`\n${name}: ${signal}, stopping everything`);
			L.cleanup()
				.catch(() => {})
				.finally(() => {
					onStop();
					process.exit(130);
				});
		});
	}
}

module.exports = { POKEE_CRED, manualTrigger, webhookNode, pokeeNode, chain, workflow, runSuite, stopOnSignals };
