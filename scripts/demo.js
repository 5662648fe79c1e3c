'use strict';
/**
 * The demo behind scripts/demo.sh: runs every workflow of examples/ in a real n8n 2.41.1 against
 * loopback fakes of the Poke, Pokee and OpenAI APIs and prints what each produced.
 * The scenario (and its checks) is the end-to-end tests' one: test/e2e/scenario.js.
 *
 *   node scripts/demo.js [--keep]
 *   --keep  leave n8n running with its editor on http://127.0.0.1:5678 (and the fakes, which the
 *           imported credentials point at) until Ctrl-C; log in with the account printed.
 */
const fs = require('node:fs');
const L = require('../test/e2e/lib');
const { runScenario, Reporter, OWNER } = require('../test/e2e/scenario');

const EDITOR_PORT = 5678;
// A local, throw-away instance on loopback: these are demo login details, not secrets.

async function portIsFree(port) {
	const net = require('node:net');
	const server = net.createServer();
	return await new Promise((resolve) => {
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

async function main() {
	const args = process.argv.slice(2);
	if (args.some((a) => a !== '--keep')) {
		console.error('usage: scripts/demo.sh [--keep]');
		process.exit(2);
	}
	const keep = args.includes('--keep');
	if (keep && !(await portIsFree(EDITOR_PORT))) {
		console.error(`demo: port ${EDITOR_PORT} is in use; stop whatever listens there (another n8n?) and retry.`);
		process.exit(1);
	}
	const userFolder = process.env.E2E_USER_FOLDER || L.tempUserFolder('n8n-poke-demo-');
	const report = new Reporter('demo');
	const started = Date.now();
	console.log(`n8n-nodes-poke demo: n8n 2.41.1 on Node ${process.version}, fake APIs on 127.0.0.1`);

	let scenario;
	try {
		scenario = await runScenario({ report, userFolder, keep, port: keep ? EDITOR_PORT : undefined });
	} catch (error) {
		report.check('demo', false, error.stack ?? String(error));
	}
	const seconds = ((Date.now() - started) / 1000).toFixed(0);
	const total = report.passed + report.failures.length;
	console.log(
		report.failures.length
			? `\nDemo finished in ${seconds} s with ${report.failures.length} of ${total} checks FAILED (see above).`
			: `\nDemo finished in ${seconds} s: all ${total} checks on the results passed.`,
	);

	if (!keep || !scenario) {
		await L.cleanup();
		removeFolder(userFolder);
		process.exitCode = report.failures.length ? 1 : 0;
		return;
	}

	const { n8n, fakes } = scenario;
	if (!n8n.server) await n8n.start({ port: EDITOR_PORT });
	// the scenario's credential test may have set the owner up already
	await n8n.signIn(OWNER).catch(() => undefined);
	console.log(`
n8n is running: http://127.0.0.1:${EDITOR_PORT}  (log in as ${OWNER.email} / ${OWNER.password})
  Workflows: the seven examples (the Pokee Chat Model agent among them), plus seven test-only variants (wrong keys, Responses API,
  tool_call.arguments, the chat model's Basic LLM Chain, 20 dropped streams and published chat). Credentials
  "Poke account", "Pokee account" and "OpenAI account" point at the fakes, which keep running.
  The deck workflow is published: its Pokee Trigger polls every minute; run its manual part
  again to see a new deck arrive as an execution.
Press Ctrl-C to stop n8n and the fakes.`);
	const stop = async () => {
		console.log('\nstopping n8n and the fakes…');
		await L.cleanup();
		await fakes.close();
		removeFolder(userFolder);
		process.exit(0);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

function removeFolder(folder) {
	if (!process.env.E2E_USER_FOLDER) fs.rmSync(folder, { recursive: true, force: true });
}

// Ctrl-C before --keep's own handler is installed: still stop n8n.
const early = () => L.cleanup().finally(() => process.exit(130));
process.once('SIGINT', early);
process.once('SIGTERM', early);
main().then(() => {
	process.removeListener('SIGINT', early);
	process.removeListener('SIGTERM', early);
});
