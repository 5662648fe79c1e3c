'use strict';
/**
 * One stream-decoding measurement in a fresh process. config:
 *   {mode: 'node'|'bare', events, warmupEvents, baseUrl, apiKey, memory: bool}
 * 'node': Pokee → Message → Send through n8n's engine (test/harness) on `#events:N`.
 * 'bare': plain node:http POST of the same message, eventsource-parser + TextDecoder +
 *         JSON.parse of each data, text deltas collected: the minimum that yields the text.
 *         With n8nLoaded, in a process that loaded n8n's engine first (the node's heap).
 * Reports {ms, cpuMs (this process's CPU time in the timed part), events, textLength, textOk, memory}.
 */
const http = require('node:http');
const path = require('node:path');
const { ROOT, loadHarness, runWorker, newSession } = require('./common');
const { startProbe } = require('../lib/memory');
const { createParser } = require(require.resolve('eventsource-parser', { paths: [ROOT] }));
const { expectedText } = require(path.join(ROOT, 'test/fakes/fakePokee.js'));

/** The bare loop. Resolves {events, text}. */
function bare(baseUrl, apiKey, sessionId, message) {
	return new Promise((resolve, reject) => {
		const url = new URL(`${baseUrl}/v1/sessions/${sessionId}/messages`);
		const req = http.request(
			url,
			{
				method: 'POST',
				headers: {
					Authorization: `Bearer ${apiKey}`,
					'Content-Type': 'application/json',
					Accept: 'text/event-stream',
				},
			},
			(res) => {
				if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
				const parts = [];
				let events = 0;
				const decoder = new TextDecoder('utf-8');
				const parser = createParser({
					onEvent(ev) {
						events++;
						const data = JSON.parse(ev.data);
						if (ev.event === 'text.delta') parts.push(data.content);
					},
				});
				res.on('data', (chunk) => parser.feed(decoder.decode(chunk, { stream: true })));
				res.on('end', () => {
					parser.feed(decoder.decode());
					resolve({ events, text: parts.join('') });
				});
				res.on('error', reject);
			},
		);
		req.on('error', reject);
		req.end(JSON.stringify({ message }));
	});
}

async function viaNode(harness, baseUrl, apiKey, sessionId, message) {
	const { items, error } = await harness.runNode({
		type: 'pokee',
		parameters: { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId, message, options: {} },
		credentials: { pokeeApi: { apiKey, baseUrl } },
	});
	if (error) throw error;
	return { text: items[0].json.text };
}

runWorker(async ({ mode, events, warmupEvents = 20000, baseUrl, apiKey, memory = false, n8nLoaded = false }) => {
	// n8nLoaded: the bare loop in a process that loaded n8n (the node's heap), like for like
	const harness = mode === 'node' || n8nLoaded ? loadHarness() : undefined;
	const once = async (n) => {
		const sid = await newSession(baseUrl, apiKey);
		const message = `#events:${n}`;
		if (mode === 'node') return viaNode(harness, baseUrl, apiKey, sid, message);
		const out = await bare(baseUrl, apiKey, sid, message);
		// every event of the turn: message.created, text.start, N deltas, text.stop, message.completed
		if (out.events !== n + 4) throw new Error(`bare loop counted ${out.events} events, expected ${n + 4}`);
		return out;
	};
	if (warmupEvents) await once(warmupEvents); // JIT, lazy module loading, connection set-up
	const probe = startProbe({ intervalMs: memory ? 20 : 5, liveHeap: memory });
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	let out = await once(events);
	const ms = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	const mem = probe.stop();
	if (memory) {
		// what stays reachable once the run is over (the output text is still held here)
		await new Promise((r) => setTimeout(r, 500));
		global.gc();
		mem.retainedAfterGrowth = process.memoryUsage().heapUsed - mem.heap0;
	}
	const expected = expectedText(`#events:${events}`);
	const result = {
		mode,
		// the node does not report a count: every event of the turn, as the bare loop counted (checked above)
		events: mode === 'node' ? events + 4 : out.events,
		ms,
		cpuMs: (cpu.user + cpu.system) / 1000,
		textLength: out.text.length,
		textOk: out.text === expected,
		memory: mem,
	};
	out = null;
	return result;
});
