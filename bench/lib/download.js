'use strict';
/**
 * Benchmark 2, large download: a 1 GiB virtual file through Pokee → File → Download into n8n's
 * filesystem binary store vs. a plain Node stream copy (http.get → fs.createWriteStream) of the
 * same URL, each in a fresh worker process (the fake in its own), sha256 of every stored copy
 * checked. Per round, interleaved:
 *   plain       the copy in a bare process
 *   node        the node, in a process with n8n loaded (the harness runs n8n-core's engine)
 *   plainInN8n  the copy in a process with n8n loaded and the node run once: the same heap as
 *               the node's, so the like-for-like baseline
 *   plainHeap   control: the copy in a bare process holding as many bytes of plain JS objects
 *               as the node's process holds; shows what n8n's heap alone costs a copy
 * Every subject first runs once on a 64 MiB file, so the process has been through its first
 * garbage-collection cycle of network buffers ("warm"). Cold runs (8 MiB warm-up, the node and
 * the bare copy) show that first cycle's one-time RSS growth too.
 */
const { startFakeProcess } = require('./fakeClient');
const { runWorkerProcess } = require('./worker');
const { median, round, MiB, signed } = require('./stats');

const { DEFAULT_KEY: API_KEY } = require('../../test/fakes/fakePokee');

function summary(list, size) {
	const ms = median(list.map((r) => r.ms));
	const cpuMs = median(list.map((r) => r.cpuMs));
	const growth = list.map((r) => r.memory.peakRssGrowth);
	return {
		runs: list.length,
		medianMs: Math.round(ms),
		mibPerSecond: round(size / MiB / (ms / 1000), 0),
		medianCpuMs: Math.round(cpuMs),
		samplesMs: list.map((r) => Math.round(r.ms)),
		peakRssGrowthMiB: round(Math.max(...growth) / MiB, 1),
		peakRssGrowthMedianMiB: round(median(growth) / MiB, 1),
		peakRssGrowthSamplesMiB: growth.map((g) => round(g / MiB, 1)),
		heapUsedMiB: round(median(list.map((r) => r.memory.heap0)) / MiB, 1),
		fullGcs: median(list.map((r) => r.gcCount.full)),
		kernelPeak: list.every((r) => r.memory.kernelPeak),
		storedIn: list[0].storedIn,
	};
}

async function benchDownload({ size = 1024 ** 3, repeats = 3, coldRepeats = repeats, log = console.log } = {}) {
	const fake = await startFakeProcess('pokee', { maxSessions: 100 });
	try {
		const { id: sessionId } = await fake.call('createSession', { persistent: true });
		const filePath = 'bench/large-1gib.bin';
		const warmPath = 'bench/warmup-64mib.bin';
		const coldPath = 'bench/warmup-8mib.bin';
		await fake.call('putLargeFile', filePath, size);
		await fake.call('putLargeFile', warmPath, 64 * MiB);
		await fake.call('putLargeFile', coldPath, 8 * MiB);
		const expectedSha = await fake.call('fileSha256', filePath);
		const base = { baseUrl: fake.baseUrl, apiKey: API_KEY, sessionId, path: filePath };
		const run = async (key, config) => {
			const r = await runWorkerProcess('download', { ...base, ...config });
			if (r.bytes !== size) throw new Error(`${key}: ${r.bytes} bytes, expected ${size}`);
			if (r.sha256 !== expectedSha) throw new Error(`${key}: sha256 ${r.sha256} != ${expectedSha}`);
			return r;
		};
		const describe = (key, r) =>
			`${key} ${Math.round(r.ms)} ms, CPU ${Math.round(r.cpuMs)} ms, ${r.gcCount.full} full GCs, ${signed(r.memory.peakRssGrowth / MiB, 1)} MiB RSS`;

		const modes = [
			{ key: 'plain', config: { mode: 'plain' } },
			{ key: 'node', config: { mode: 'node' } },
			{ key: 'plainInN8n', config: { mode: 'plain', n8nLoaded: true } },
		];
		const runs = { plain: [], node: [], plainInN8n: [], plainHeap: [] };
		for (let i = 0; i < repeats; i++) {
			const order = i % 2 ? [...modes].reverse() : modes;
			const line = [];
			for (const m of order) {
				const r = await run(m.key, { ...m.config, warmupPath: warmPath });
				runs[m.key].push(r);
				line.push(describe(m.key, r));
			}
			// the control holds as much JS heap as the node's process did
			const heapBytes = median(runs.node.map((r) => r.memory.heap0));
			const control = await run('plainHeap', { mode: 'plain', warmupPath: warmPath, retainHeapBytes: heapBytes });
			runs.plainHeap.push(control);
			line.push(describe('plainHeap', control));
			log(`    round ${i + 1}: ${line.join('; ')}; sha256 ok`);
		}
		const cold = { plain: [], node: [] };
		for (let i = 0; i < coldRepeats; i++) {
			const line = [];
			for (const key of i % 2 ? ['node', 'plain'] : ['plain', 'node']) {
				const r = await run(`cold ${key}`, { mode: key, warmupPath: coldPath });
				cold[key].push(r);
				line.push(describe(key, r));
			}
			log(`    cold ${i + 1}: ${line.join('; ')}; sha256 ok`);
		}

		const s = Object.fromEntries(Object.entries(runs).map(([k, list]) => [k, summary(list, size)]));
		const c = Object.fromEntries(Object.entries(cold).map(([k, list]) => [k, summary(list, size)]));
		return {
			sizeBytes: size,
			repeats,
			coldRepeats,
			warmupMiB: 64,
			coldWarmupMiB: 8,
			expectedSha256: expectedSha,
			shaVerified: true,
			...s,
			cold: c,
			// like for like: the copy in a process holding n8n, as the node always is
			ratioVsPlainInN8nProcess: round(s.plainInN8n.medianMs / s.node.medianMs),
			ratio: round(s.plain.medianMs / s.node.medianMs),
			plainHeapVsPlain: round(s.plain.medianMs / s.plainHeap.medianMs),
			plainInN8nVsPlain: round(s.plain.medianMs / s.plainInN8n.medianMs),
			cpuRatioVsPlainInN8nProcess: round(s.plainInN8n.medianCpuMs / s.node.medianCpuMs),
			targets: { ratio: 0.7, peakRssGrowthMiB: 64 },
		};
	} finally {
		await fake.close();
	}
}

module.exports = { benchDownload };
