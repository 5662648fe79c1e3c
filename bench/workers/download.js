'use strict';
/**
 * One large-download measurement in a fresh process. config:
 *   {mode: 'node'|'plain', baseUrl, apiKey, sessionId, path, warmupPath, n8nLoaded, retainHeapBytes}
 * 'node':  Pokee → File → Download through n8n's engine into n8n's filesystem binary store.
 * 'plain': http.get of the same URL piped into fs.createWriteStream (stream.pipeline); with
 *          n8nLoaded, in a process that first loaded n8n and ran the node once; with
 *          retainHeapBytes, in a bare process that first fills its JS heap with that many bytes
 *          of small live objects (a control: n8n's heap size without n8n).
 * The subject first runs once on `warmupPath` (JIT, lazy modules, connection pool, and, when
 * that file is large enough, the process's first garbage-collection cycle of network buffers).
 * Peak RSS growth is sampled every 10 ms and read from the kernel (VmHWM). The stored file's
 * sha256 is computed after the timed part. Reports {ms, cpuMs, bytes, sha256, memory, gcCount}.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { pipeline } = require('node:stream/promises');
const { loadHarness, runWorker } = require('./common');
const { startProbe } = require('../lib/memory');

function fileUrl(baseUrl, sessionId, filePath) {
	return `${baseUrl}/v1/sessions/${encodeURIComponent(sessionId)}/files/${filePath.split('/').map(encodeURIComponent).join('/')}`;
}

async function plainCopy(url, apiKey, target) {
	await new Promise((resolve, reject) => {
		const req = http.get(url, { headers: { Authorization: `Bearer ${apiKey}` } }, (res) => {
			if (res.statusCode !== 200) {
				res.resume();
				return reject(new Error(`status ${res.statusCode}`));
			}
			pipeline(res, fs.createWriteStream(target)).then(resolve, reject);
		});
		req.on('error', reject);
	});
	return fs.statSync(target).size;
}

/** Keeps about `bytes` of small objects alive on the JS heap for the rest of the process. */
function retainHeap(bytes) {
	const keep = [];
	globalThis.__benchRetained = keep;
	let i = 0;
	while (process.memoryUsage().heapUsed < bytes) {
		for (let j = 0; j < 10000; j++, i++) keep.push({ id: i, name: `object ${i}`, tags: [i, i + 1] });
	}
}

/** Counts full (mark-compact) and young-generation garbage collections while it runs. */
function gcCounter() {
	const counts = { full: 0, young: 0 };
	const { PerformanceObserver, constants } = require('node:perf_hooks');
	const observer = new PerformanceObserver((list) => {
		for (const entry of list.getEntries()) {
			if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) counts.full++;
			else if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) counts.young++;
		}
	});
	observer.observe({ entryTypes: ['gc'] });
	return {
		stop: async () => {
			await new Promise((r) => setImmediate(r));
			observer.disconnect();
			return counts;
		},
	};
}

async function sha256Of(stream) {
	const hash = crypto.createHash('sha256');
	for await (const chunk of stream) hash.update(chunk);
	return hash.digest('hex');
}

runWorker(async ({ mode, baseUrl, apiKey, sessionId, path: filePath, warmupPath, n8nLoaded = false, retainHeapBytes = 0 }) => {
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-poke-bench-dl-'));
	process.env.N8N_USER_FOLDER = userFolder;
	try {
		let once;
		let read;
		if (mode === 'node') {
			const harness = loadHarness();
			const core = require(require.resolve('n8n-core', { paths: [path.resolve(__dirname, '../..')] }));
			const { Container } = require(
				require.resolve('@n8n/di', { paths: [path.dirname(require.resolve('n8n-core', { paths: [path.resolve(__dirname, '../..')] }))] }),
			);
			once = async (p) => {
				const { items, error } = await harness.runNode({
					type: 'pokee',
					parameters: { resource: 'file', operation: 'download', sessionId, path: p, binaryPropertyName: 'data' },
					credentials: { pokeeApi: { apiKey, baseUrl } },
				});
				if (error) throw error;
				const binary = items[0].binary.data;
				return { bytes: Number(binary.bytes ?? items[0].json.size), binary };
			};
			read = async ({ binary }) => {
				const service = Container.get(core.BinaryDataService);
				const sha = await sha256Of(await service.getAsStream(binary.id));
				return { sha, storedIn: binary.id.split(':')[0] };
			};
		} else {
			if (n8nLoaded) {
				// the same process state as the subject's: n8n loaded, the node run once
				const harness = loadHarness();
				const { error } = await harness.runNode({
					type: 'pokee',
					parameters: { resource: 'file', operation: 'download', sessionId, path: warmupPath, binaryPropertyName: 'data' },
					credentials: { pokeeApi: { apiKey, baseUrl } },
				});
				if (error) throw error;
			}
			if (retainHeapBytes) retainHeap(retainHeapBytes);
			let n = 0;
			once = async (p) => {
				const target = path.join(userFolder, `plain-${++n}.bin`);
				return { bytes: await plainCopy(fileUrl(baseUrl, sessionId, p), apiKey, target), target };
			};
			read = async ({ target }) => ({ sha: await sha256Of(fs.createReadStream(target)), storedIn: 'file' });
		}
		if (warmupPath) await once(warmupPath);
		const gc = gcCounter();
		const probe = startProbe({ intervalMs: 10 });
		const cpu0 = process.cpuUsage();
		const t0 = performance.now();
		const out = await once(filePath);
		const ms = performance.now() - t0;
		const cpu = process.cpuUsage(cpu0);
		const memory = probe.stop();
		const gcCount = await gc.stop();
		const { sha, storedIn } = await read(out);
		return { mode, ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes: out.bytes, sha256: sha, storedIn, memory, gcCount };
	} finally {
		fs.rmSync(userFolder, { recursive: true, force: true });
	}
});
