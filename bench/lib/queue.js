'use strict';
/**
 * Benchmark 5, queue mode: N Pokee turns (each ~2 s of agent latency on the fake) started through a
 * production webhook of an n8n 2.41.1 main in queue mode (PostgreSQL + Redis, test/queue/lib.js)
 * and run by 1 worker vs 2 workers, each at the same --concurrency. Rounds alternate 1 and 2
 * workers in one run (the second worker is stopped gracefully for the 1-worker rounds and started
 * again for the next 2-worker round).
 *
 * Time of a round: from the first webhook call to the last execution's stoppedAt (PostgreSQL).
 * Throughput = turns / time. Duplicates: the fake counts the turns started and the sends of each
 * (unique) message; each must be exactly one. Per-worker RSS: VmRSS after the round and VmHWM
 * (peak, reset at the round's start) of each worker's n8n process, and which worker ran how many
 * executions (from the workers' logs).
 */
const fs = require('node:fs');
const os = require('node:os');
const L = require('../../test/e2e/lib');
const { QueueCluster, tempDir, procMemory, resetPeakRss } = require('../../test/queue/lib');
const { startFakePokee, DEFAULT_KEY } = require('../../test/fakes/fakePokee');
const { median, round } = require('./stats');

const { POKEE_CRED, webhookNode, pokeeNode, workflow } = require('../../test/queue/suite');

const WORKFLOW_ID = 'benchQueueTurns';

/** Webhook (answered at once) → Pokee Send in a new session, waiting for the turn's end. */
function benchWorkflow() {
	const wf = workflow(WORKFLOW_ID, 'bench: queued Pokee turns', [
		webhookNode('bq', 'bench-turn', 'onReceived'),
		pokeeNode('bq', 'Send', { resource: 'message', operation: 'send', sessionMode: 'new', sessionOptions: {}, message: '={{ $json.body.message }}', waitForCompletion: true, options: {} }),
	]);
	wf.settings.saveDataSuccessExecution = 'all';
	return wf;
}

async function benchQueue({ turns = 200, concurrency = 10, rounds = 3, eventDelayMs = 340, log = console.log } = {}) {
	if (Number(process.versions.node.split('.')[0]) < 24) throw new Error('the queue benchmark needs Node 24 (source scripts/env.sh)');
	const fake = await startFakePokee({ maxSessions: 100_000, idleDestroyMs: 3_600_000 });
	const dir = tempDir('n8n-poke-bench-queue-');
	const cluster = new QueueCluster({ dir, workers: 2, concurrency });
	const t0 = Date.now();
	try {
		await cluster.start({
			credentials: [{ ...POKEE_CRED.pokeeApi, type: 'pokeeApi', data: { apiKey: DEFAULT_KEY, baseUrl: fake.baseUrl } }],
			workflows: [benchWorkflow()],
			packageFrom: 'sources',
		});
		await cluster.activate(WORKFLOW_ID);
		log(`    cluster up in ${((Date.now() - t0) / 1000).toFixed(0)} s (PostgreSQL ${cluster.pgVersion}, Redis, main, 2 workers at concurrency ${concurrency})`);
		// one warm-up turn per worker slot, not timed
		await runRound({ cluster, fake, turns: 2 * concurrency, tag: 'warmup', eventDelayMs });

		const samples = [];
		for (let r = 0; r < rounds; r++) {
			for (const workers of r % 2 === 0 ? [1, 2] : [2, 1]) {
				if (workers === 1 && cluster.workers.has('w2')) await cluster.stopWorker('w2');
				if (workers === 2 && !cluster.workers.has('w2')) await cluster.startWorker('w2');
				const s = await runRound({ cluster, fake, turns, tag: `r${r}w${workers}`, eventDelayMs });
				s.workers = workers;
				s.round = r + 1;
				samples.push(s);
				const mem = Object.entries(s.memory).map(([w, m]) => `${w} ran ${m.executions}, RSS ${m.rssMiB} MiB (peak ${m.peakMiB})`).join('; ');
				const cpu = Object.entries(s.cpuSeconds).map(([n, c]) => `${n} ${c}`).join(', ');
				log(`    round ${r + 1}, ${workers} worker(s): ${turns} turns in ${(s.ms / 1000).toFixed(1)} s = ${s.turnsPerSecond} turns/s; turns on the fake ${s.turnsStarted}, duplicates ${s.duplicates}, failed ${s.failed}; ${mem}; CPU s: ${cpu}; load ${s.loadAverage.join(' → ')}`);
			}
		}
		const one = samples.filter((s) => s.workers === 1);
		const two = samples.filter((s) => s.workers === 2);
		const m1 = median(one.map((s) => s.turnsPerSecond));
		const m2 = median(two.map((s) => s.turnsPerSecond));
		const pairRatios = one.map((s, i) => round(two[i].turnsPerSecond / s.turnsPerSecond));
		return {
			turns,
			concurrency,
			rounds,
			agentLatencyMs: 6 * eventDelayMs,
			postgres: cluster.pgVersion,
			samples,
			oneWorker: { medianTurnsPerSecond: m1, samples: one.map((s) => s.turnsPerSecond) },
			twoWorkers: { medianTurnsPerSecond: m2, samples: two.map((s) => s.turnsPerSecond) },
			ratio: round(m2 / m1),
			pairRatios,
			target: 1.8,
			duplicates: samples.reduce((a, s) => a + s.duplicates, 0),
			failed: samples.reduce((a, s) => a + s.failed, 0),
		};
	} finally {
		await cluster.close();
		await L.cleanup();
		await fake.close();
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuSeconds(pid) {
	try {
		const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
		return (Number(fields[11]) + Number(fields[12])) / 100;
	} catch {
		return 0;
	}
}

/** Fires `turns` webhook calls at once; waits for every execution; counts on the fake. */
async function runRound({ cluster, fake, turns, tag, eventDelayMs }) {
	const before = (await cluster.query(`SELECT coalesce(max(id), 0)::int AS id FROM execution_entity`))[0].id;
	const turns0 = fake.turnsStarted;
	const requests0 = fake.requests.length;
	for (const w of cluster.workers.values()) resetPeakRss(w.pid);
	const runs0 = cluster.runs.length;
	const pids = { main: cluster.main.server.pid, ...Object.fromEntries([...cluster.workers].map(([n, w]) => [n, w.pid])) };
	const cpu0 = Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, cpuSeconds(pid)]));
	const load0 = os.loadavg()[0];
	const started = Date.now();
	const answers = await Promise.all(
		Array.from({ length: turns }, (_, i) => cluster.webhook('POST', 'bench-turn', { message: `bench ${tag} turn ${i} #slow:${eventDelayMs}` })),
	);
	const refused = answers.filter((a) => a.status !== 200).length;
	if (refused) throw new Error(`${refused} webhook calls refused: ${answers.find((a) => a.status !== 200).body.slice(0, 300)}`);
	const rows = await L.waitFor(`${turns} executions of round ${tag}`, async () => {
		const r = await cluster.query(
			`SELECT id, status, "stoppedAt" FROM execution_entity WHERE id > $1 AND "workflowId" = $2`,
			[before, WORKFLOW_ID],
		);
		return r.length >= turns && r.every((e) => !['new', 'running', 'waiting'].includes(e.status)) ? r : undefined;
	}, { timeoutMs: 600_000, intervalMs: 250 });
	const end = Math.max(...rows.map((r) => new Date(r.stoppedAt).getTime()));
	const cpu = Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, round(cpuSeconds(pid) - cpu0[n], 1)]));
	const ms = end - started;
	const sends = fake.requests.slice(requests0).filter((r) => r.method === 'POST' && /\/messages$/.test(r.path));
	const perMessage = new Map();
	for (const r of sends) perMessage.set(r.json?.message, (perMessage.get(r.json?.message) ?? 0) + 1);
	const memory = {};
	const ranBy = new Map();
	for (const r of cluster.runs.slice(runs0)) if (r.event === 'finished') ranBy.set(r.worker, (ranBy.get(r.worker) ?? 0) + 1);
	for (const [name, w] of cluster.workers) {
		const m = procMemory(w.pid);
		memory[name] = { rssMiB: Math.round(m.rssKiB / 1024), peakMiB: Math.round(m.hwmKiB / 1024), executions: ranBy.get(name) ?? 0 };
	}
	return {
		ms,
		turnsPerSecond: round((turns / ms) * 1000),
		turnsStarted: fake.turnsStarted - turns0,
		duplicates: [...perMessage.values()].filter((c) => c > 1).length + Math.max(0, fake.turnsStarted - turns0 - turns),
		missing: turns - perMessage.size,
		failed: rows.filter((r) => r.status !== 'success').length,
		memory,
		cpuSeconds: cpu,
		loadAverage: [round(load0), round(os.loadavg()[0])],
	};
}

function markdown(q) {
	const out = [];
	out.push(`## 5. Queue mode: ${q.turns} Pokee turns (~${(q.agentLatencyMs / 1000).toFixed(1)} s agent latency each), 1 vs 2 workers at concurrency ${q.concurrency}, ${q.rounds} rounds each (n8n 2.41.1, PostgreSQL ${q.postgres}, Redis)`, '');
	out.push('| round | workers | time s | turns/s | turns on the fake | duplicates | failed | per worker: executions, RSS (peak) | CPU s (main, workers) | load avg |', '|---:|---:|---:|---:|---:|---:|---:|---|---|---|');
	for (const s of q.samples) {
		const mem = Object.entries(s.memory).map(([w, m]) => `${w}: ${m.executions}, ${m.rssMiB} MiB (${m.peakMiB})`).join('; ');
		const cpu = Object.entries(s.cpuSeconds ?? {}).map(([n, c]) => `${n} ${c}`).join(', ');
		out.push(`| ${s.round} | ${s.workers} | ${(s.ms / 1000).toFixed(1)} | ${s.turnsPerSecond} | ${s.turnsStarted} | ${s.duplicates} | ${s.failed} | ${mem} | ${cpu} | ${(s.loadAverage ?? []).join(' → ')} |`);
	}
	out.push('', `Median throughput: 1 worker ${q.oneWorker.medianTurnsPerSecond} turns/s (${q.oneWorker.samples.join(', ')}), 2 workers ${q.twoWorkers.medianTurnsPerSecond} turns/s (${q.twoWorkers.samples.join(', ')}): **${q.ratio.toFixed(2)}×** (per round pair: ${q.pairRatios.join(', ')}); target ≥ ${q.target}: ${q.ratio >= q.target ? 'yes' : '**no**'}. Duplicate turns: ${q.duplicates}; failed executions: ${q.failed}.`, '');
	return out.join('\n');
}

module.exports = { benchQueue, markdown, benchWorkflow };

if (require.main === module) {
	const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 3);
	benchQueue({ rounds })
		.then((q) => console.log(`\n${markdown(q)}`))
		.catch((e) => {
			console.error(e);
			process.exitCode = 1;
		});
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => L.cleanup().finally(() => process.exit(130)));
}
