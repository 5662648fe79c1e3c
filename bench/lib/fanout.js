'use strict';
/**
 * Benchmark 3, fan-out: Poke → Webhook → Fire for N items (Concurrency option 1, 8, …) against
 * n8n's own HTTP Request node doing the same N POSTs (same URL, body = the item's JSON, same
 * Authorization header; its default options, i.e. every request started at once), inside the
 * real n8n 2.41.1: one workflow Manual Trigger → Code (N items) → one branch per subject.
 * Each subject is timed by its own run data (executionTime), not by the CLI process. Two
 * workflows run the branches in opposite orders, alternated, so order effects cancel out.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startFakePoke } = require('../../test/fakes/fakePoke');
const { installPackage } = require('./n8nPackage');
const L = require('../../test/e2e/lib');
const { median, round } = require('./stats');

const CREDENTIAL_ID = 'pokeBenchCred01';

/** The kernel's count of connections dropped because a listen queue was full (Linux). */
function listenOverflows() {
	try {
		const lines = fs.readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
		const names = lines[0].split(/\s+/);
		const values = lines[1].split(/\s+/);
		return Number(values[names.indexOf('ListenOverflows')]);
	} catch {
		return undefined;
	}
}

function workflow(id, subjects, items) {
	const nodes = [
		{ id: `${id}-t`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: `${id}-c`,
			name: 'Items',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [220, 0],
			parameters: {
				jsCode: `return Array.from({ length: ${items} }, (_, n) => ({ json: { n, event: 'deploy_failed', repo: 'acme/storefront', commit: '9f2c1e7', note: 'x'.repeat(64) } }));`,
			},
		},
	];
	subjects.forEach((s, i) => nodes.push({ id: `${id}-s${i}`, position: [440, i * 200], ...s.node }));
	return {
		id,
		name: `bench fan-out ${id}`,
		nodes,
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [subjects.map((s) => ({ node: s.node.name, type: 'main', index: 0 }))] },
		},
		settings: { executionOrder: 'v1' },
		active: false,
		pinData: {},
	};
}

function subjects(hook, concurrencies) {
	const list = [
		{
			label: 'HTTP Request node (defaults)',
			key: 'http',
			node: {
				name: 'HTTP Request',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				parameters: {
					method: 'POST',
					url: hook.webhookUrl,
					sendHeaders: true,
					headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${hook.webhookToken}` }] },
					sendBody: true,
					specifyBody: 'json',
					jsonBody: '={{ JSON.stringify($json) }}',
					options: {},
				},
			},
		},
	];
	for (const c of concurrencies) {
		list.push({
			label: `Poke Fire, concurrency ${c}`,
			key: `poke-c${c}`,
			concurrency: c,
			node: {
				name: `Poke Fire c${c}`,
				type: 'n8n-nodes-poke.poke',
				typeVersion: 1,
				parameters: {
					resource: 'webhook',
					operation: 'fire',
					webhookUrl: hook.webhookUrl,
					webhookToken: hook.webhookToken,
					dataSource: 'item',
					options: { concurrency: c },
				},
				credentials: { pokeApi: { id: CREDENTIAL_ID, name: 'Poke bench' } },
			},
		});
	}
	return list;
}

/**
 * n8n's HTTP Request node (defaults) opens a connection per item, all at once. With Node's
 * default listen backlog (511) 2,000 simultaneous connection attempts overflow the fake's
 * queue: the kernel drops the SYNs it cannot queue and each client retries after 1 s, which
 * would time the kernel's retransmission delay, not the node. The fake therefore listens with a
 * backlog of at least the item count (the kernel caps it at net.core.somaxconn).
 */
function backlogFor(items) {
	return Math.max(511, items);
}

async function benchFanout({ items = 2000, concurrencies = [1, 8], rounds = 2, log = console.log } = {}) {
	const fake = await startFakePoke({ backlog: backlogFor(items) });
	const somaxconn = (() => {
		try {
			return Number(fs.readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
		} catch {
			return undefined;
		}
	})();
	log(`    fake webhook server: listen backlog ${backlogFor(items)}${somaxconn ? ` (kernel cap net.core.somaxconn ${somaxconn})` : ''}`);
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-poke-bench-n8n-'));
	try {
		const res = await fetch(`${fake.apiUrl}/api-keys/webhook`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${fake.v2Key}`, 'Content-Type': 'application/json' },
			body: JSON.stringify({ condition: 'bench', action: 'count' }),
		});
		const hook = await res.json();

		await installPackage(userFolder);
		const n8n = new L.N8n(userFolder);
		await n8n.importCredentials([
			{ id: CREDENTIAL_ID, name: 'Poke bench', type: 'pokeApi', data: { apiKey: fake.v2Key, baseUrl: fake.apiUrl } },
		]);

		const list = subjects(hook, concurrencies);
		const orders = [
			{ id: 'benchFanFwd', subjects: list },
			{ id: 'benchFanRev', subjects: [...list].reverse() },
		];
		await n8n.importWorkflow(orders.map((o) => workflow(o.id, o.subjects, items)));

		const samples = Object.fromEntries(list.map((s) => [s.key, []]));
		const executions = [];
		for (let round = 0; round < rounds; round++) {
			for (const o of orders) {
				fake.reset();
				const overflows0 = listenOverflows();
				const t0 = performance.now();
				const r = await n8n.execute(o.id);
				const cliWallMs = performance.now() - t0;
				const overflows = overflows0 === undefined ? undefined : listenOverflows() - overflows0;
				if (!r.ok) throw new Error(`execute ${o.id} failed (${r.code}):\n${L.errorLines(r.output)}`);
				const runData = r.run.data.resultData.runData;
				const line = [];
				for (const s of o.subjects) {
					const task = runData[s.node.name][0];
					const out = task.data.main[0];
					if (task.error) throw new Error(`${s.node.name} failed: ${task.error.message}`);
					if (out.length !== items) throw new Error(`${s.node.name} output ${out.length} items, expected ${items}`);
					samples[s.key].push({ ms: task.executionTime, startTime: task.startTime });
					line.push(`${s.key} ${task.executionTime} ms`);
				}
				// every item delivered exactly once per subject, nothing lost or doubled
				const counts = new Map();
				for (const d of fake.deliveries) counts.set(d.body.n, (counts.get(d.body.n) ?? 0) + 1);
				const exact = counts.size === items && [...counts.values()].every((c) => c === list.length);
				if (!exact) throw new Error(`deliveries: ${fake.deliveries.length} for ${items} items × ${list.length} subjects, not exactly once each`);
				executions.push({ workflow: o.id, cliWallMs: Math.round(cliWallMs), deliveries: fake.deliveries.length, listenOverflows: overflows });
				// ListenOverflows counts every listen queue of the machine (other processes' too): a
				// connection attempt dropped there is retried by its client after 1 s
				const dropped = overflows
					? `; the kernel dropped ${overflows} connection attempts because a listen queue was full (machine-wide count; each is retried after 1 s, so this round's times include that wait)`
					: '';
				log(`    ${o.id} round ${round + 1}: ${line.join(', ')} (CLI ${Math.round(cliWallMs)} ms, ${fake.deliveries.length} deliveries${dropped})`);
			}
		}
		const http = median(samples.http.map((s) => s.ms));
		const results = list.map((s) => {
			const ms = median(samples[s.key].map((x) => x.ms));
			return {
				subject: s.label,
				key: s.key,
				concurrency: s.concurrency ?? null,
				medianMs: ms,
				itemsPerSecond: round((items / ms) * 1000, 0),
				samplesMs: samples[s.key].map((x) => x.ms),
				speedVsHttpRequest: round(http / ms),
			};
		});
		return { items, rounds, n8nVersion: '2.41.1', results, executions };
	} finally {
		await fake.close();
		fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

module.exports = { benchFanout };
