'use strict';
/**
 * Benchmarks of n8n-nodes-poke (`npm run bench`). Each one measures a baseline in the same run,
 * interleaved with the subject, and reports the ratio:
 *   1. stream   Pokee Send Message on a 200,000-event turn vs. a bare eventsource-parser loop
 *   2. download 1 GiB through File → Download into n8n's binary store vs. a plain stream copy
 *   3. fanout   Poke Fire Webhook × 2,000 items vs. n8n's HTTP Request node, in the real n8n 2.41.1
 *   4. trigger  requests per poll of the Pokee Trigger watching 1, 100 and 1,000 sessions
 *   5. queue    200 Pokee turns (~2 s agent latency each) through n8n 2.41.1 in queue mode
 *               (PostgreSQL + Redis), 1 worker vs 2 workers at the same concurrency
 * Results: stdout, and bench/results/<timestamp>.{json,md} plus latest.{json,md} (git-ignored).
 *
 * Flags: --only=stream,download,fanout,trigger,queue,chatmodel   --quick (fewer repeats)
 *        --queue-event-ms=<ms> (queue: the agent's pause before each of a turn's 6 events, default 340)
 *        --dist (workers load dist/ instead of the TypeScript sources; needs `npm run build`)
 * The nodes are loaded from the TypeScript sources (esbuild-transpiled) by default, so a run
 * measures the code as it is, not a stale or half-rebuilt dist/. The n8n fan-out installs a
 * package built from the same sources into a private n8n user folder.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// The benchmarks measure the nodes inside n8n 2.41.1, which runs on Node 24: on an older Node
// (`npm run bench` with the system's Node 20) run again under the Node 24 that scripts/env.sh
// provides, so the figures are for the Node n8n uses.
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
if (NODE_MAJOR < 24) {
	const { spawn } = require('node:child_process');
	console.log(`bench: Node ${process.version} is not the Node n8n 2.41.1 runs on; running again on Node 24 (scripts/env.sh)`);
	const env = path.join(__dirname, '..', 'scripts', 'env.sh');
	const rerun = spawn('bash', ['-c', 'source "$0" >&2 && exec node "$@"', env, __filename, ...process.argv.slice(2)], {
		stdio: 'inherit',
	});
	// a signal to this process is passed on, so the Node 24 run stops what it started
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => rerun.kill(signal));
	rerun.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
}

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const only = option('only')?.split(',') ?? ['stream', 'download', 'fanout', 'trigger', 'queue', 'chatmodel'];
const quick = flag('quick');
if (flag('dist')) {
	if (!fs.existsSync(path.join(__dirname, '..', 'dist', 'nodes', 'Pokee', 'Pokee.node.js'))) {
		console.error('--dist: dist/ is missing, run `npm run build` first');
		process.exit(2);
	}
	process.env.N8N_POKE_FROM_DIST = '1';
}

// One scratch n8n user folder for everything the harness does in this process and its workers
// (made by the Node 24 run only).
const scratch = NODE_MAJOR >= 24 ? fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-poke-bench-')) : undefined;
process.env.N8N_USER_FOLDER = scratch ?? '';

const { machine } = require('./lib/machine');
const { round, MiB, signed } = require('./lib/stats');

const log = (...a) => console.log(...a);
const yes = (ok) => (ok ? 'yes' : '**no**');

function markdown(results) {
	const m = results.machine;
	const out = [];
	out.push(`# n8n-nodes-poke benchmarks`, '');
	out.push(`${results.startedAt} · ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB · Node ${m.node} (V8 ${m.v8}) · ${m.os}`);
	out.push(`load average at start ${m.loadAverageAtStart.join(' / ')}, at end ${results.loadAverageAtEnd.join(' / ')} · nodes loaded from ${results.nodesFrom}`, '');
	const s = results.stream;
	if (s) {
		out.push(`## 1. Stream decoding: ${s.textDeltas.toLocaleString('en')} text deltas (${s.events.toLocaleString('en')} events), median of ${s.repeats} interleaved rounds`, '');
		out.push('| subject | median ms | events/s | ratio | median CPU ms | events per CPU-s | CPU ratio | target | met |', '|---|---:|---:|---:|---:|---:|---:|---:|---|');
		out.push(`| bare loop (http + eventsource-parser + JSON.parse) | ${Math.round(s.bare.medianMs)} | ${s.bare.eventsPerSecond.toLocaleString('en')} | 1.00 | ${Math.round(s.bare.medianCpuMs)} | ${s.bare.eventsPerCpuSecond.toLocaleString('en')} | 1.00 | | |`);
		out.push(`| the same bare loop, in a process with n8n loaded | ${Math.round(s.bareInN8n.medianMs)} | ${s.bareInN8n.eventsPerSecond.toLocaleString('en')} | ${round(s.bareInN8n.eventsPerSecond / s.bare.eventsPerSecond).toFixed(2)} | ${Math.round(s.bareInN8n.medianCpuMs)} | ${s.bareInN8n.eventsPerCpuSecond.toLocaleString('en')} | ${round(s.bare.medianCpuMs / s.bareInN8n.medianCpuMs).toFixed(2)} | | |`);
		out.push(`| Pokee → Message → Send (n8n engine) | ${Math.round(s.node.medianMs)} | ${s.node.eventsPerSecond.toLocaleString('en')} | ${s.ratio.toFixed(2)} (pairwise median ${s.medianPairRatio.toFixed(2)}) | ${Math.round(s.node.medianCpuMs)} | ${s.node.eventsPerCpuSecond.toLocaleString('en')} | ${s.cpuRatio.toFixed(2)} | ≥ ${s.target} | ${yes(s.ratio >= s.target)} |`, '');
		out.push(`Per round (node ÷ the bare loop run next to it), ${s.repeats} rounds: events/s ratio median **${s.medianPairRatio.toFixed(2)}**, spread ${s.pairRatioSpread.min.toFixed(2)}–${s.pairRatioSpread.max.toFixed(2)} (${s.pairRatios.map((x) => x.toFixed(2)).join(', ')}); CPU ratio median **${s.medianPairCpuRatio.toFixed(2)}**, spread ${s.pairCpuRatioSpread.min.toFixed(2)}–${s.pairCpuRatioSpread.max.toFixed(2)} (${s.pairCpuRatios.map((x) => x.toFixed(2)).join(', ')}).`, '');
		out.push(`Against the bare loop in a process with n8n loaded (like for like): ${s.ratioVsBareInN8n.toFixed(2)}, CPU ${s.cpuRatioVsBareInN8n.toFixed(2)}.`, '');
		out.push('Ratio = events/s of the node ÷ events/s of the bare loop (medians). CPU = the consumer process\'s own CPU time, less sensitive to other load on the machine.', '');
		out.push('Memory (fresh process each, full GC at every 20 ms sample):', '');
		out.push('| subject | events | text bytes | peak live heap growth | peak RSS growth | heap retained after |', '|---|---:|---:|---:|---:|---:|');
		for (const r of s.memory) {
			out.push(`| ${r.mode} | ${r.events.toLocaleString('en')} | ${r.textBytes.toLocaleString('en')} | ${signed(r.peakLiveHeapGrowth / MiB)} MiB | ${signed(r.peakRssGrowth / MiB)} MiB | ${signed(r.retainedAfter / 1024)} KiB |`);
		}
		const b = s.bytesPerEvent;
		out.push('', `Growth per extra event (50k → 200k): node peak live heap ${b.nodePeakLiveHeap} B/event, bare loop ${b.barePeakLiveHeap} B/event; text ${b.textBytesPerEvent} B/event; heap retained after the run ${b.nodeRetainedAfter} B/event (the output text).`, '');
	}
	const d = results.download;
	if (d) {
		out.push(`## 2. Large download: ${round(d.sizeBytes / 1024 ** 3)} GiB, median of ${d.repeats} rounds, sha256 of every stored copy verified`, '');
		out.push(`Every subject first ran once on a ${d.warmupMiB} MiB file in its fresh process (warm).`, '');
		out.push('| subject | median ms | MiB/s | median CPU ms | JS heap | full GCs | peak RSS growth (max / median) | speed vs bare copy |', '|---|---:|---:|---:|---:|---:|---:|---:|');
		const row = (label, r, speed) =>
			`| ${label} | ${r.medianMs} | ${r.mibPerSecond} | ${r.medianCpuMs} | ${r.heapUsedMiB} MiB | ${r.fullGcs} | ${r.peakRssGrowthMiB} / ${r.peakRssGrowthMedianMiB} MiB | ${speed} |`;
		out.push(row('plain copy, bare process (http.get → fs.createWriteStream)', d.plain, '1.00'));
		out.push(row('control: the same copy, bare process holding as much JS heap as n8n\'s', d.plainHeap, d.plainHeapVsPlain.toFixed(2)));
		out.push(row('plain copy, in a process with n8n loaded', d.plainInN8n, d.plainInN8nVsPlain.toFixed(2)));
		out.push(row(`Pokee → File → Download into n8n's ${d.node.storedIn} store`, d.node, d.ratio.toFixed(2)), '');
		const warmOk = d.node.peakRssGrowthMiB < d.targets.peakRssGrowthMiB;
		out.push('| target | measured | met |', '|---|---|---|');
		out.push(`| throughput ≥ ${d.targets.ratio} of a plain copy in the same kind of process (n8n loaded) | ${d.ratioVsPlainInN8nProcess.toFixed(2)} (CPU ${d.cpuRatioVsPlainInN8nProcess.toFixed(2)}) | ${yes(d.ratioVsPlainInN8nProcess >= d.targets.ratio)} |`);
		out.push(`| throughput ≥ ${d.targets.ratio} of a plain copy in a bare process | ${d.ratio.toFixed(2)} | ${yes(d.ratio >= d.targets.ratio)} |`);
		out.push(`| peak RSS growth < ${d.targets.peakRssGrowthMiB} MiB, warm | max ${d.node.peakRssGrowthMiB} MiB (${d.node.peakRssGrowthSamplesMiB.join(', ')}) | ${yes(warmOk)} |`);
		out.push(`| peak RSS growth < ${d.targets.peakRssGrowthMiB} MiB, cold (${d.coldWarmupMiB} MiB warm-up) | node max ${d.cold.node.peakRssGrowthMiB} MiB (${d.cold.node.peakRssGrowthSamplesMiB.join(', ')}); bare copy ${d.cold.plain.peakRssGrowthSamplesMiB.join(', ')} | ${yes(d.cold.node.peakRssGrowthMiB < d.targets.peakRssGrowthMiB)} |`, '');
		out.push('Speed = plain-copy time ÷ subject time (medians). Peak RSS growth: kernel high-water mark (VmHWM, reset before the run) over the RSS just before it. Full GCs: mark-compact collections during the timed part (perf_hooks).', '');
	}
	const f = results.fanout;
	if (f) {
		out.push(`## 3. Fan-out: ${f.items.toLocaleString('en')} webhook POSTs in n8n ${f.n8nVersion} (\`n8n execute\`), node executionTime, median of ${f.executions.length} executions`, '');
		out.push('| subject | median ms | items/s | samples ms | speed vs HTTP Request | target | met |', '|---|---:|---:|---|---:|---|---|');
		for (const r of f.results) {
			const isSubject = r.key !== 'http';
			out.push(`| ${r.subject} | ${Math.round(r.medianMs)} | ${r.itemsPerSecond} | ${r.samplesMs.join(', ')} | ${r.speedVsHttpRequest.toFixed(2)} | ${isSubject ? '≥ 1' : ''} | ${isSubject ? yes(r.speedVsHttpRequest >= 1) : ''} |`);
		}
		out.push('');
	}
	for (const [key, error] of Object.entries(results.errors ?? {})) {
		out.push(`## ${key}: FAILED`, '', '```', error.split('\n').slice(0, 8).join('\n'), '```', '');
	}
	const t = results.trigger;
	if (t) {
		out.push('## 4. Trigger cost: HTTP requests per poll (Turn Finished), from the fake\'s request log', '');
		out.push('| watching | first poll | idle poll | after turns finished | idle again | stored state | target 1 met (idle) |', '|---|---:|---:|---:|---:|---:|---|');
		for (const r of t.rows) {
			const [a, b, c, e] = r.polls;
			out.push(`| ${r.config} | ${a.requests} | ${b.requests} | ${c.requests} (${c.events} events) | ${e.requests} | ${(r.stateBytes / 1024).toFixed(1)} KiB | ${yes(r.idleRequestsPerPoll === 1)} |`);
		}
		out.push('', 'With Include Output Listing each finished turn adds one listing request (per event, not per watched session).', '');
	}
	if (results.queue) out.push(require('./lib/queue').markdown(results.queue));
	if (results.chatmodel) out.push(require('./lib/chatModel').markdown(results.chatmodel));
	return out.join('\n');
}

async function main() {
	const results = { startedAt: new Date().toISOString(), machine: machine(), nodesFrom: process.env.N8N_POKE_FROM_DIST === '1' ? 'dist/' : 'TypeScript sources (esbuild)', quick };
	const m = results.machine;
	log(`machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; load average ${m.loadAverageAtStart.join(' ')}`);
	log(`Node ${m.node} (${process.execPath}), the Node n8n 2.41.1 runs on`);
	const benches = [
		['stream', '1. stream decoding', () => require('./lib/stream').benchStream({ repeats: quick ? 5 : 7, log })],
		['download', '2. large download', () => require('./lib/download').benchDownload({ repeats: quick ? 1 : 3, log })],
		['fanout', '3. fan-out in n8n 2.41.1', () => require('./lib/fanout').benchFanout({ items: 2000, concurrencies: [1, 8], rounds: quick ? 1 : 2, log })],
		['trigger', '4. trigger cost', () => require('./lib/trigger').benchTrigger({ log })],
		[
			'queue',
			'5. queue mode: 1 vs 2 workers',
			() =>
				require('./lib/queue').benchQueue({
					turns: 200,
					concurrency: 10,
					rounds: quick ? 1 : 3,
					// --queue-event-ms=<ms>: the agent's pause before each of a turn's 6 events (default 340: ~2 s turns)
					eventDelayMs: Number(option('queue-event-ms') ?? 340),
					log,
				}),
		],
		['chatmodel', "6. chat model: Pokee vs n8n's OpenAI Chat Model", () => require('./lib/chatModel').benchChatModel({ rounds: quick ? 5 : 7, log })],
	];
	results.errors = {};
	for (const [key, title, bench] of benches) {
		if (!only.includes(key)) continue;
		log(`${title} …`);
		try {
			results[key] = await bench();
		} catch (error) {
			// one failing benchmark does not hide the others' results
			results.errors[key] = String(error && error.stack ? error.stack : error);
			console.error(`${title} failed:`, error);
			process.exitCode = 1;
		}
	}
	results.loadAverageAtEnd = os.loadavg().map((x) => round(x));
	results.finishedAt = new Date().toISOString();

	const md = markdown(results);
	const dir = path.join(__dirname, 'results');
	fs.mkdirSync(dir, { recursive: true });
	const stamp = results.startedAt.replace(/[:.]/g, '-');
	for (const name of [stamp, 'latest']) {
		fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
		fs.writeFileSync(path.join(dir, `${name}.md`), `${md}\n`);
	}
	log(`\n${md}\nwritten: bench/results/${stamp}.{json,md} and bench/results/latest.{json,md}`);
}

if (NODE_MAJOR >= 24) {
	// Ctrl-C, SIGTERM, SIGHUP: stop every process a benchmark started (n8n, PostgreSQL, Redis, fakes
	// run in process groups of their own, which a terminal's Ctrl-C does not reach), remove the
	// folders, leave. (Ctrl-C reaches this process twice, directly and through the Node 20 wrapper.)
	require('../test/queue/suite').stopOnSignals('bench', () => {
		require('./lib/queue').removeLiveDirs();
		fs.rmSync(scratch, { recursive: true, force: true });
	});

	main()
		.catch((error) => {
			console.error(error);
			process.exitCode = 1;
		})
		.finally(() => fs.rmSync(scratch, { recursive: true, force: true }));
}
