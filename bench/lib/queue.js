'use strict';
/**
 * Benchmark 5, queue mode: N Pokee turns (each ~2 s of agent latency on the fake) started through a
 * production webhook of an n8n 2.41.1 main in queue mode (PostgreSQL + Redis, test/queue/lib.js)
 * and run by 1 worker vs 2 workers, each at the same --concurrency. Rounds alternate 1 and 2
 * workers in one run (the second worker is stopped gracefully for the 1-worker rounds and started
 * again for the next 2-worker round).
 *
 * Two arrival patterns, each measured with 1 and 2 workers in the same run:
 *   paced  `callers` (2 × concurrency = as many as the 2 workers' slots) webhook callers, each
 *          posting its next turn as soon as n8n has answered the previous call (onReceived, tens
 *          of ms): the queue fills within seconds and stays ahead of the workers, as with a
 *          steady stream of callers. The target (≥ 1.8×) is judged on this one.
 *   burst  all turns posted at the same instant. The main then accepts 200 connections at once
 *          and works on all of them interleaved, so the first job reaches the queue only ~2 s
 *          after the burst, the same ~2 s with 1 or 2 workers; it is reported (and why) but it
 *          measures the main's intake as much as the workers.
 * Time of a round: from the first webhook call to the last execution's stoppedAt (PostgreSQL).
 * Throughput = turns / time. Each round also reports when the first execution started, and the
 * CPU seconds of every process taking part (main, workers, PostgreSQL with all its backends,
 * Redis, this process with the fake) and of the whole machine (/proc/stat), so a round that was
 * CPU-bound shows it. Duplicates: the fake counts the turns started and the sends of each
 * (unique) message; each must be exactly one. Per-worker RSS: VmRSS after the round and VmHWM
 * (peak, reset at the round's start) of each worker's n8n process, and which worker ran how many
 * executions (from the workers' logs).
 */
const fs = require('node:fs');
const os = require('node:os');
const L = require('../../test/e2e/lib');
const { QueueCluster, tempDir, procMemory, resetPeakRss } = require('../../test/queue/lib');
const { startFakePokee, DEFAULT_KEY } = require('../../test/fakes/fakePokee');
const { median, round, spread } = require('./stats');

const { POKEE_CRED, webhookNode, pokeeNode, workflow, stopOnSignals } = require('../../test/queue/suite');

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

const PATTERNS = ['paced', 'burst'];
/** The cluster folders of runs in progress (removed by bench/run.js when a signal stops it). */
const liveDirs = new Set();
const removeLiveDirs = () => {
	for (const dir of liveDirs) fs.rmSync(dir, { recursive: true, force: true });
};

async function benchQueue({ turns = 200, concurrency = 10, rounds = 3, eventDelayMs = 340, log = console.log } = {}) {
	if (Number(process.versions.node.split('.')[0]) < 24) throw new Error('the queue benchmark needs Node 24 (source scripts/env.sh)');
	const fake = await startFakePokee({ maxSessions: 100_000, idleDestroyMs: 3_600_000 });
	const dir = tempDir('n8n-poke-bench-queue-');
	liveDirs.add(dir);
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
		await runRound({ cluster, fake, turns: 2 * concurrency, tag: 'warmup', eventDelayMs, callers: 2 * concurrency });

		const samples = [];
		const callers = 2 * concurrency;
		for (let r = 0; r < rounds; r++) {
			for (const workers of r % 2 === 0 ? [1, 2] : [2, 1]) {
				if (workers === 1 && cluster.workers.has('w2')) await cluster.stopWorker('w2');
				if (workers === 2 && !cluster.workers.has('w2')) await cluster.startWorker('w2');
				for (const pattern of r % 2 === 0 ? PATTERNS : [...PATTERNS].reverse()) {
					const s = await runRound({ cluster, fake, turns, tag: `r${r}w${workers}${pattern}`, eventDelayMs, callers: pattern === 'paced' ? callers : turns });
					Object.assign(s, { workers, pattern, round: r + 1 });
					samples.push(s);
					const mem = Object.entries(s.memory).map(([w, m]) => `${w} ran ${m.executions}, RSS ${m.rssMiB} MiB (peak ${m.peakMiB})`).join('; ');
					const cpu = Object.entries(s.cpuSeconds).map(([n, c]) => `${n} ${c}`).join(', ');
					log(`    round ${r + 1}, ${workers} worker(s), ${pattern}: ${turns} turns in ${(s.ms / 1000).toFixed(1)} s = ${s.turnsPerSecond} turns/s; first execution started after ${(s.firstStartMs / 1000).toFixed(1)} s; turns on the fake ${s.turnsStarted}, duplicates ${s.duplicates}, failed ${s.failed}; ${mem}; CPU s: ${cpu}; machine ${s.machineCores} of ${os.cpus().length} cores busy; load ${s.loadAverage.join(' → ')}`);
				}
			}
		}
		const byPattern = Object.fromEntries(PATTERNS.map((pattern) => {
			const one = samples.filter((s) => s.pattern === pattern && s.workers === 1);
			const two = samples.filter((s) => s.pattern === pattern && s.workers === 2);
			const m1 = median(one.map((s) => s.turnsPerSecond));
			const m2 = median(two.map((s) => s.turnsPerSecond));
			const pairRatios = one.map((s, i) => round(two[i].turnsPerSecond / s.turnsPerSecond));
			return [pattern, {
				oneWorker: { medianTurnsPerSecond: m1, samples: one.map((s) => s.turnsPerSecond) },
				twoWorkers: { medianTurnsPerSecond: m2, samples: two.map((s) => s.turnsPerSecond) },
				ratio: round(m2 / m1),
				pairRatios,
				pairRatioSpread: spread(pairRatios),
				medianFirstStartMs: { oneWorker: median(one.map((s) => s.firstStartMs)), twoWorkers: median(two.map((s) => s.firstStartMs)) },
			}];
		}));
		return {
			turns,
			concurrency,
			callers,
			rounds,
			agentLatencyMs: 6 * eventDelayMs,
			postgres: cluster.pgVersion,
			samples,
			...byPattern.paced,
			burst: byPattern.burst,
			target: 1.8,
			duplicates: samples.reduce((a, s) => a + s.duplicates, 0),
			failed: samples.reduce((a, s) => a + s.failed, 0),
		};
	} finally {
		await cluster.close();
		await L.cleanup();
		await fake.close();
		fs.rmSync(dir, { recursive: true, force: true });
		liveDirs.delete(dir);
	}
}

/**
 * Every process's parent and CPU seconds (user + system, clock ticks of 10 ms), from one read of
 * each /proc/<pid>/stat: Map pid -> {ppid, cpu}. (The fields after the command name, which is in
 * parentheses and may hold spaces: [1] ppid, [11] utime, [12] stime.)
 */
function procTable() {
	const table = new Map();
	for (const p of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(p)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
			const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			table.set(Number(p), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100 });
		} catch {
			// ended meanwhile
		}
	}
	return table;
}

/**
 * CPU seconds of each group of processes: the given PIDs and all their descendants alive now
 * (PostgreSQL's backends are children of the postmaster, n8n's task runner a child of n8n).
 */
function groupCpu(groups) {
	const table = procTable();
	const children = new Map();
	for (const [pid, { ppid }] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
	const out = {};
	for (const [name, roots] of Object.entries(groups)) {
		let cpu = 0;
		const stack = [...roots];
		while (stack.length) {
			const pid = stack.pop();
			cpu += table.get(pid)?.cpu ?? 0;
			stack.push(...(children.get(pid) ?? []));
		}
		out[name] = cpu;
	}
	return out;
}

/** Busy CPU seconds of the whole machine since boot (all cores; /proc/stat, idle and iowait excluded). */
function machineBusySeconds() {
	const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
	return (f.reduce((a, b) => a + b, 0) - f[3] - f[4]) / 100;
}

/**
 * Posts `turns` webhook calls from `callers` concurrent callers (= turns: all at once); waits for
 * every execution; counts on the fake.
 */
async function runRound({ cluster, fake, turns, tag, eventDelayMs, callers }) {
	const before = (await cluster.query(`SELECT coalesce(max(id), 0)::int AS id FROM execution_entity`))[0].id;
	const turns0 = fake.turnsStarted;
	const requests0 = fake.requests.length;
	for (const w of cluster.workers.values()) resetPeakRss(w.pid);
	const runs0 = cluster.runs.length;
	const groups = {
		main: [cluster.main.server.pid],
		...Object.fromEntries([...cluster.workers].map(([n, w]) => [n, [w.pid]])),
		postgres: [cluster.pg.child.pid],
		redis: [cluster.redis.child.pid],
	};
	const cpu0 = groupCpu(groups);
	const self0 = process.cpuUsage();
	const machine0 = machineBusySeconds();
	const load0 = os.loadavg()[0];
	const started = Date.now();
	// `callers` webhook callers, each posting its next turn once n8n has answered its previous one
	const answers = [];
	let next = 0;
	await Promise.all(Array.from({ length: Math.min(callers, turns) }, async () => {
		while (next < turns) {
			const i = next++;
			answers.push(await cluster.webhook('POST', 'bench-turn', { message: `bench ${tag} turn ${i} #slow:${eventDelayMs}` }));
		}
	}));
	const refused = answers.filter((a) => a.status !== 200).length;
	if (refused) throw new Error(`${refused} webhook calls refused: ${answers.find((a) => a.status !== 200).body.slice(0, 300)}`);
	const rows = await L.waitFor(`${turns} executions of round ${tag}`, async () => {
		const r = await cluster.query(
			`SELECT id, status, "startedAt", "stoppedAt" FROM execution_entity WHERE id > $1 AND "workflowId" = $2`,
			[before, WORKFLOW_ID],
		);
		return r.length >= turns && r.every((e) => !['new', 'running', 'waiting'].includes(e.status)) ? r : undefined;
	}, { timeoutMs: 600_000, intervalMs: 250 });
	const end = Math.max(...rows.map((r) => new Date(r.stoppedAt).getTime()));
	const firstStart = Math.min(...rows.map((r) => new Date(r.startedAt).getTime()));
	const ms = end - started;
	// CPU up to the round's end (the query loop above ran at most 250 ms past it)
	const cpu1 = groupCpu(groups);
	const self = process.cpuUsage(self0);
	const cpu = Object.fromEntries(Object.keys(groups).map((n) => [n, round(cpu1[n] - cpu0[n], 1)]));
	cpu['bench+fake'] = round((self.user + self.system) / 1e6, 1);
	const machineSeconds = machineBusySeconds() - machine0;
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
		callers,
		firstStartMs: firstStart - started,
		turnsPerSecond: round((turns / ms) * 1000),
		turnsStarted: fake.turnsStarted - turns0,
		duplicates: [...perMessage.values()].filter((c) => c > 1).length + Math.max(0, fake.turnsStarted - turns0 - turns),
		missing: turns - perMessage.size,
		failed: rows.filter((r) => r.status !== 'success').length,
		memory,
		cpuSeconds: cpu,
		machineCores: round(machineSeconds / (ms / 1000 + 0.25)),
		loadAverage: [round(load0), round(os.loadavg()[0])],
	};
}

function markdown(q) {
	const out = [];
	out.push(`## 5. Queue mode: ${q.turns} Pokee turns (~${(q.agentLatencyMs / 1000).toFixed(1)} s agent latency each), 1 vs 2 workers at concurrency ${q.concurrency}, ${q.rounds} rounds each (n8n 2.41.1, PostgreSQL ${q.postgres}, Redis)`, '');
	out.push(`Arrivals: **paced** = ${q.callers} webhook callers, each posting its next turn once n8n has answered the previous call (the queue stays ahead of the workers); **burst** = all ${q.turns} posted at once.`, '');
	out.push('| round | workers | arrivals | time s | turns/s | first execution started after s | turns on the fake | duplicates | failed | per worker: executions, RSS (peak) | CPU s | machine cores busy | load avg |', '|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|---|');
	for (const s of q.samples) {
		const mem = Object.entries(s.memory).map(([w, m]) => `${w}: ${m.executions}, ${m.rssMiB} MiB (${m.peakMiB})`).join('; ');
		const cpu = Object.entries(s.cpuSeconds ?? {}).map(([n, c]) => `${n} ${c}`).join(', ');
		out.push(`| ${s.round} | ${s.workers} | ${s.pattern} | ${(s.ms / 1000).toFixed(1)} | ${s.turnsPerSecond} | ${(s.firstStartMs / 1000).toFixed(1)} | ${s.turnsStarted} | ${s.duplicates} | ${s.failed} | ${mem} | ${cpu} | ${s.machineCores} | ${(s.loadAverage ?? []).join(' → ')} |`);
	}
	const line = (name, r) => `${name}: 1 worker ${r.oneWorker.medianTurnsPerSecond} turns/s (${r.oneWorker.samples.join(', ')}), 2 workers ${r.twoWorkers.medianTurnsPerSecond} turns/s (${r.twoWorkers.samples.join(', ')}): **${r.ratio.toFixed(2)}×** (per round pair: ${r.pairRatios.join(', ')}; spread ${r.pairRatioSpread.min}–${r.pairRatioSpread.max}); first execution started after ${(r.medianFirstStartMs.oneWorker / 1000).toFixed(1)} s / ${(r.medianFirstStartMs.twoWorkers / 1000).toFixed(1)} s (medians).`;
	out.push('', `Median throughput, ${line('paced', q)} Target ≥ ${q.target}: ${q.ratio >= q.target ? 'yes' : '**no**'}.`, '');
	out.push(`${line('Burst', q.burst)}`, '');
	out.push(`Duplicate turns: ${q.duplicates}; failed executions: ${q.failed}.`, '');
	return out.join('\n');
}

module.exports = { benchQueue, markdown, benchWorkflow, removeLiveDirs };

if (require.main === module) {
	const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 3);
	benchQueue({ rounds })
		.then((q) => console.log(`\n${markdown(q)}`))
		.catch((e) => {
			console.error(e);
			process.exitCode = 1;
		});
	stopOnSignals('queue bench', removeLiveDirs);
}
