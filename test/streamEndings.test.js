'use strict';
/**
 * Every SSE line ending (LF, CRLF, bare CR), with the terminal event in the last chunk or cut
 * into pieces across chunks, with and without a blank line after it, through the real path
 * (node in n8n's engine -> n8n's HTTP helpers -> the fake Pokee API): Message → Send, a Send
 * whose stream is resumed, Message → Resume and Response → Create streamed. A stream that
 * carried its terminal event must give the whole turn without reconnecting and without
 * cancelling anything.
 */
const http = require('node:http');
const { runNode } = require('./harness/n8n');
const { until } = require('./harness/wait');
const { expectedText, DEFAULT_KEY } = require('./fakes/fakePokee');
const { useFakePokee } = require('./harness/fakes');

const fake = useFakePokee({ eventDelayMs: 1, maxSessions: 1000 });

const pokee = (parameters, extra = {}) =>
	runNode({ type: 'pokee', parameters, credentials: { pokeeApi: { apiKey: DEFAULT_KEY, baseUrl: fake.baseUrl } }, ...extra });
const newSession = () => fake.createSession({ persistent: true }).id;
const sent = (method, pathPattern) => fake.requests.filter((r) => r.method === method && pathPattern.test(r.path));
const cancels = () => sent('POST', /\/cancel$/);


const ENDINGS = [
	['LF', '\n'],
	['CRLF', '\r\n'],
	['CR', '\r'],
];
const CHUNKINGS = [
	['the terminal event whole in the last chunk', undefined],
	['every byte its own chunk', 1],
	['chunks of 5 bytes', 5],
];
const CASES = [];
for (const [endingName, eol] of ENDINGS) {
	for (const finalBlank of [true, false]) {
		for (const [chunkName, split] of CHUNKINGS) {
			CASES.push({
				name: `${endingName}, ${finalBlank ? 'with' : 'without'} a final blank line, ${chunkName}`,
				fault: { kind: 'eol', eol, ...(finalBlank ? {} : { finalBlank: false }), ...(split ? { split } : {}) },
			});
		}
	}
}

/** The (id, type) pairs an unbroken stream of the turn gives. */
const truthOf = (rid) => fake.turns.get(rid).events.map((e, n) => [n, e.type]);

describe('the fake writes the framing it is asked for', () => {
	test.each(ENDINGS)('%s, and no blank line after the terminal event on request', async (_name, eol) => {
		const sid = newSession();
		for (const finalBlank of [true, false]) {
			fake.fault({ method: 'POST', path: /\/messages$/, kind: 'eol', eol, ...(finalBlank ? {} : { finalBlank: false }) });
			const raw = await new Promise((resolve, reject) => {
				const url = new URL(`${fake.baseUrl}/v1/sessions/${sid}/messages`);
				const req = http.request(url, {
					method: 'POST',
					headers: { authorization: `Bearer ${DEFAULT_KEY}`, 'content-type': 'application/json', accept: 'text/event-stream' },
				});
				req.on('response', (res) => {
					const chunks = [];
					res.on('data', (c) => chunks.push(c));
					res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
					res.on('error', reject);
				});
				req.on('error', reject);
				req.end(JSON.stringify({ message: 'hi' }));
			});
			const ending = /"sequence_number":\d+\}([\r\n]*)$/.exec(raw)[1];
			expect(ending).toBe(finalBlank ? eol + eol : eol);
			expect(raw).toContain(`id: 0${eol}event: message.created${eol}data: `);
			// no other line ending anywhere
			const others = ['\r\n', '\r', '\n'].filter((e) => e !== eol && !eol.includes(e));
			for (const other of others) expect(raw.replaceAll(eol, '')).not.toContain(other);
		}
	});
});

describe('Message → Send', () => {
	test.each(CASES)('$name', async ({ fault }) => {
		const sid = newSession();
		fake.fault({ method: 'POST', path: /\/messages$/, ...fault });
		const { items, error } = await pokee({
			resource: 'message',
			operation: 'send',
			sessionMode: 'existing',
			sessionId: sid,
			message: 'Say hello',
			options: { includeRawEvents: true },
		});
		expect(error).toBeUndefined();
		const out = items[0].json;
		expect(out).toMatchObject({ status: 'completed', text: 'Hello from Pokee.', session_id: sid });
		expect(out.events.map((e) => [e.id, e.event])).toEqual(truthOf(out.response_id));
		expect(sent('GET', /\/events$/)).toHaveLength(0); // no reconnection
		expect(cancels()).toHaveLength(0); // and nothing needlessly cancelled
	});

	test.each(CASES)('a dropped stream resumed with $name', async ({ fault }) => {
		const sid = newSession();
		fake.fault({ method: 'POST', path: /\/messages$/, kind: 'dropAfter', events: 40 });
		fake.fault({ method: 'GET', path: /\/events$/, ...fault });
		const { items, error } = await pokee({
			resource: 'message',
			operation: 'send',
			sessionMode: 'existing',
			sessionId: sid,
			message: '#long',
			options: { includeRawEvents: true },
		});
		expect(error).toBeUndefined();
		const out = items[0].json;
		expect(out.status).toBe('completed');
		expect(out.text).toBe(expectedText('#long'));
		expect(out.events.map((e) => [e.id, e.event])).toEqual(truthOf(out.response_id));
		const resumes = sent('GET', /\/events$/);
		expect(resumes).toHaveLength(1); // the one resume carried the end of the turn
		expect(resumes[0].headers['last-event-id']).toBe('39');
		expect(cancels()).toHaveLength(0);
	});
});

describe('Message → Resume', () => {
	test.each(CASES)('$name', async ({ fault }) => {
		const sid = newSession();
		const started = await pokee({
			resource: 'message',
			operation: 'send',
			sessionMode: 'existing',
			sessionId: sid,
			message: '#slow:5',
			waitForCompletion: false,
			options: {},
		});
		const rid = started.items[0].json.response_id;
		await until(() => fake.turns.get(rid).done, 'the detached turn');
		fake.clearRequests();
		fake.fault({ method: 'GET', path: /\/events$/, ...fault });
		const { items, error } = await pokee({
			resource: 'message',
			operation: 'resume',
			sessionId: sid,
			responseId: rid,
			options: { includeRawEvents: true },
		});
		expect(error).toBeUndefined();
		const out = items[0].json;
		expect(out).toMatchObject({ status: 'completed', text: 'Hello from Pokee.', response_id: rid });
		expect(out.events.map((e) => [e.id, e.event])).toEqual(truthOf(rid));
		expect(sent('GET', /\/events$/)).toHaveLength(1);
		expect(cancels()).toHaveLength(0);
	});
});

describe('Response → Create, streamed', () => {
	test.each(CASES)('$name', async ({ fault }) => {
		fake.fault({ method: 'POST', path: /^\/v1\/responses$/, ...fault });
		const { items, error } = await pokee({
			resource: 'response',
			operation: 'create',
			inputType: 'text',
			input: '#thinking',
			model: '',
			tools: '[]',
			reasoningEffort: 'minimal',
			stream: true,
			options: { includeRawEvents: true },
		});
		expect(error).toBeUndefined();
		const out = items[0].json;
		expect(out.status).toBe('completed');
		expect(out.text).toBe(expectedText('#thinking'));
		expect(out.events.map((e) => [e.id, e.event])).toEqual(truthOf(out.id));
		expect(sent('GET', /\/events$/)).toHaveLength(0);
		expect(cancels()).toHaveLength(0);
	});
});

describe('the decoder at the end of a body (readSse)', () => {
	const { PassThrough } = require('node:stream');
	const { readSse } = require('../nodes/Pokee/transport/sse');

	async function decode(pieces, { whole = false } = {}) {
		const seen = [];
		const onEvent = (e) => void seen.push([e.id, e.event, e.data]);
		if (whole) {
			await expect(readSse(pieces.join(''), onEvent)).resolves.toBe('ended');
			return seen;
		}
		const body = new PassThrough();
		const reading = readSse(body, onEvent);
		for (const piece of pieces) body.write(piece);
		body.end();
		await expect(reading).resolves.toBe('ended');
		return seen;
	}

	test.each([
		['CR, blank line', ['id: 1\revent: a\rdata: {}\r\r', 'id: 2\revent: b\rdata: {}\r\r']],
		['CR, no blank line', ['id: 1\revent: a\rdata: {}\r\r', 'id: 2\revent: b\rdata: {}\r']],
		['CR, the last CR alone in the last chunk', ['id: 1\revent: a\rdata: {}\r\r', 'id: 2\revent: b\rdata: {}\r', '\r']],
		['LF, no blank line', ['id: 1\nevent: a\ndata: {}\n\n', 'id: 2\nevent: b\ndata: {}\n']],
		['CRLF, no blank line, CR and LF in two chunks', ['id: 1\r\nevent: a\r\ndata: {}\r\n\r\n', 'id: 2\r\nevent: b\r\ndata: {}\r', '\n']],
		['LF, blank line', ['id: 1\nevent: a\ndata: {}\n\n', 'id: 2\nevent: b\ndata: {}\n\n']],
	])('%s: the last event is dispatched, once', async (_name, pieces) => {
		for (const whole of [false, true]) {
			expect(await decode(pieces, { whole })).toEqual([
				['1', 'a', '{}'],
				['2', 'b', '{}'],
			]);
		}
	});

	test('a last line cut off without any line ending is dropped, not dispatched half', async () => {
		for (const whole of [false, true]) {
			expect(await decode(['id: 1\revent: a\rdata: {}\r\r', 'id: 2\revent: b\rdata: {"content":"cut'], { whole })).toEqual([['1', 'a', '{}']]);
		}
	});
});
