'use strict';
/**
 * Benchmark 1, stream decoding: Pokee → Message → Send consuming a turn of N text deltas
 * (`#events:N`) vs. the bare loop (node:http + eventsource-parser + TextDecoder + JSON.parse).
 * The fake runs in its own process; every measurement runs in a fresh worker process, subject
 * and baseline interleaved. Memory: peak live heap (full GC at each 20 ms sample) and peak RSS
 * for 50k and 200k events, to see how it grows per event against the text's own size.
 */
const { startFakeProcess } = require('./fakeClient');
const { runWorkerProcess } = require('./worker');
const { median, round, MiB, signed, spread } = require('./stats');

const { DEFAULT_KEY: API_KEY } = require('../../test/fakes/fakePokee');

async function benchStream({ events = 200000, repeats = 7, memoryEvents = [50000, 200000], log = console.log } = {}) {
	const fake = await startFakeProcess('pokee', { maxSessions: 10000 });
	try {
		const base = { baseUrl: fake.baseUrl, apiKey: API_KEY };
		// bareInN8n: the bare loop in a process that loaded n8n first, the node's heap (like for like)
		const subjects = [
			{ key: 'bare', config: { mode: 'bare' } },
			{ key: 'node', config: { mode: 'node' } },
			{ key: 'bareInN8n', config: { mode: 'bare', n8nLoaded: true } },
		];
		const runs = { bare: [], node: [], bareInN8n: [] };
		for (let i = 0; i < repeats; i++) {
			// rotate the order so no subject always runs first
			const order = subjects.map((_, k) => subjects[(k + i) % subjects.length]);
			for (const { key, config } of order) {
				const r = await runWorkerProcess('stream', { ...base, ...config, events });
				if (!r.textOk) throw new Error(`${key}: text differs from the turn's text`);
				runs[key].push(r);
			}
			const [b, n, bn] = [runs.bare[i], runs.node[i], runs.bareInN8n[i]];
			log(`    round ${i + 1}: bare ${Math.round(b.ms)} ms (CPU ${Math.round(b.cpuMs)} ms), node ${Math.round(n.ms)} ms (CPU ${Math.round(n.cpuMs)} ms), bare in n8n process ${Math.round(bn.ms)} ms (CPU ${Math.round(bn.cpuMs)} ms); ratio ${(b.ms / n.ms).toFixed(2)}, CPU ratio ${(b.cpuMs / n.cpuMs).toFixed(2)}`);
		}
		const eps = (r) => (r.events / r.ms) * 1000;
		const bareEps = median(runs.bare.map(eps));
		const nodeEps = median(runs.node.map(eps));
		const bareInN8nEps = median(runs.bareInN8n.map(eps));
		// per round: the node against the bare loop run next to it (wall and CPU time)
		const pairRatios = runs.node.map((r, i) => eps(r) / eps(runs.bare[i]));
		const pairCpuRatios = runs.node.map((r, i) => runs.bare[i].cpuMs / r.cpuMs);
		const range = (xs) => {
			const { min, max } = spread(xs);
			return { min: round(min), max: round(max) };
		};
		const cpu = (mode) => median(runs[mode].map((r) => r.cpuMs));

		const memory = [];
		for (const n of memoryEvents) {
			for (const mode of ['bare', 'node']) {
				const r = await runWorkerProcess('stream', { ...base, mode, events: n, memory: true }, { execArgv: ['--expose-gc'] });
				if (!r.textOk) throw new Error(`${mode}: text differs (memory run)`);
				memory.push({
					mode,
					events: r.events,
					textBytes: r.textLength,
					peakLiveHeapGrowth: r.memory.peakHeapGrowth,
					retainedAfter: r.memory.retainedAfterGrowth,
					peakRssGrowth: r.memory.peakRssGrowth,
				});
				log(`    memory ${mode} ${n}: peak live heap ${signed(r.memory.peakHeapGrowth / MiB)} MiB, peak RSS ${signed(r.memory.peakRssGrowth / MiB)} MiB, retained after ${signed(r.memory.retainedAfterGrowth / 1024)} KiB`);
			}
		}
		const slope = (mode, field) => {
			const [lo, hi] = [memoryEvents[0], memoryEvents[memoryEvents.length - 1]].map((n) => memory.find((m) => m.mode === mode && m.events === n + 4));
			return (hi[field] - lo[field]) / (hi.events - lo.events);
		};
		const summary = (key, medianEps) => ({
			medianMs: median(runs[key].map((r) => r.ms)),
			eventsPerSecond: Math.round(medianEps),
			samplesMs: runs[key].map((r) => Math.round(r.ms)),
			medianCpuMs: cpu(key),
			eventsPerCpuSecond: Math.round(((events + 4) / cpu(key)) * 1000),
		});
		return {
			events: events + 4,
			textDeltas: events,
			repeats,
			bare: summary('bare', bareEps),
			node: summary('node', nodeEps),
			bareInN8n: summary('bareInN8n', bareInN8nEps),
			ratio: round(nodeEps / bareEps),
			ratioVsBareInN8n: round(nodeEps / bareInN8nEps),
			cpuRatioVsBareInN8n: round(cpu('bareInN8n') / cpu('node')),
			medianPairRatio: round(median(pairRatios)),
			pairRatios: pairRatios.map((x) => round(x)),
			pairRatioSpread: range(pairRatios),
			medianPairCpuRatio: round(median(pairCpuRatios)),
			pairCpuRatios: pairCpuRatios.map((x) => round(x)),
			pairCpuRatioSpread: range(pairCpuRatios),
			cpuRatio: round(cpu('bare') / cpu('node')),
			target: 0.8,
			memory,
			bytesPerEvent: {
				textBytesPerEvent: round(slope('node', 'textBytes'), 1),
				nodePeakLiveHeap: round(slope('node', 'peakLiveHeapGrowth'), 1),
				barePeakLiveHeap: round(slope('bare', 'peakLiveHeapGrowth'), 1),
				nodeRetainedAfter: round(slope('node', 'retainedAfter'), 1),
				nodePeakRss: round(slope('node', 'peakRssGrowth'), 1),
				barePeakRss: round(slope('bare', 'peakRssGrowth'), 1),
			},
		};
	} finally {
		await fake.close();
	}
}

module.exports = { benchStream };
