'use strict';
/** Exercises the fake Pokee API over real HTTP, as clients will. */
const http = require('node:http');
const crypto = require('node:crypto');
const { startFakePokee, makeZip, expectedText, deckFile, DEFAULT_KEY: KEY } = require('./fakes/fakePokee');

const KEY2 = 'pk_other_fedcba9876543210';
const WEATHER = {
	type: 'function',
	name: 'get_weather',
	description: 'Look up current weather for a city.',
	parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};

let fake;
beforeAll(async () => {
	fake = await startFakePokee({ keys: [KEY, KEY2], deckMs: 150, maxSessions: 1000 });
});
afterAll(() => fake.close());
afterEach(() => fake.clearFaults());

// ----- helpers --------------------------------------------------------------------------------

function api(path, { method = 'GET', body, headers = {}, key = KEY, server = fake, signal } = {}) {
	const init = { method, headers: { ...(key && { authorization: `Bearer ${key}` }), ...headers }, signal };
	if (Buffer.isBuffer(body) || typeof body === 'string') init.body = body;
	else if (body !== undefined) {
		init.body = JSON.stringify(body);
		init.headers['content-type'] = 'application/json';
	}
	return fetch(server.baseUrl + path, init);
}

/** Raw request (fetch would normalise '..' and '%2e%2e' away). */
function rawRequest(path, { method = 'GET' } = {}) {
	return new Promise((resolve, reject) => {
		const req = http.request(`${fake.baseUrl}${path}`, { method, path, headers: { authorization: `Bearer ${KEY}` } }, (res) => {
			let text = '';
			res.on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text) }));
		});
		req.on('error', reject).end();
	});
}

/** A minimal SSE parser: blocks split on blank lines, CRLF tolerated, comments skipped. */
function parseSse(text) {
	const events = [];
	for (const block of text.replace(/\r\n?/g, '\n').split('\n\n')) {
		const ev = { id: undefined, event: 'message', data: [] };
		for (const line of block.split('\n')) {
			if (line === '' || line.startsWith(':')) continue;
			const i = line.indexOf(':');
			const field = i < 0 ? line : line.slice(0, i);
			const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
			if (field === 'id') ev.id = Number(value);
			else if (field === 'event') ev.event = value;
			else if (field === 'data') ev.data.push(value);
		}
		if (!ev.data.length) continue;
		ev.data = ev.data.join('\n');
		try {
			ev.json = JSON.parse(ev.data);
		} catch {
			ev.json = undefined;
		}
		events.push(ev);
	}
	return events;
}

/** Reads a body to its end (or to a transport error): {text, events, error}. */
async function readAll(res) {
	const decoder = new TextDecoder();
	let text = '';
	let error = null;
	try {
		for await (const chunk of res.body) text += decoder.decode(chunk, { stream: true });
	} catch (err) {
		error = err;
	}
	return { text, events: parseSse(text), error };
}

/** Reads the first `n` events (or until `until(ev)`), then drops the connection. */
async function readSome(res, ac, { n = Infinity, until = () => false } = {}) {
	const decoder = new TextDecoder();
	let buf = '';
	const got = [];
	const reader = res.body.getReader();
	while (got.length < n && !(got.length && until(got[got.length - 1]))) {
		const { value, done } = await reader.read();
		if (done) return got;
		buf += decoder.decode(value, { stream: true });
		let i;
		while ((i = buf.indexOf('\n\n')) >= 0 && got.length < n && !(got.length && until(got[got.length - 1]))) {
			got.push(...parseSse(buf.slice(0, i + 2)));
			buf = buf.slice(i + 2);
		}
	}
	ac.abort();
	return got;
}

const textOf = (events) => events.filter((e) => e.event === 'text.delta').map((e) => e.json?.content ?? '').join('');
const types = (events) => events.map((e) => e.event);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(fn, what = 'condition') {
	for (let i = 0; i < 1000; i++) {
		if (await fn()) return;
		await sleep(5);
	}
	throw new Error(`timed out waiting for ${what}`);
}

async function newSession(body = {}, server = fake) {
	const res = await api('/v1/sessions', { method: 'POST', body, server });
	expect(res.status).toBe(201);
	return res.json();
}
const send = (sid, message, opts = {}) => api(`/v1/sessions/${sid}/messages`, { method: 'POST', body: { message }, ...opts });
const getSession = async (sid) => (await api(`/v1/sessions/${sid}`)).json();
const sessionTurnUsage = async (server = fake) => (await (await api('/v1/usage', { server })).json()).rate_limit.buckets;

// ----- auth -----------------------------------------------------------------------------------

describe('auth', () => {
	test('/health needs no auth; everything else needs a configured bearer key', async () => {
		const health = await api('/health', { key: null });
		expect(health.status).toBe(200);
		expect(await health.json()).toEqual({ status: 'ok' });
		for (const key of [null, 'pk_acme_wrong']) {
			const res = await api('/v1/sessions', { key });
			expect(res.status).toBe(401);
			expect(await res.json()).toEqual({ error: 'unauthorized', message: expect.any(String) });
		}
		expect((await api('/v1/sessions', { key: KEY2 })).status).toBe(200);
		expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/sessions', headers: { authorization: `Bearer ${KEY2}` } });
	});
});

// ----- sessions ---------------------------------------------------------------------------------

describe('sessions', () => {
	test('create returns the full record with defaults, echoing model and tools', async () => {
		const s = await newSession();
		expect(s).toEqual({
			id: expect.stringMatching(/^sess_[0-9a-f]{12}$/),
			created_at: expect.any(Number),
			last_activity: s.created_at,
			busy: false,
			persistent: false,
			ttl: 14400,
			status: 'ready',
			metadata: {},
			file_access: { read: [''], write: [''] },
		});
		const t = await newSession({ persistent: true, ttl: 60, metadata: { a: 1 }, model: 'pokee-isaac', tools: [WEATHER] });
		expect(t).toMatchObject({ persistent: true, ttl: 60, metadata: { a: 1 }, model: 'pokee-isaac', tools: [WEATHER] });
		expect(fake.requests.at(-1).json).toMatchObject({ ttl: 60 });
	});

	test.each([
		['[]'],
		['not json'],
		[JSON.stringify({ ttl: -1 })],
		[JSON.stringify({ ttl: 1.5 })],
		[JSON.stringify({ metadata: [] })],
		[JSON.stringify({ persistent: 'yes' })],
		[JSON.stringify({ model: 'no-such-model' })],
		[JSON.stringify({ file_access: { read: ['../x'] } })],
	])('create rejects %s with 400', async (body) => {
		const res = await api('/v1/sessions', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({ error: 'bad_request', message: expect.any(String) });
	});

	test('get, list, delete; 404 after destroy and on repeat delete', async () => {
		const s = await newSession({ metadata: { k: 'v' } });
		expect(await getSession(s.id)).toEqual(s);
		const list = await (await api('/v1/sessions')).json();
		expect(Array.isArray(list) && list.some((x) => x.id === s.id)).toBe(true);
		expect((await api(`/v1/sessions/${s.id}`, { method: 'DELETE' })).status).toBe(204);
		expect((await api(`/v1/sessions/${s.id}`, { method: 'DELETE' })).status).toBe(404);
		const gone = await api(`/v1/sessions/${s.id}`);
		expect(gone.status).toBe(404);
		expect(await gone.json()).toEqual({ error: 'not_found', message: expect.any(String) });
	});

	test('bulk delete by status=idle and older_than; bad durations are 400', async () => {
		const f = await startFakePokee();
		try {
			const [a, , busy] = [await newSession({}, f), await newSession({}, f), await newSession({}, f)];
			const ac = new AbortController();
			await readSome(await api(`/v1/sessions/${busy.id}/messages`, { method: 'POST', body: { message: '#slow:2000' }, server: f, signal: ac.signal }), ac, { n: 1 });
			for (const bad of ['abc', '90', '1m1h', '']) {
				expect((await api(`/v1/sessions?older_than=${bad}`, { method: 'DELETE', server: f })).status).toBe(400);
			}
			for (const d of ['1h30m', '90s', '2h']) {
				expect(await (await api(`/v1/sessions?older_than=${d}`, { method: 'DELETE', server: f })).json()).toEqual({ deleted: 0 });
			}
			expect(f.sessions.get(busy.id).busy).toBe(true);
			expect(await (await api('/v1/sessions?status=idle&older_than=0s', { method: 'DELETE', server: f })).json()).toEqual({ deleted: 2 });
			expect([...f.sessions.keys()]).toEqual([busy.id]);
			expect(f.sessions.has(a.id)).toBe(false);
		} finally {
			await f.close();
		}
	});

	test('at most 10 concurrent sessions (429)', async () => {
		const f = await startFakePokee();
		try {
			for (let i = 0; i < 10; i++) await newSession({}, f);
			const res = await api('/v1/sessions', { method: 'POST', body: {}, server: f });
			expect(res.status).toBe(429);
			expect((await res.json()).error).toBe('rate_limited');
		} finally {
			await f.close();
		}
	});

	test('idle non-persistent sessions auto-destroy; expireSession and setMetadata hooks', async () => {
		const f = await startFakePokee({ idleDestroyMs: 30 });
		try {
			const temp = await newSession({}, f);
			const kept = await newSession({ persistent: true }, f);
			await sleep(60);
			expect((await api(`/v1/sessions/${temp.id}`, { server: f })).status).toBe(404);
			f.setMetadata(kept.id, { temasek_status: 'running' });
			expect((await (await api(`/v1/sessions/${kept.id}`, { server: f })).json()).metadata).toEqual({ temasek_status: 'running' });
			f.expireSession(kept.id);
			expect((await api(`/v1/sessions/${kept.id}`, { server: f })).status).toBe(404);
		} finally {
			await f.close();
		}
	});
});

// ----- turns ------------------------------------------------------------------------------------

describe('session turns', () => {
	test('a short turn: framing, ids, sequence numbers, text, usage, busy/last_activity', async () => {
		const s = await newSession();
		const res = await send(s.id, 'Hi there');
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('text/event-stream');
		const rid = res.headers.get('x-response-id');
		expect(rid).toMatch(/^msg_[0-9a-f]{24}$/);
		const { text, events, error } = await readAll(res);
		expect(error).toBeNull();
		expect(text.startsWith('id: 0\nevent: message.created\ndata: {')).toBe(true);
		expect(types(events)).toEqual(['message.created', 'text.start', 'text.delta', 'text.delta', 'text.delta', 'text.stop', 'message.completed']);
		events.forEach((e, i) => expect([e.id, e.json.sequence_number]).toEqual([i, i]));
		expect(events[0].json).toEqual({ id: rid, session_id: s.id, status: 'in_progress', sequence_number: 0 });
		expect(textOf(events)).toBe('Hello from Pokee.');
		expect(expectedText('Hi there')).toBe('Hello from Pokee.');
		expect(events.at(-1).json).toEqual({ id: rid, status: 'completed', usage: { input_tokens: 2, output_tokens: 3 }, sequence_number: 6 });
		const after = await getSession(s.id);
		expect(after.busy).toBe(false);
		expect(after.last_activity).toBeGreaterThanOrEqual(s.last_activity);
		expect(fake.turns.get(rid)).toMatchObject({ rid, sessionId: s.id, done: true, status: 'completed', idempotencyKey: null });
	});

	test('400 without a message, 404 for an unknown session', async () => {
		const s = await newSession();
		for (const body of [{}, { message: '' }, { message: 5 }]) {
			expect((await api(`/v1/sessions/${s.id}/messages`, { method: 'POST', body })).status).toBe(400);
		}
		expect((await send('sess_000000000000', 'hi')).status).toBe(404);
	});

	test.each([
		['#thinking', ['message.created', 'thinking.start', 'thinking.delta', 'thinking.delta', 'thinking.delta', 'thinking.stop', 'text.start', 'text.delta', 'text.delta', 'text.delta', 'text.stop', 'message.completed']],
		['#tools', ['message.created', 'tool_use.start', 'tool_use.input_delta', 'tool_use.input_delta', 'tool_use.executing', 'tool_use.stop', 'tool_result', 'text.start', 'text.delta', 'text.delta', 'text.delta', 'text.stop', 'message.completed']],
		['#unknown-events', ['message.created', 'agent.progress', 'text.start', 'text.delta', 'x.custom', 'text.delta', 'text.delta', 'text.stop', 'message.completed']],
		['#missing-fields', ['message.created', 'text.start', 'text.delta', 'text.delta', 'text.delta', 'text.delta', 'text.stop', 'message.completed']],
		['#error', ['message.created', 'text.delta', 'message.error']],
		['please #slow:5 now', ['message.created', 'text.start', 'text.delta', 'text.delta', 'text.delta', 'text.stop', 'message.completed']],
	])('script %s', async (message, expected) => {
		const s = await newSession();
		const { events } = await readAll(await send(s.id, message));
		expect(types(events)).toEqual(expected);
		expect(textOf(events)).toBe(expectedText(message));
		if (message === '#tools') {
			expect(events[4].json).toMatchObject({ name: 'web_search', id: 'toolu_1', input: { query: expect.any(String) } });
			expect(events[6].json).toMatchObject({ id: 'toolu_1', content: expect.any(String), is_error: false });
		}
		if (message === '#error') expect(events[2].json).toMatchObject({ error: 'Agent crashed: scripted failure' });
		if (message === '#missing-fields') expect(events[2].json).toEqual({ sequence_number: 2 });
	});

	test('#malformed sends one non-JSON data line, then normal events', async () => {
		const s = await newSession();
		const { events } = await readAll(await send(s.id, '#malformed'));
		expect(events[2]).toMatchObject({ id: 2, event: 'text.delta', json: undefined });
		expect(events.at(-1).event).toBe('message.completed');
		expect(textOf(events)).toBe('Hello from Pokee.');
	});

	test('#long: 200 deterministic multi-byte deltas', async () => {
		const s = await newSession();
		const { events } = await readAll(await send(s.id, 'go #long'));
		expect(events.filter((e) => e.event === 'text.delta')).toHaveLength(200);
		expect(textOf(events)).toBe(expectedText('#long'));
		expect(expectedText('#long')).toMatch(/é.*—.*🙂/);
	});

	test('#events:200000 streams every event in order', async () => {
		const s = await newSession();
		const res = await send(s.id, '#events:200000');
		const { text, error } = await readAll(res);
		expect(error).toBeNull();
		const ids = text.match(/^id: \d+$/gm);
		expect(ids).toHaveLength(200004);
		expect(ids.at(-1)).toBe('id: 200003');
		const content = [...text.matchAll(/"content":"(.)"/g)].map((m) => m[1]).join('');
		expect(content).toBe(expectedText('#events:200000'));
		expect(text.endsWith('"output_tokens":200000},"sequence_number":200003}\n\n')).toBe(true);
	});

	test('turns run detached: disconnect, then resume by Last-Event-ID or ?last_event_id', async () => {
		const s = await newSession();
		const ac = new AbortController();
		const res = await send(s.id, '#long', { signal: ac.signal });
		const rid = res.headers.get('x-response-id');
		const first = await readSome(res, ac, { n: 5 });
		expect(first.map((e) => e.id)).toEqual([0, 1, 2, 3, 4]);
		expect((await getSession(s.id)).busy).toBe(true);
		const resumed = await readAll(await api(`/v1/sessions/${s.id}/responses/${rid}/events`, { headers: { 'last-event-id': '4' } }));
		expect(resumed.events[0].id).toBe(5);
		expect(textOf([...first, ...resumed.events])).toBe(expectedText('#long'));
		expect(resumed.events.at(-1).event).toBe('message.completed');
		expect((await getSession(s.id)).busy).toBe(false);
		// query-string cursor, a cursor at the end, and no cursor (replay from 0)
		const byQuery = await readAll(await api(`/v1/sessions/${s.id}/responses/${rid}/events?last_event_id=200`));
		expect(byQuery.events.map((e) => e.id)).toEqual([201, 202, 203]); // ..., last delta, text.stop, completed
		expect((await readAll(await api(`/v1/sessions/${s.id}/responses/${rid}/events?last_event_id=203`))).events).toEqual([]);
		expect((await readAll(await api(`/v1/sessions/${s.id}/responses/${rid}/events`))).events).toHaveLength(204);
		// unknown rid, wrong session
		const other = await newSession();
		expect((await api(`/v1/sessions/${other.id}/responses/${rid}/events`)).status).toBe(404);
		expect((await api(`/v1/sessions/${s.id}/responses/msg_000000000000000000000000/events`)).status).toBe(404);
	});

	test('409 while busy; 402 in hard credit mode', async () => {
		const s = await newSession();
		const ac = new AbortController();
		const res = await send(s.id, '#slow:40', { signal: ac.signal });
		const busy = await send(s.id, 'again');
		expect(busy.status).toBe(409);
		expect(await busy.json()).toEqual({ error: 'session.busy', message: expect.any(String) });
		await readAll(res);
		fake.setCredits({ mode: 'hard', balance: 0 });
		try {
			const poor = await send(s.id, 'hi');
			expect(poor.status).toBe(402);
			expect((await poor.json()).error).toBe('insufficient_credits');
		} finally {
			fake.setCredits({ mode: 'soft', balance: 100000 });
		}
	});

	test('cancel: 202, message.cancelled is the last event, then already_complete; not billed', async () => {
		const s = await newSession();
		const before = (await sessionTurnUsage()).session_turn.windows[0].turns;
		const ac = new AbortController();
		const res = await send(s.id, '#slow:200', { signal: ac.signal });
		const rid = res.headers.get('x-response-id');
		await readSome(res, ac, { n: 2 });
		const cancel = await api(`/v1/sessions/${s.id}/responses/${rid}/cancel`, { method: 'POST' });
		expect(cancel.status).toBe(202);
		expect(await cancel.json()).toEqual({ response_id: rid, status: 'cancelling' });
		const turn = fake.turns.get(rid);
		const { events } = await readAll(await api(`/v1/sessions/${s.id}/responses/${rid}/events`));
		expect(events.at(-1).json).toEqual({ id: rid, status: 'cancelled', sequence_number: turn.events.length - 1 });
		expect(types(events).filter((t) => t.startsWith('message.') && t !== 'message.created')).toEqual(['message.cancelled']);
		expect((await getSession(s.id)).busy).toBe(false);
		const again = await api(`/v1/sessions/${s.id}/responses/${rid}/cancel`, { method: 'POST' });
		expect([again.status, await again.json()]).toEqual([200, { status: 'already_complete', response_id: rid }]);
		expect((await api(`/v1/sessions/${s.id}/responses/msg_nope/cancel`, { method: 'POST' })).status).toBe(404);
		expect((await sessionTurnUsage()).session_turn.windows[0].turns).toBe(before);
	});

	test('session tools: tool_call.requested pauses the turn until /tool_results', async () => {
		const s = await newSession({ tools: [WEATHER] });
		const url = `/v1/sessions/${s.id}/tool_results`;
		expect((await api(url, { method: 'POST', body: { call_id: 'call_x', output: 'x' } })).status).toBe(409);
		const ac = new AbortController();
		const res = await send(s.id, 'weather? #client-tool', { signal: ac.signal });
		const rid = res.headers.get('x-response-id');
		const got = await readSome(res, ac, { until: (e) => e.event === 'tool_call.requested' });
		const call = got.at(-1).json;
		expect(call).toEqual({ id: rid, call_id: expect.stringMatching(/^call_[0-9a-f]+$/), name: 'get_weather', arguments: '{"location":"example"}', sequence_number: 1 });
		expect((await getSession(s.id)).busy).toBe(true);
		expect((await api(url, { method: 'POST', body: { call_id: 'call_wrong', output: 'x' } })).status).toBe(404);
		expect((await api(url, { method: 'POST', body: { nope: 1 } })).status).toBe(400);
		const ok = await api(url, { method: 'POST', body: { tool_results: [{ call_id: call.call_id, output: '{"temp_c":18}' }] } });
		expect([ok.status, await ok.json()]).toEqual([200, { status: 'accepted' }]);
		const { events } = await readAll(await api(`/v1/sessions/${s.id}/responses/${rid}/events?last_event_id=1`));
		expect(textOf(events)).toBe('Tool result: {"temp_c":18}');
		expect(textOf(events)).toBe(expectedText('#client-tool', { toolOutput: '{"temp_c":18}' }));
		expect(events.at(-1).event).toBe('message.completed');
		// without session tools the turn fails
		const bare = await newSession();
		const failed = await readAll(await send(bare.id, '#client-tool'));
		expect(types(failed.events)).toEqual(['message.created', 'message.error']);
	});

	test('#deck writes progress metadata and an output/*.pptx before completing', async () => {
		const s = await newSession({ persistent: true });
		const seen = [];
		const res = await send(s.id, 'make a deck #deck');
		const reading = readAll(res);
		await waitFor(async () => {
			const rec = await getSession(s.id);
			if (rec.metadata.temasek_status && seen.at(-1) !== rec.metadata.temasek_status) seen.push(rec.metadata.temasek_status);
			return !rec.busy;
		}, 'deck');
		const { events } = await reading;
		expect(seen.at(-1)).toBe('done');
		expect(['outlining', 'rendering', 'done']).toEqual(expect.arrayContaining(seen));
		expect(textOf(events)).toBe(expectedText('#deck', { sessionId: s.id }));
		const deck = deckFile(s.id);
		const listing = await (await api(`/v1/sessions/${s.id}/files?path=output`)).json();
		expect(listing).toContainEqual({ name: deck.path.slice('output/'.length), type: 'file', size: deck.data.length, modified: expect.any(Number) });
		const dl = await api(`/v1/sessions/${s.id}/files/${deck.path}`);
		expect(dl.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.presentationml.presentation');
		expect(Buffer.from(await dl.arrayBuffer()).equals(deck.data)).toBe(true);
		expect(deck.data.length).toBeGreaterThan(40_000);
	});
});

// ----- idempotency and grace -------------------------------------------------------------------

describe('idempotency and resume grace', () => {
	test('same key + body replays the same turn from id 0; different body or session is 422', async () => {
		const s = await newSession();
		const headers = { 'idempotency-key': crypto.randomUUID() };
		const first = await send(s.id, 'hello', { headers });
		const rid = first.headers.get('x-response-id');
		const started = fake.turnsStarted;
		const a = await readAll(first);
		const replay = await send(s.id, 'hello', { headers });
		expect(replay.headers.get('x-response-id')).toBe(rid);
		expect((await readAll(replay)).text).toBe(a.text);
		expect(fake.turnsStarted).toBe(started);
		expect(fake.turns.get(rid).idempotencyKey).toBe(headers['idempotency-key']);
		const diffBody = await send(s.id, 'other', { headers });
		expect([diffBody.status, (await diffBody.json()).error]).toEqual([422, 'idempotency_mismatch']);
		const other = await newSession();
		expect((await send(other.id, 'hello', { headers })).status).toBe(422);
	});

	test('concurrent retries with one key start exactly one turn', async () => {
		const s = await newSession();
		const headers = { 'idempotency-key': crypto.randomUUID() };
		const started = fake.turnsStarted;
		const results = await Promise.all([1, 2, 3].map(() => send(s.id, '#slow:5', { headers })));
		expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
		expect(new Set(results.map((r) => r.headers.get('x-response-id'))).size).toBe(1);
		const bodies = await Promise.all(results.map(readAll));
		expect(bodies.map((b) => textOf(b.events))).toEqual(Array(3).fill('Hello from Pokee.'));
		expect(fake.turnsStarted).toBe(started + 1);
	});

	test('after the grace period: resume 404, idempotent retry answers "replayed" JSON', async () => {
		const f = await startFakePokee({ graceMs: 20 });
		try {
			const s = await newSession({}, f);
			const headers = { 'idempotency-key': 'k-1' };
			const res = await api(`/v1/sessions/${s.id}/messages`, { method: 'POST', body: { message: 'hi' }, headers, server: f });
			const rid = res.headers.get('x-response-id');
			await readAll(res);
			await sleep(50);
			expect((await api(`/v1/sessions/${s.id}/responses/${rid}/events`, { server: f })).status).toBe(404);
			const again = await api(`/v1/sessions/${s.id}/messages`, { method: 'POST', body: { message: 'hi' }, headers, server: f });
			expect(again.status).toBe(200);
			expect(again.headers.get('content-type')).toBe('application/json');
			expect(await again.json()).toEqual({ response_id: rid, status: 'replayed', note: expect.any(String) });
			expect(f.turnsStarted).toBe(1);
			expect((await api(`/v1/sessions/${s.id}/responses/${rid}/cancel`, { method: 'POST', server: f })).status).toBe(404);
		} finally {
			await f.close();
		}
	});
});

// ----- files ------------------------------------------------------------------------------------

describe('files', () => {
	let sid;
	beforeAll(async () => {
		sid = (await newSession()).id;
		fake.putFile('docs/readme.txt', 'hello world');
		fake.putFile('docs/sub/deep.md', '# deep');
	});
	const file = (p, opts) => api(`/v1/sessions/${sid}/files/${p}`, opts);

	test('listing (root, subdir, directory GET), 404 for unknown dirs and files', async () => {
		const root = await (await api(`/v1/sessions/${sid}/files`)).json();
		expect(root).toContainEqual({ name: 'docs', type: 'directory', size: 4096, modified: expect.any(Number) });
		const docs = await (await api(`/v1/sessions/${sid}/files?path=docs`)).json();
		expect(docs).toEqual([
			{ name: 'readme.txt', type: 'file', size: 11, modified: expect.any(Number) },
			{ name: 'sub', type: 'directory', size: 4096, modified: expect.any(Number) },
		]);
		expect(await (await file('docs/')).json()).toEqual(docs);
		expect((await api(`/v1/sessions/${sid}/files?path=nope`)).status).toBe(404);
		expect((await file('docs/missing.txt')).status).toBe(404);
	});

	test('download with content type, length and ranges (206/416)', async () => {
		const full = await file('docs/readme.txt');
		expect([full.status, full.headers.get('content-type'), full.headers.get('content-length'), full.headers.get('accept-ranges')]).toEqual([200, 'text/plain', '11', 'bytes']);
		expect(await full.text()).toBe('hello world');
		for (const [range, body, cr] of [
			['bytes=0-4', 'hello', 'bytes 0-4/11'],
			['bytes=6-', 'world', 'bytes 6-10/11'],
			['bytes=-5', 'world', 'bytes 6-10/11'],
			['bytes=6-99', 'world', 'bytes 6-10/11'],
		]) {
			const res = await file('docs/readme.txt', { headers: { range } });
			expect([res.status, res.headers.get('content-range'), await res.text()]).toEqual([206, cr, body]);
		}
		for (const range of ['bytes=11-', 'bytes=5-2', 'bytes=-0', 'bytes=abc', 'items=0-1', 'bytes=0-1,3-4']) {
			const res = await file('docs/readme.txt', { headers: { range } });
			expect([res.status, res.headers.get('content-range'), (await res.json()).error]).toEqual([416, 'bytes */11', 'range_not_satisfiable']);
		}
	});

	test('upload (201, overwrite), content type by extension, delete (204/404), conflicts', async () => {
		const put = await file('out/report.pptx', { method: 'PUT', body: Buffer.from([1, 2, 3]), headers: { 'content-type': 'application/octet-stream' } });
		expect([put.status, await put.json()]).toEqual([201, { path: 'out/report.pptx', size: 3, modified: expect.any(Number) }]);
		expect(fake.requests.at(-1).body).toEqual(Buffer.from([1, 2, 3]));
		expect((await file('out/report.pptx', { method: 'PUT', body: 'abcd' })).status).toBe(201);
		const get = await file('out/report.pptx');
		expect(get.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.presentationml.presentation');
		expect(await get.text()).toBe('abcd');
		expect(fake.files.get('out/report.pptx').data.toString()).toBe('abcd');
		expect((await file('out/report.pptx/x', { method: 'PUT', body: 'x' })).status).toBe(409);
		expect((await file('out', { method: 'PUT', body: 'x' })).status).toBe(409);
		expect((await file('out/report.pptx', { method: 'DELETE' })).status).toBe(204);
		expect((await file('out/report.pptx', { method: 'DELETE' })).status).toBe(404);
		expect((await file('x.weird', { method: 'PUT', body: 'x' })).status).toBe(201);
		expect((await file('x.weird')).headers.get('content-type')).toBe('application/octet-stream');
	});

	test('413 over maxUploadBytes', async () => {
		const f = await startFakePokee({ maxUploadBytes: 1000 });
		try {
			const s = await newSession({}, f);
			const res = await api(`/v1/sessions/${s.id}/files/big.bin`, { method: 'PUT', body: Buffer.alloc(1001), server: f });
			expect([res.status, (await res.json()).error]).toEqual([413, 'payload_too_large']);
			expect(f.files.size).toBe(0);
		} finally {
			await f.close();
		}
	});

	test('file_access scope: 403 outside it, write implies read, .sessions/{id} always writable', async () => {
		fake.putFile('shared/templates/t.txt', 'T');
		const s = await newSession({ file_access: { read: ['shared'], write: ['projects/acme/output'] } });
		const f = (p, opts) => api(`/v1/sessions/${s.id}/files/${p}`, opts);
		expect(await (await f('shared/templates/t.txt')).text()).toBe('T');
		const denied = await f('docs/readme.txt');
		expect([denied.status, await denied.json()]).toEqual([403, { error: 'forbidden', message: "'docs/readme.txt' not in session scope" }]);
		expect((await f('shared/new.txt', { method: 'PUT', body: 'x' })).status).toBe(403);
		expect((await f('docs/readme.txt', { method: 'DELETE' })).status).toBe(403);
		expect((await f('projects/acme/output/r.txt', { method: 'PUT', body: 'r' })).status).toBe(201);
		expect(await (await f('projects/acme/output/r.txt')).text()).toBe('r');
		expect((await f(`.sessions/${s.id}/notes.md`, { method: 'PUT', body: 'n' })).status).toBe(201);
		expect((await f('.sessions/sess_other/notes.md', { method: 'PUT', body: 'n' })).status).toBe(403);
		const root = (await (await api(`/v1/sessions/${s.id}/files`)).json()).map((e) => e.name);
		expect(root).toEqual(['.sessions', 'projects', 'shared']);
		expect((await api(`/v1/sessions/${s.id}/files?path=docs`)).status).toBe(403);
	});

	test.each(['../secret', '%2e%2e/secret', 'a/%2E%2E/b', 'a%2F..%2Fb', 'a%5Cb', 'a%00b', '/etc/passwd', '%2Fetc%2Fpasswd', 'a//b', 'bad%zz'])(
		'invalid path %s is 403',
		async (p) => {
			const res = await rawRequest(`/v1/sessions/${sid}/files/${p}`);
			expect(res).toEqual({ status: 403, json: { error: 'forbidden', message: 'invalid file path' } });
		},
	);

	test('?path=.. is 403 too', async () => {
		expect((await rawRequest(`/v1/sessions/${sid}/files?path=../x`)).status).toBe(403);
	});

	test('virtual large files stream deterministic bytes and support ranges', async () => {
		const size = 3 * 1024 * 1024 + 17;
		fake.putLargeFile('big/blob.bin', size);
		const res = await file('big/blob.bin');
		expect(res.headers.get('content-length')).toBe(String(size));
		const hash = crypto.createHash('sha256');
		for await (const chunk of res.body) hash.update(chunk);
		expect(hash.digest('hex')).toBe(fake.fileSha256('big/blob.bin'));
		const part = Buffer.from(await (await file('big/blob.bin', { headers: { range: 'bytes=1000000-1000009' } })).arrayBuffer());
		expect([...part]).toEqual(Array.from({ length: 10 }, (_, k) => ((1000000 + k) * 31 + 7) & 255));
		const data = fake.files.get('big/blob.bin').data;
		expect([data.size, data.byteAt(5)]).toEqual([size, (5 * 31 + 7) & 255]);
	});
});

// ----- skills -----------------------------------------------------------------------------------

describe('skills', () => {
	const skillMd = '---\nname: myskill\n---\nDoes things.\n';
	test('install, wrapped-dir stripping, list, replace, delete', async () => {
		const zip = makeZip([{ name: 'SKILL.md', data: skillMd }, { name: 'run.py', data: 'print(1)\n' }]);
		const res = await api('/v1/skills/myskill', { method: 'POST', body: zip, headers: { 'content-type': 'application/zip' } });
		expect([res.status, await res.json()]).toEqual([201, { name: 'myskill', files: ['SKILL.md', 'run.py'], total_bytes: skillMd.length + 9, skill_md_size: skillMd.length }]);
		const wrapped = makeZip(
			[
				{ name: 'other/', data: '' },
				{ name: 'other/SKILL.md', data: skillMd },
				{ name: 'other/lib/x.txt', data: 'x'.repeat(5000) },
			],
			{ deflate: true },
		);
		const res2 = await api('/v1/skills/other_2', { method: 'POST', body: wrapped });
		expect([res2.status, await res2.json()]).toEqual([201, { name: 'other_2', files: ['SKILL.md', 'lib/x.txt'], total_bytes: skillMd.length + 5000, skill_md_size: skillMd.length }]);
		const list = await (await api('/v1/skills')).json();
		expect(list).toEqual([
			{ name: 'myskill', skill_md_size: skillMd.length, modified: expect.any(Number) },
			{ name: 'other_2', skill_md_size: skillMd.length, modified: expect.any(Number) },
		]);
		expect((await api('/v1/skills/myskill', { method: 'POST', body: makeZip([{ name: 'SKILL.md', data: 'v2' }]) })).status).toBe(201);
		expect(fake.skills.get('myskill').files).toEqual(['SKILL.md']);
		expect((await api('/v1/skills/myskill', { method: 'DELETE' })).status).toBe(204);
		expect((await api('/v1/skills/myskill', { method: 'DELETE' })).status).toBe(404);
	});

	test.each([
		['Bad', makeZip([{ name: 'SKILL.md', data: 'x' }])],
		['custom-x', makeZip([{ name: 'SKILL.md', data: 'x' }])],
		['_x', makeZip([{ name: 'SKILL.md', data: 'x' }])],
		['traversal', makeZip([{ name: 'SKILL.md', data: 'x' }, { name: '../escape.txt', data: 'x' }])],
		['absolute', makeZip([{ name: 'SKILL.md', data: 'x' }, { name: '/etc/x', data: 'x' }])],
		['noskillmd', makeZip([{ name: 'README.md', data: 'x' }])],
		['garbage', Buffer.from('definitely not a zip file, no sir')],
	])('rejects %s with 400', async (name, body) => {
		const res = await api(`/v1/skills/${name}`, { method: 'POST', body });
		expect([res.status, (await res.json()).error]).toEqual([400, 'bad_request']);
		expect(fake.skills.has(name)).toBe(false);
	});
});

// ----- usage ------------------------------------------------------------------------------------

describe('usage', () => {
	test('counts completed turns per bucket; credits are debited', async () => {
		const f = await startFakePokee({ eventDelayMs: 0 });
		try {
			const s = await newSession({}, f);
			await readAll(await api(`/v1/sessions/${s.id}/messages`, { method: 'POST', body: { message: 'hi' }, server: f }));
			await readAll(await api(`/v1/sessions/${s.id}/messages`, { method: 'POST', body: { message: '#error' }, server: f }));
			await (await api('/v1/responses', { method: 'POST', body: { input: 'hi' }, server: f })).json();
			await readAll(await api('/v1/responses', { method: 'POST', body: { input: 'hi', stream: true }, server: f }));
			const usage = await (await api('/v1/usage', { server: f })).json();
			const turn = { turns: 1, max_turns: expect.any(Number), tokens: 4, max_tokens: expect.any(Number), enabled: true };
			expect(usage.rate_limit).toEqual({
				caller_id: 'default',
				buckets: {
					session_turn: { windows: [{ name: 'hour', duration_seconds: 3600, ...turn }, { name: 'day', duration_seconds: 86400, ...turn }] },
					response: { windows: [expect.objectContaining({ name: 'hour', turns: 2, tokens: 8 }), expect.objectContaining({ name: 'day', turns: 2 })] },
				},
			});
			expect(usage.credits).toEqual({ enabled: true, mode: 'soft', balance: expect.any(Number) });
			expect(usage.credits.balance).toBeLessThan(100000);
			f.setCredits({ mode: 'hard', balance: 0.5 });
			expect((await api('/v1/responses', { method: 'POST', body: { input: 'hi' }, server: f })).status).toBe(402);
		} finally {
			await f.close();
		}
	});
});

// ----- stateless /v1/responses ------------------------------------------------------------------

describe('stateless responses', () => {
	const post = (body, opts = {}) => api('/v1/responses', { method: 'POST', body, ...opts });

	test('non-streaming: response object, reasoning item, function_call, continuation', async () => {
		const res = await post({ input: 'Hi' });
		const rid = res.headers.get('x-response-id');
		expect(rid).toMatch(/^resp_[0-9a-f]{24}$/);
		const body = await res.json();
		expect(body).toMatchObject({ id: rid, object: 'response', status: 'completed', model: 'pokee-isaac-high-reasoning', usage: { input_tokens: 1, output_tokens: 3, total_tokens: 4 } });
		expect(body.output).toEqual([{ type: 'message', id: expect.any(String), role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hello from Pokee.', annotations: [] }] }]);
		const reasoned = await (await post({ input: '#long', reasoning: { effort: 'high' }, model: 'pokee-isaac' })).json();
		expect(reasoned.model).toBe('pokee-isaac');
		expect(reasoned.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
		expect(reasoned.output[1].content[0].text).toBe(expectedText('#long'));
		expect((await (await post({ input: 'Hi', reasoning: { effort: 'minimal' } })).json()).output.map((o) => o.type)).toEqual(['message']);
		const call = await (await post({ input: 'Use get_weather for Paris', tools: [WEATHER] })).json();
		expect(call.output).toEqual([{ type: 'function_call', id: expect.any(String), call_id: expect.any(String), name: 'get_weather', arguments: '{"location":"example"}', status: 'completed' }]);
		const nested = await (await post({ input: '#client-tool', tools: [{ type: 'function', function: WEATHER }] })).json();
		expect(nested.output[0].name).toBe('get_weather');
		const cont = await (
			await post({
				input: [
					{ role: 'user', content: 'Use get_weather for Paris' },
					{ type: 'function_call', call_id: call.output[0].call_id, name: 'get_weather', arguments: '{}' },
					{ type: 'function_call_output', call_id: call.output[0].call_id, output: '{"temp_c":18}' },
				],
				tools: [WEATHER],
			})
		).json();
		expect(cont.output[0].content[0].text).toBe('Tool result: {"temp_c":18}');
	});

	test.each([
		[{}],
		[{ input: 5 }],
		[{ input: 'x', tools: Array.from({ length: 129 }, (_, i) => ({ type: 'function', name: `t${i}` })) }],
		[{ input: 'x', tools: [{ type: 'function', name: 'n'.repeat(65) }] }],
		[{ input: 'x', reasoning: { effort: 'extreme' } }],
	])('400 for %j', async (body) => {
		expect((await post(body)).status).toBe(400);
	});

	test('streaming: response.created/deltas/completed with ids and sequence numbers', async () => {
		const res = await post({ input: 'Hi', stream: true });
		const rid = res.headers.get('x-response-id');
		const { events } = await readAll(res);
		expect(events[0]).toMatchObject({ id: 0, event: 'response.created', json: { type: 'response.created', id: rid, response: { id: rid, status: 'in_progress' } } });
		events.forEach((e, i) => expect([e.id, e.json.sequence_number, e.json.type]).toEqual([i, i, e.event]));
		expect(events.filter((e) => e.event === 'response.output_text.delta').map((e) => e.json.delta).join('')).toBe('Hello from Pokee.');
		expect(events.at(-1)).toMatchObject({ event: 'response.completed', json: { response: { id: rid, status: 'completed', output: [{ type: 'message' }] } } });
		const fc = await readAll(await post({ input: 'call get_weather', tools: [WEATHER], stream: true }));
		expect(types(fc.events)).toContain('response.function_call_arguments.delta');
		expect(fc.events.at(-1).json.response.output[0]).toMatchObject({ type: 'function_call', name: 'get_weather' });
	});

	test('streaming: resume (scoped to the caller), cancel, idempotency', async () => {
		const ac = new AbortController();
		const res = await post({ input: '#long', stream: true }, { signal: ac.signal });
		const rid = res.headers.get('x-response-id');
		await readSome(res, ac, { n: 6 });
		expect((await api(`/v1/responses/${rid}/events`, { key: KEY2 })).status).toBe(404);
		const resumed = await readAll(await api(`/v1/responses/${rid}/events`, { headers: { 'last-event-id': '5' } }));
		expect(resumed.events[0].id).toBe(6);
		expect(resumed.events.at(-1).event).toBe('response.completed');
		expect(resumed.events.at(-1).json.response.output[0].content[0].text).toBe(expectedText('#long'));

		const ac2 = new AbortController();
		const slow = await post({ input: '#slow:200', stream: true }, { signal: ac2.signal });
		const rid2 = slow.headers.get('x-response-id');
		await readSome(slow, ac2, { n: 3 });
		const cancel = await api(`/v1/responses/${rid2}/cancel`, { method: 'POST' });
		expect([cancel.status, await cancel.json()]).toEqual([202, { response_id: rid2, status: 'cancelling' }]);
		const tail = await readAll(await api(`/v1/responses/${rid2}/events`));
		expect(tail.events.at(-1)).toMatchObject({ event: 'response.cancelled', json: { id: rid2, response: { status: 'cancelled' } } });
		expect((await api(`/v1/responses/${rid2}/cancel`, { method: 'POST' })).status).toBe(200);

		const headers = { 'idempotency-key': crypto.randomUUID() };
		const one = await post({ input: 'Hi', stream: true }, { headers });
		await readAll(one);
		const started = fake.turnsStarted;
		const two = await post({ input: 'Hi', stream: true }, { headers });
		expect(two.headers.get('x-response-id')).toBe(one.headers.get('x-response-id'));
		expect((await readAll(two)).events[0].id).toBe(0);
		expect(fake.turnsStarted).toBe(started);
		expect((await post({ input: 'Bye', stream: true }, { headers })).status).toBe(422);
	});
});

// ----- faults -----------------------------------------------------------------------------------

describe('faults', () => {
	test('reset after processing: the turn started; an idempotent retry replays it', async () => {
		const s = await newSession();
		const started = fake.turnsStarted;
		fake.fault({ method: 'POST', path: /\/messages$/, kind: 'reset' });
		const headers = { 'idempotency-key': crypto.randomUUID() };
		await expect(send(s.id, 'hi', { headers })).rejects.toThrow();
		expect(fake.turnsStarted).toBe(started + 1);
		const retry = await send(s.id, 'hi', { headers });
		const { events } = await readAll(retry);
		expect(events[0].id).toBe(0);
		expect(textOf(events)).toBe('Hello from Pokee.');
		expect(fake.turns.get(retry.headers.get('x-response-id')).sessionId).toBe(s.id);
	});

	test('reset beforeProcessing: nothing happens', async () => {
		const s = await newSession();
		const started = fake.turnsStarted;
		fake.fault({ method: 'POST', path: /\/messages$/, kind: 'reset', beforeProcessing: true });
		await expect(send(s.id, 'hi')).rejects.toThrow();
		expect(fake.turnsStarted).toBe(started);
		expect((await getSession(s.id)).busy).toBe(false);
		expect(fake.requests.at(-2).path).toBe(`/v1/sessions/${s.id}/messages`); // received and logged
	});

	test('dropAfter on a send and on a resume; the turn keeps running', async () => {
		const s = await newSession();
		fake.fault({ method: 'POST', path: /\/messages$/, kind: 'dropAfter', events: 5 });
		const res = await send(s.id, '#long');
		const rid = res.headers.get('x-response-id');
		const first = await readAll(res);
		expect(first.error).not.toBeNull();
		expect(first.events.map((e) => e.id)).toEqual([0, 1, 2, 3, 4]);
		fake.fault({ path: /\/events$/, kind: 'dropAfter', events: 3 });
		const second = await readAll(await api(`/v1/sessions/${s.id}/responses/${rid}/events`, { headers: { 'last-event-id': '4' } }));
		expect(second.error).not.toBeNull();
		expect(second.events.map((e) => e.id)).toEqual([5, 6, 7]);
		const rest = await readAll(await api(`/v1/sessions/${s.id}/responses/${rid}/events`, { headers: { 'last-event-id': '7' } }));
		expect(textOf([...first.events, ...second.events, ...rest.events])).toBe(expectedText('#long'));
	});

	test('status faults with headers, consumed `times` times', async () => {
		fake.fault({ path: '/v1/usage', kind: 'status', status: 503, headers: { 'Retry-After': '1' }, times: 2 });
		fake.fault({ method: 'GET', path: /^\/v1\/skills$/, kind: 'status', status: 429, body: { error: 'rate_limited', message: 'slow down' } });
		for (let i = 0; i < 2; i++) {
			const res = await api('/v1/usage');
			expect([res.status, res.headers.get('retry-after'), (await res.json()).error]).toEqual([503, '1', 'service_unavailable']);
		}
		expect((await api('/v1/usage')).status).toBe(200);
		const limited = await api('/v1/skills');
		expect([limited.status, await limited.json()]).toEqual([429, { error: 'rate_limited', message: 'slow down' }]);
	});

	test('stall: headers and buffered events, then silence without closing', async () => {
		const s = await newSession();
		fake.fault({ path: /\/messages$/, kind: 'stall' });
		const ac = new AbortController();
		const res = await send(s.id, 'hi', { signal: ac.signal });
		const rid = res.headers.get('x-response-id');
		expect(res.status).toBe(200);
		await waitFor(() => fake.turns.get(rid).done, 'turn end');
		const reader = res.body.getReader();
		let text = '';
		const reading = (async () => {
			for (;;) {
				const { value, done } = await reader.read();
				if (done) return 'closed';
				text += Buffer.from(value).toString();
			}
		})().catch(() => 'aborted');
		await sleep(50);
		ac.abort();
		expect(await reading).toBe('aborted');
		expect(types(parseSse(text))).not.toContain('message.completed');
	});

	test.each([['random'], [1], [7]])('split every %s: bytes arrive in tiny chunks, even inside UTF-8', async (every) => {
		const s = await newSession();
		const message = every === 'random' ? '#long' : '#thinking';
		fake.fault({ path: /\/messages$/, kind: 'split', every });
		const res = await send(s.id, message);
		const chunks = [];
		for await (const c of res.body) chunks.push(Buffer.from(c));
		expect(chunks.length).toBeGreaterThan(50); // arrival coalesces some writes, but most stay tiny
		if (every === 1) expect(chunks.some((c) => c.toString('utf8').includes('\uFFFD'))).toBe(true); // cut inside a character
		const events = parseSse(Buffer.concat(chunks).toString('utf8'));
		expect(textOf(events)).toBe(expectedText(message));
		expect(events.at(-1).event).toBe('message.completed');
	});

	test('crlf framing and ": ping" comments', async () => {
		const s = await newSession();
		fake.fault({ path: /\/messages$/, kind: 'crlf' });
		const crlf = await readAll(await send(s.id, 'hi'));
		expect(crlf.text).toContain('id: 0\r\nevent: message.created\r\n');
		expect(textOf(crlf.events)).toBe('Hello from Pokee.');
		fake.fault({ path: /\/messages$/, kind: 'comments' });
		const pings = await readAll(await send(s.id, 'hi'));
		expect(pings.text.match(/^: ping$/gm).length).toBe(7);
		expect(types(pings.events)).toEqual(types(crlf.events));
	});

	test('noTerminal: the stream and the turn end cleanly without a terminal event', async () => {
		const s = await newSession();
		fake.fault({ path: /\/messages$/, kind: 'noTerminal' });
		const res = await send(s.id, 'hi');
		const rid = res.headers.get('x-response-id');
		const { events, error } = await readAll(res);
		expect(error).toBeNull();
		expect(types(events)).toEqual(['message.created', 'text.start', 'text.delta', 'text.delta', 'text.delta', 'text.stop']);
		expect(fake.turns.get(rid)).toMatchObject({ done: true, status: 'incomplete' });
		expect((await getSession(s.id)).busy).toBe(false);
	});
});
