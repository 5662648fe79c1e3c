'use strict';
/**
 * Benchmark 2, large download: a 1 GiB virtual file through Pokee → File → Download into n8n's
 * filesystem binary store vs. a plain Node stream copy (http.get → fs.createWriteStream) of the
 * same URL, each in a fresh worker process (the fake in its own). The plain copy runs twice per
 * round: in a bare process, and in a process that loaded n8n and ran the node once (same heap
 * as the subject's, which matters: see the report). Peak RSS growth and the sha256 of what was
 * stored are checked on every run.
 */
const { startFakeProcess } = require('./fakeClient');
const { runWorkerProcess } = require('./worker');
const { median, round, MiB } = require('./stats');

const API_KEY = 'pk_acme_0123456789abcdef';

async function benchDownload({ size = 1024 ** 3, repeats = 3, log = console.log } = {}) {
	const fake = await startFakeProcess('pokee', { maxSessions: 100 });
	try {
		const sessionId = await fake.eval(`return (async () => {
			const r = await fetch(fake.baseUrl + '/v1/sessions', { method: 'POST', headers: { Authorization: 'Bearer ${API_KEY}', 'Content-Type': 'application/json' }, body: '{"persistent":true}' });
			return (await r.json()).id;
		})()`);
		const filePath = 'bench/large-1gib.bin';
		const warmupPath = 'bench/warmup-8mib.bin';
		await fake.call('putLargeFile', filePath, size);
		await fake.call('putLargeFile', warmupPath, 8 * MiB);
		const expectedSha = await fake.call('fileSha256', filePath);
		const base = { baseUrl: fake.baseUrl, apiKey: API_KEY, sessionId, path: filePath, warmupPath };
		const modes = [
			{ key: 'plain', config: { mode: 'plain' } },
			{ key: 'node', config: { mode: 'node' } },
			{ key: 'plainInN8n', config: { mode: 'plain', n8nLoaded: true } },
		];
		const runs = Object.fromEntries(modes.map((m) => [m.key, []]));
		for (let i = 0; i < repeats; i++) {
			const order = i % 2 ? [...modes].reverse() : modes;
			const line = [];
			for (const m of order) {
				const r = await runWorkerProcess('download', { ...base, ...m.config });
				if (r.bytes !== size) throw new Error(`${m.key}: ${r.bytes} bytes, expected ${size}`);
				if (r.sha256 !== expectedSha) throw new Error(`${m.key}: sha256 ${r.sha256} != ${expectedSha}`);
				runs[m.key].push(r);
				line.push(`${m.key} ${Math.round(r.ms)} ms, CPU ${Math.round(r.cpuMs)} ms, +${round(r.memory.peakRssGrowth / MiB, 1)} MiB RSS`);
			}
			log(`    round ${i + 1}: ${line.join(', ')}; sha256 ok`);
		}
		const summary = (key) => {
			const list = runs[key];
			const ms = median(list.map((r) => r.ms));
			const cpuMs = median(list.map((r) => r.cpuMs));
			return {
				medianMs: Math.round(ms),
				mibPerSecond: round(size / MiB / (ms / 1000), 0),
				medianCpuMs: Math.round(cpuMs),
				mibPerCpuSecond: round(size / MiB / (cpuMs / 1000), 0),
				samplesMs: list.map((r) => Math.round(r.ms)),
				peakRssGrowthMiB: round(Math.max(...list.map((r) => r.memory.peakRssGrowth)) / MiB, 1),
				peakRssGrowthMedianMiB: round(median(list.map((r) => r.memory.peakRssGrowth)) / MiB, 1),
				kernelPeak: list.every((r) => r.memory.kernelPeak),
				storedIn: list[0].storedIn,
			};
		};
		const plain = summary('plain');
		const node = summary('node');
		const plainInN8n = summary('plainInN8n');
		return {
			sizeBytes: size,
			repeats,
			expectedSha256: expectedSha,
			shaVerified: true,
			node,
			plain,
			plainInN8n,
			ratio: round(plain.medianMs / node.medianMs),
			ratioVsPlainInN8nProcess: round(plainInN8n.medianMs / node.medianMs),
			cpuRatio: round(plain.medianCpuMs / node.medianCpuMs),
			cpuRatioVsPlainInN8nProcess: round(plainInN8n.medianCpuMs / node.medianCpuMs),
			targets: { ratio: 0.7, peakRssGrowthMiB: 64 },
		};
	} finally {
		await fake.close();
	}
}

module.exports = { benchDownload };
