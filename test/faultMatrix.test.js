'use strict';
/**
 * Fault matrix: the Pokee and Poke nodes, run by n8n's real engine against the loopback fakes,
 * under many injected faults at once. Every case checks that nothing was lost or doubled
 * (outputs against unbroken runs, turns started and requests sent from the fakes' logs); test
 * names carry the case counts. No timing is asserted except orderings (a retry came after its
 * Retry-After; a time-limit cancel came after the limit) and a loose "did not hang" bound.
 */
const { runNode } = require('./harness/n8n');
const { allText } = require('./harness/secrets');
const { startFakePokee, expectedText, DEFAULT_KEY: POKEE_KEY } = require('./fakes/fakePokee');
const { startFakePoke } = require('./fakes/fakePoke');

/** Node timers may fire up to a loop iteration "early" against Date.now(): orderings allow this much. */
const TIMER_SLACK_MS = 15;

let instant; // Pokee fake whose scripts run without delays: whole turns are buffered at once
let live; // Pokee fake with 1 ms between events: faults hit turns that are still running
let poke; // Poke fake
let hook; // a webhook registered directly on the Poke fake (never through the node)

/** Every output and error of the matrix, scanned for secrets by the last test. */
const collected = [];
/** Secrets that must never show up in `collected`. */
const secrets = new Set([POKEE_KEY]);

beforeAll(async () => {
	instant = await startFakePokee({ eventDelayMs: 0, maxSessions: 1000 });
	live = await startFakePokee({ eventDelayMs: 1, maxSessions: 1000 });
	poke = await startFakePoke();
	secrets.add(poke.v2Key).add(poke.v1Key);
	const res = await fetch(`${poke.apiUrl}/api-keys/webhook`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${poke.v2Key}`, 'Content-Type': 'application/json' },
		body: JSON.stringify({ condition: 'fault matrix', action: 'count' }),
	});
	hook = await res.json();
	secrets.add(hook.webhookToken);
});

afterAll(async () => {
	await Promise.all([instant.close(), live.close(), poke.close()]);
});

beforeEach(() => {
	for (const fake of [instant, live]) {
		fake.clearFaults();
		fake.clearRequests();
	}
	poke.reset();
});

// ---------------------------------------------------------------------------------------------
// Helpers

/** mulberry32: a small seeded PRNG, so every run injects the same faults. */
function prng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Runs `tasks` (functions returning promises) `limit` at a time; resolves with their results in order. */
async function pool(tasks, limit) {
	const results = new Array(tasks.length);
	let next = 0;
	const worker = async () => {
		while (next < tasks.length) {
			const i = next++;
			results[i] = await tasks[i]();
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
	return results;
}

const pokeeCreds = (fake, over = {}) => ({ pokeeApi: { apiKey: POKEE_KEY, baseUrl: fake.baseUrl, ...over } });
const pokeCreds = (over = {}) => ({ pokeApi: { apiKey: poke.v2Key, baseUrl: poke.apiUrl, ...over } });

/** Runs a node through the harness and keeps what came out for the secrets check. */
async function run(type, parameters, { fake = instant, credentials, ...extra } = {}) {
	const result = await runNode({
		type,
		parameters,
		credentials: credentials ?? (type === 'poke' ? pokeCreds() : pokeeCreds(fake)),
		...extra,
	});
	collected.push({ items: result.items, error: result.error });
	return result;
}

const send = (fake, sessionId, message, { options = {}, params = {}, ...extra } = {}) =>
	run('pokee', { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId, message, options, ...params }, { fake, ...extra });

/** A persistent session, made in the fake directly: nothing in its request log. */
async function newSession(fake) {
	return fake.createSession({ persistent: true }).id;
}

const of = (fake, method, pattern) => fake.requests.filter((r) => r.method === method && pattern.test(r.path));
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const messagesPath = (sid) => new RegExp(`^/v1/sessions/${esc(sid)}/messages$`);
const eventsPath = (sid) => new RegExp(`^/v1/sessions/${esc(sid)}/responses/[^/]+/events$`);
const cancelPath = (sid) => new RegExp(`^/v1/sessions/${esc(sid)}/responses/[^/]+/cancel$`);
const turnsOf = (fake, sid) => [...fake.turns.values()].filter((t) => t.sessionId === sid);

/** What an output says about the turn's events: [id, type] pairs, in order. */
const eventKeys = (out) => out.events.map((e) => [e.id, e.event]);

// ---------------------------------------------------------------------------------------------

describe('fault matrix', () => {
	test('100 mid-stream connection drops at random points (25 with a second drop on the resume) → 100 outputs identical to unbroken runs', async () => {
		const rand = prng(0x5eed0001);
		const scripts = [
			{ name: '#long on a finished buffer', fake: instant, message: '#long' },
			{ name: '#events:500 on a finished buffer', fake: instant, message: '#events:500' },
			{ name: '#long while the turn runs', fake: live, message: '#long' },
		];
		// the unbroken runs the faulted ones must equal
		for (const s of scripts) {
			const sid = await newSession(s.fake);
			const { items, error } = await send(s.fake, sid, s.message, { options: { includeRawEvents: true } });
			expect(error).toBeUndefined();
			expect(of(s.fake, 'GET', eventsPath(sid))).toHaveLength(0);
			s.reference = { text: items[0].json.text, events: eventKeys(items[0].json) };
			expect(s.reference.text).toBe(expectedText(s.message));
			expect(s.reference.events.map(([id]) => id)).toEqual(s.reference.events.map((_, n) => n));
		}

		const cases = [];
		for (let i = 0; i < 100; i++) {
			const script = i % 10 === 9 ? scripts[2] : scripts[i % 2];
			const total = script.reference.events.length;
			const k = 1 + Math.floor(rand() * (total - 1)); // events delivered before the drop: 1 … total-1
			const rest = total - k; // events the resume has to deliver
			const k2 = i % 4 === 3 && rest > 1 ? 1 + Math.floor(rand() * (rest - 1)) : undefined;
			cases.push({ script, k, k2, sid: await newSession(script.fake) });
		}

		const outcomes = await pool(
			cases.map((c) => async () => {
				const { fake } = c.script;
				fake.fault({ method: 'POST', path: messagesPath(c.sid), kind: 'dropAfter', events: c.k });
				if (c.k2) fake.fault({ method: 'GET', path: eventsPath(c.sid), kind: 'dropAfter', events: c.k2 });
				const { items, error } = await send(fake, c.sid, c.script.message, { options: { includeRawEvents: true } });
				return { c, items, error };
			}),
			10,
		);

		let drops = 0;
		for (const { c, items, error } of outcomes) {
			const { fake, reference } = c.script;
			const label = `${c.script.name}, drop after ${c.k}${c.k2 ? ` then ${c.k2}` : ''}`;
			expect({ label, error }).toEqual({ label, error: undefined });
			const out = items[0].json;
			expect({ label, status: out.status, text: out.text }).toEqual({ label, status: 'completed', text: reference.text });
			expect(eventKeys(out)).toEqual(reference.events); // nothing lost, nothing doubled, same order
			expect(of(fake, 'POST', messagesPath(c.sid))).toHaveLength(1);
			const resumes = of(fake, 'GET', eventsPath(c.sid));
			expect(resumes).toHaveLength(c.k2 ? 2 : 1);
			expect(resumes[0].headers['last-event-id']).toBe(String(c.k - 1));
			if (c.k2) expect(resumes[1].headers['last-event-id']).toBe(String(c.k + c.k2 - 1));
			expect(turnsOf(fake, c.sid)).toHaveLength(1);
			drops += resumes.length;
		}
		expect(outcomes).toHaveLength(100);
		expect(drops).toBe(125);
	}, 120_000);

	test('20 drops at random points of stateless streamed responses (/v1/responses) → 20 outputs identical to an unbroken run', async () => {
		const rand = prng(0x5eed0002);
		const create = (fake) =>
			run(
				'pokee',
				{ resource: 'response', operation: 'create', inputType: 'text', input: '#long', model: '', tools: '[]', reasoningEffort: 'minimal', stream: true, options: { includeRawEvents: true } },
				{ fake },
			);
		const unbroken = await create(instant);
		expect(unbroken.error).toBeUndefined();
		const reference = { text: unbroken.items[0].json.text, events: eventKeys(unbroken.items[0].json) };
		expect(reference.text).toBe(expectedText('#long'));
		const total = reference.events.length;

		let done = 0;
		for (let i = 0; i < 20; i++) {
			// the fault queue is matched by path, and /v1/responses is shared: one case at a time
			const fake = i % 4 === 3 ? live : instant;
			fake.clearRequests();
			const k = 1 + Math.floor(rand() * (total - 1));
			fake.fault({ method: 'POST', path: '/v1/responses', kind: 'dropAfter', events: k });
			const { items, error } = await create(fake);
			expect({ k, error }).toEqual({ k, error: undefined });
			const out = items[0].json;
			expect({ k, status: out.status, text: out.text }).toEqual({ k, status: 'completed', text: reference.text });
			expect(eventKeys(out)).toEqual(reference.events);
			expect(of(fake, 'POST', /^\/v1\/responses$/)).toHaveLength(1);
			const resumes = of(fake, 'GET', /^\/v1\/responses\/[^/]+\/events$/);
			expect(resumes).toHaveLength(1);
			expect(resumes[0].headers['last-event-id']).toBe(String(k - 1));
			done++;
		}
		expect(done).toBe(20);
	}, 60_000);

	test('50 connection resets before the response headers (1–3 per send, half before processing) → exactly 50 turns started, 50 complete outputs', async () => {
		const before = instant.turnsStarted;
		const cases = [];
		for (let i = 0; i < 50; i++) {
			const resets = i % 10 === 9 ? 3 : i % 10 === 4 ? 2 : 1;
			cases.push({ resets, beforeProcessing: i % 2 === 1, sid: await newSession(instant) });
		}
		const outcomes = await pool(
			cases.map((c) => async () => {
				instant.fault({ method: 'POST', path: messagesPath(c.sid), kind: 'reset', beforeProcessing: c.beforeProcessing, times: c.resets });
				const { items, error } = await send(instant, c.sid, '#long');
				return { c, items, error };
			}),
			25,
		);
		for (const { c, items, error } of outcomes) {
			expect(error).toBeUndefined();
			expect(items[0].json).toMatchObject({ status: 'completed', text: expectedText('#long') });
			const posts = of(instant, 'POST', messagesPath(c.sid));
			expect(posts).toHaveLength(c.resets + 1);
			expect(new Set(posts.map((p) => p.headers['idempotency-key'])).size).toBe(1);
			expect(turnsOf(instant, c.sid)).toHaveLength(1);
		}
		expect(outcomes).toHaveLength(50);
		expect(instant.turnsStarted - before).toBe(50);
	}, 120_000);

	test('11 rate-limit and server-error cases: Retry-After honoured (seconds and HTTP date), 5xx retried only when safe and bounded, then a clear error', async () => {
		const gap = (reqs) => reqs[1].at - reqs[0].at;
		const pokeeLane = async () => {
			// 1. GET usage, 429 Retry-After: 1
			instant.fault({ method: 'GET', path: '/v1/usage', kind: 'status', status: 429, headers: { 'Retry-After': '1' } });
			const a = await run('pokee', { resource: 'usage', operation: 'get' });
			expect(a.error).toBeUndefined();
			const aReqs = of(instant, 'GET', /^\/v1\/usage$/);
			expect(aReqs).toHaveLength(2);
			expect(gap(aReqs)).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS);
			instant.clearRequests();

			// 2. GET usage, 429 with an HTTP-date Retry-After two seconds ahead
			const date = new Date(Date.now() + 2000).toUTCString();
			instant.fault({ method: 'GET', path: '/v1/usage', kind: 'status', status: 429, headers: { 'Retry-After': date } });
			const b = await run('pokee', { resource: 'usage', operation: 'get' });
			expect(b.error).toBeUndefined();
			const bReqs = of(instant, 'GET', /^\/v1\/usage$/);
			expect(bReqs).toHaveLength(2);
			expect(bReqs[1].at).toBeGreaterThanOrEqual(Date.parse(date) - TIMER_SLACK_MS);
			instant.clearRequests();

			// 3. GET usage, 503 on every attempt: 1 + 3 retries, then the API's message
			instant.fault({ method: 'GET', path: '/v1/usage', kind: 'status', status: 503, times: 10 });
			const c = await run('pokee', { resource: 'usage', operation: 'get' });
			expect(of(instant, 'GET', /^\/v1\/usage$/)).toHaveLength(4);
			expect(c.error.message).toBe('Pokee API error (503): injected 503');
			expect(c.error.description).toMatch(/Failed after 4 attempts/);
			instant.clearFaults();
			instant.clearRequests();

			// 4. GET usage, 429 on every attempt with Retry-After: 0 → bounded, then "rate limited"
			instant.fault({ method: 'GET', path: '/v1/usage', kind: 'status', status: 429, headers: { 'Retry-After': '0' }, times: 10 });
			const d = await run('pokee', { resource: 'usage', operation: 'get' });
			expect(of(instant, 'GET', /^\/v1\/usage$/)).toHaveLength(4);
			expect(d.error.message).toMatch(/^Pokee API error \(429\): /);
			expect(d.error.description).toMatch(/Still rate limited after 4 attempts/);
			instant.clearFaults();
		};
		const sendLane = async () => {
			// 5. Send (POST with Idempotency-Key), 429 Retry-After: 1 → one turn, complete
			const sid = await newSession(live);
			const before = live.turnsStarted;
			live.fault({ method: 'POST', path: messagesPath(sid), kind: 'status', status: 429, headers: { 'Retry-After': '1' } });
			const e = await send(live, sid, 'hello');
			expect(e.error).toBeUndefined();
			expect(e.items[0].json.text).toBe(expectedText('hello'));
			const eReqs = of(live, 'POST', messagesPath(sid));
			expect(eReqs).toHaveLength(2);
			expect(gap(eReqs)).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS);
			expect(live.turnsStarted - before).toBe(1);

			// 6. Send, 500 on every attempt: safe to repeat (same key) → 4 attempts, no turn, clear error
			const sid2 = await newSession(live);
			live.fault({ method: 'POST', path: messagesPath(sid2), kind: 'status', status: 500, times: 10 });
			const f = await send(live, sid2, 'hello');
			expect(of(live, 'POST', messagesPath(sid2))).toHaveLength(4);
			expect(f.error.message).toBe('Pokee API error (500): injected 500');
			expect(turnsOf(live, sid2)).toHaveLength(0);

			// 7. Session create (POST without a key), 502 → not repeated
			const creates = () => of(live, 'POST', /^\/v1\/sessions$/).length;
			const createsBefore = creates();
			live.fault({ method: 'POST', path: '/v1/sessions', kind: 'status', status: 502 });
			const g = await run('pokee', { resource: 'session', operation: 'create', sessionOptions: {} }, { fake: live });
			expect(creates() - createsBefore).toBe(1);
			expect(g.error.message).toBe('Pokee API error (502): injected 502');
		};
		const pokeLane = async () => {
			// 8. Poke message, 429 Retry-After: 1
			poke.fault({ path: /\/inbound\/api-message$/, kind: 'status', status: 429, headers: { 'Retry-After': '1' } });
			const h = await run('poke', { resource: 'message', operation: 'send', message: 'x' });
			expect(h.error).toBeUndefined();
			const hReqs = poke.requests.filter((r) => r.path.endsWith('/inbound/api-message'));
			expect(hReqs).toHaveLength(2);
			expect(gap(hReqs)).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS);
			expect(poke.messages).toHaveLength(1);

			// 9. Webhook fire, 429 Retry-After: 1 → delivered once
			poke.fault({ path: /\/inbound\/webhook$/, kind: 'status', status: 429, headers: { 'Retry-After': '1' } });
			const fire = (options = {}) =>
				run('poke', {
					resource: 'webhook',
					operation: 'fire',
					webhookUrl: hook.webhookUrl,
					webhookToken: hook.webhookToken,
					dataSource: 'parameter',
					data: '{"event":"matrix"}',
					options,
				});
			const i = await fire();
			expect(i.error).toBeUndefined();
			const iReqs = poke.requests.filter((r) => r.path.endsWith('/inbound/webhook'));
			expect(iReqs).toHaveLength(2);
			expect(gap(iReqs)).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS);
			expect(poke.deliveries).toHaveLength(1);
			poke.reset();

			// 10. Webhook fire with Retry on Server Errors, 503 on every attempt → 4 attempts, clear error
			poke.fault({ path: /\/inbound\/webhook$/, kind: 'status', status: 503, body: { error: 'down' }, times: 10 });
			const j = await fire({ retryServerErrors: true });
			expect(poke.requests).toHaveLength(4);
			expect(j.error.message).toBe('Poke webhook API error (503): down');
			expect(j.error.description).toMatch(/Failed after 4 attempts/);
			expect(poke.deliveries).toHaveLength(0);
			poke.reset();

			// 11. Poke message without the option, 500 → sent once (it may have been delivered)
			poke.fault({ path: /\/inbound\/api-message$/, kind: 'status', status: 500, body: { error: 'boom' } });
			const k = await run('poke', { resource: 'message', operation: 'send', message: 'x' });
			expect(poke.requests).toHaveLength(1);
			expect(k.error.message).toBe('Poke API error (500): boom');
		};
		await Promise.all([pokeeLane(), sendLane(), pokeLane()]);
	}, 120_000);

	test('webhook fan-out, 100 items at concurrency 8 through 12 resets and 12 × 503 (Retry on Server Errors) → 100 deliveries, exactly once each, in order', async () => {
		// 24 faults can at worst all hit the first 8 items: 3 failures each, within the 1 + 3 attempts
		poke.fault({ path: /\/inbound\/webhook$/, kind: 'reset', times: 12 });
		poke.fault({ path: /\/inbound\/webhook$/, kind: 'status', status: 503, body: { error: 'busy' }, times: 12 });
		const items = Array.from({ length: 100 }, (_, n) => ({ json: { n, event: 'matrix' } }));
		const { items: out, error } = await run(
			'poke',
			{
				resource: 'webhook',
				operation: 'fire',
				webhookUrl: hook.webhookUrl,
				webhookToken: hook.webhookToken,
				dataSource: 'item',
				options: { concurrency: 8, retryServerErrors: true },
			},
			{ items },
		);
		expect(error).toBeUndefined();
		expect(out.map((i) => i.pairedItem.item)).toEqual(items.map((_, n) => n));
		expect(out.every((i) => i.json.success === true)).toBe(true);
		expect(poke.requests).toHaveLength(124);
		expect(poke.deliveries.map((d) => d.body.n).sort((a, b) => a - b)).toEqual(items.map((_, n) => n));
	}, 60_000);

	test('5 stalled streams → a clear time-limit error after the limit, the turn cancelled on the server (or left running when asked)', async () => {
		const limit = { timeLimit: 1 };
		const timeoutMessage = 'The turn did not finish within the time limit of 1 s (item 0)';
		const started = Date.now();

		// `t0`: just before the item starts; the node's time limit runs from the start of the item
		const timed = async (fake, sid, runIt) => {
			const t0 = Date.now();
			return { sid, fake, t0, result: await runIt() };
		};
		const stallOnSend = async () => {
			const sid = await newSession(live);
			live.fault({ method: 'POST', path: messagesPath(sid), kind: 'stall' });
			return timed(live, sid, () => send(live, sid, '#slow:400', { options: limit }));
		};
		const stallOnResume = async () => {
			const sid = await newSession(live);
			live.fault({ method: 'POST', path: messagesPath(sid), kind: 'dropAfter', events: 2 });
			live.fault({ method: 'GET', path: eventsPath(sid), kind: 'stall' });
			return timed(live, sid, () => send(live, sid, '#slow:400', { options: limit }));
		};
		const stallOnResumeOperation = async () => {
			const sid = await newSession(live);
			const detached = await send(live, sid, '#slow:400', { params: { waitForCompletion: false } });
			live.fault({ method: 'GET', path: eventsPath(sid), kind: 'stall' });
			const parameters = { resource: 'message', operation: 'resume', sessionId: sid, responseId: detached.items[0].json.response_id, options: limit };
			return timed(live, sid, () => run('pokee', parameters, { fake: live }));
		};
		const noCancel = async () => {
			const sid = await newSession(instant);
			instant.fault({ method: 'POST', path: messagesPath(sid), kind: 'stall' });
			// #slow on the instant fake still waits its N ms per event
			return { sid, fake: instant, result: await send(instant, sid, '#slow:400', { options: { ...limit, cancelOnTimeout: false } }) };
		};
		const stallStateless = async () => {
			instant.fault({ method: 'POST', path: '/v1/responses', kind: 'stall' });
			const result = await run('pokee', {
				resource: 'response',
				operation: 'create',
				inputType: 'text',
				input: '#slow:400',
				model: '',
				tools: '[]',
				reasoningEffort: 'minimal',
				stream: true,
				options: limit,
			});
			return { fake: instant, result };
		};

		const [a, b, c, d, e] = await Promise.all([stallOnSend(), stallOnResume(), stallOnResumeOperation(), noCancel(), stallStateless()]);
		expect(Date.now() - started).toBeLessThan(20_000); // did not hang (a loose bound, not a benchmark)

		for (const { sid, fake, t0, result } of [a, b, c]) {
			expect(result.error.name).toBe('NodeOperationError');
			expect(result.error.message).toBe(timeoutMessage);
			expect(result.error.description).toMatch(/cancelled on the server/);
			const cancels = of(fake, 'POST', cancelPath(sid));
			expect(cancels).toHaveLength(1);
			expect(cancels[0].at - t0).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS);
			const [turn] = turnsOf(fake, sid);
			expect(turn.status).toBe('cancelled');
			expect(turn.events.at(-1).type).toBe('message.cancelled');
		}
		expect(b.fake.requests.filter((r) => eventsPath(b.sid).test(r.path))[0].headers['last-event-id']).toBe('1');

		expect(d.result.error.message).toBe(timeoutMessage);
		expect(d.result.error.description).not.toMatch(/cancel/i);
		expect(of(instant, 'POST', cancelPath(d.sid))).toHaveLength(0);
		expect(turnsOf(instant, d.sid)[0].status).not.toBe('cancelled');

		expect(e.result.error.message).toBe(timeoutMessage);
		const responseCancels = of(instant, 'POST', /^\/v1\/responses\/[^/]+\/cancel$/);
		expect(responseCancels).toHaveLength(1);
		const rid = responseCancels[0].path.split('/')[3];
		expect(instant.turns.get(rid).status).toBe('cancelled');
	}, 120_000);

	test('7 malformed-event cases (non-JSON data, missing fields; split bytes, raw events, resume, continue on fail) → a clear error naming the event, no crash', async () => {
		const notJson = 'Pokee sent a malformed "text.delta" event (id 2): its data is not a JSON object';
		const missing = 'Pokee sent a malformed "text.delta" event (id 2): the "content" field is missing or not a string';
		const cases = [
			{ message: '#malformed', expected: notJson },
			{ message: '#missing-fields', expected: missing },
			{ message: '#malformed', expected: notJson, fault: { kind: 'split', every: 1 } },
			{ message: '#missing-fields', expected: missing, fault: { kind: 'split', every: 'random' } },
			{ message: '#malformed', expected: notJson, options: { includeRawEvents: true } },
		];
		for (const c of cases) {
			const sid = await newSession(instant);
			if (c.fault) instant.fault({ method: 'POST', path: messagesPath(sid), ...c.fault });
			const { error, status } = await send(instant, sid, c.message, { options: c.options ?? {} });
			expect(status).toBe('error');
			expect(error.name).toBe('NodeApiError');
			expect(error.message).toBe(c.expected);
			expect(error.description).toMatch(/could not be read/);
		}

		// Message → Resume of a malformed turn
		const sid = await newSession(instant);
		const detached = await send(instant, sid, '#missing-fields', { params: { waitForCompletion: false } });
		const resumed = await run('pokee', { resource: 'message', operation: 'resume', sessionId: sid, responseId: detached.items[0].json.response_id, options: {} });
		expect(resumed.error.message).toBe(missing);

		// continue on fail: the malformed item becomes an error item, the next item still runs
		const sid2 = await newSession(instant);
		const soft = await run(
			'pokee',
			{ resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: sid2, message: '={{ $json.m }}', options: {} },
			{ items: [{ json: { m: '#malformed' } }, { json: { m: 'hello' } }], continueOnFail: true },
		);
		expect(soft.error).toBeUndefined();
		expect(soft.items).toHaveLength(2);
		expect(soft.items[0].json.error).toBe(notJson);
		expect(soft.items[0].pairedItem).toEqual({ item: 0 });
		expect(soft.items[1].json).toMatchObject({ status: 'completed', text: expectedText('hello') });
	}, 60_000);

	describe('bad input → NodeOperationError naming the field and the item; the fakes received nothing', () => {
		const SID = 'sess_000000000000';
		const bin = { data: { data: Buffer.from('x').toString('base64'), mimeType: 'text/plain' } };
		const fire = (over) => ({ resource: 'webhook', operation: 'fire', webhookUrl: 'HOOK', webhookToken: 'TOKEN', dataSource: 'parameter', data: '{}', ...over });
		const tooManyTools = JSON.stringify(Array.from({ length: 129 }, (_, n) => ({ type: 'function', name: `t${n}` })));
		// [operation, parameters, field named in the message, rest of the message]
		const pokeeCases = [
			['session.create', { sessionOptions: { ttl: -5 } }, 'TTL', 'must be a positive whole number'],
			['session.create', { sessionOptions: { metadata: '"text"' } }, 'Metadata', 'must be a JSON object'],
			['session.create', { sessionOptions: { writePaths: 'out/../..' } }, 'File Access: Write Paths', 'must not contain ".." segments'],
			['session.create', { sessionOptions: { readPaths: '/etc' } }, 'File Access: Read Paths', 'must be relative to the workspace (no leading "/")'],
			['session.create', { sessionOptions: { tools: tooManyTools } }, 'Session Tools', 'may hold at most 128 tools'],
			['session.get', { sessionId: ' ' }, 'Session ID', 'must not be empty'],
			['session.get', { sessionId: 'sess_\u0001' }, 'Session ID', 'must not contain control characters'],
			['session.getMany', { returnAll: false, limit: 0, state: 'all' }, 'Limit', 'must be a positive whole number'],
			['session.delete', { sessionId: '={{ "" }}' }, 'Session ID', 'must not be empty'],
			['session.deleteMany', { idleOnly: true, olderThan: '5 days' }, 'Inactive For At Least', 'must be a duration such as 90s, 2h or 1h30m'],
			['session.waitUntilIdle', { sessionId: SID, pollInterval: 0, timeLimit: 60 }, 'Poll Interval', 'must be a positive whole number'],
			['session.waitUntilIdle', { sessionId: SID, pollInterval: 1, timeLimit: 2.5 }, 'Time Limit', 'must be a positive whole number'],
			['message.send', { sessionMode: 'existing', sessionId: SID, message: '\n\t ', options: {} }, 'Message', 'must not be empty'],
			['message.send', { sessionMode: 'existing', sessionId: SID, message: 'x', options: { timeLimit: -1 } }, 'Time Limit', 'must be a positive whole number'],
			['message.send', { sessionMode: 'new', message: 'x', sessionOptions: { tools: '{"name":"x"}' }, options: {} }, 'Session Tools', 'must be a JSON array'],
			['message.resume', { sessionId: SID, responseId: ' ', options: {} }, 'Response ID', 'must not be empty'],
			['message.resume', { sessionId: SID, responseId: 'msg_1', lastEventId: '1.5', options: {} }, 'Last Event ID', 'must be a whole number of 0 or more'],
			['message.cancel', { sessionId: ' ', responseId: 'msg_1' }, 'Session ID', 'must not be empty'],
			['message.cancel', { sessionId: SID, responseId: '\t' }, 'Response ID', 'must not be empty'],
			['toolResult.submit', { sessionId: SID, responseId: 'msg_1', callId: ' ', output: 'ok', lastEventId: '', options: {} }, 'Call ID', 'must not be empty'],
			['toolResult.submit', { sessionId: SID, responseId: 'msg_1', callId: 'call_1', output: 'ok', lastEventId: 'abc', options: {} }, 'Last Event ID', 'must be a whole number of 0 or more'],
			['file.list', { sessionId: SID, folder: '/abs', recursive: false }, 'Folder', 'must be relative to the workspace (no leading "/")'],
			['file.download', { sessionId: SID, path: 'a//b.txt', binaryPropertyName: 'data' }, 'File Path', 'must not contain empty or "." segments'],
			['file.download', { sessionId: SID, path: 'a.txt', binaryPropertyName: ' ' }, 'Put Output File in Field', 'must not be empty'],
			['file.downloadMany', { sessionId: SID, folder: 'a/./b', pattern: '*', recursive: false, binaryPropertyName: 'data' }, 'Folder', 'must not contain empty or "." segments'],
			['file.downloadMany', { sessionId: SID, folder: 'out', pattern: 'x/*.txt', recursive: false, binaryPropertyName: 'data' }, 'File Name Pattern', 'must be a file name pattern without "/"'],
			['file.upload', { sessionId: SID, path: 'C:/x.txt', binaryPropertyName: 'data' }, 'File Path', 'must be relative to the workspace (no leading "/")'],
			['file.upload', { sessionId: SID, path: 'in/x.txt', binaryPropertyName: 'nope' }, 'Input Binary Field', '"nope" is not on the input item'],
			['file.delete', { sessionId: SID, path: 'x\u0007y' }, 'File Path', 'must not contain backslashes or control characters'],
			['skill.install', { skillName: '-lead', binaryPropertyName: 'data' }, 'Skill Name', 'must be 1–64 characters'],
			['skill.install', { skillName: 'ok-name', binaryPropertyName: 'missing' }, 'Input Binary Field', '"missing" is not on the input item'],
			['skill.delete', { skillName: 'Bad Name' }, 'Skill Name', 'must be 1–64 characters'],
			['response.create', { inputType: 'text', input: ' ', tools: '[]', stream: true, options: {} }, 'Input', 'must not be empty'],
			['response.create', { inputType: 'text', input: 'x', tools: '[{"type":"function","name":""}]', stream: true, options: {} }, 'Tools', 'entry 0 needs a "name" of 1–64 characters'],
			['response.create', { inputType: 'items', inputItems: '[1,2]', tools: '[]', stream: false, options: {} }, 'Input Items', 'must hold JSON objects (entry 0 is not one)'],
			['response.create', { inputType: 'text', input: 'x', tools: '[]', stream: true, options: { timeLimit: 0 } }, 'Time Limit', 'must be a positive whole number'],
		].map(([op, params, field, problem]) => ['pokee', op, params, field, problem]);
		const pokeCases = [
			['message.send', { message: ' ' }, 'Message', 'must not be empty'],
			['message.send', { message: 'x', options: { extraContext: '{"message":1}' } }, 'Extra Context', 'must not contain a "message" field'],
			['message.send', { message: 'x', options: { extraContext: 'null' } }, 'Extra Context', 'must be a JSON object'],
			['webhook.create', { condition: 'c', action: '={{ "  " }}' }, 'Action', 'must not be empty'],
			['webhook.fire', fire({ webhookToken: 'two words' }), 'Webhook Token', 'must not contain spaces'],
			['webhook.fire', fire({ data: '[1]' }), 'Data', 'must be a JSON object'],
			['webhook.fire', fire({ webhookUrl: 'javascript:alert(1)' }), 'Webhook URL', 'must be an https URL'],
			['webhook.fire', fire({ webhookUrl: 'USERINFO' }), 'Webhook URL', 'must not contain a user name or password'],
			['webhook.fire', fire({ webhookUrl: 'https://elsewhere.example/api/v1/inbound/webhook' }), 'Webhook URL', 'points to elsewhere.example'],
		].map(([op, params, field, problem]) => ['poke', op, params, field, problem]);
		const cases = [...pokeeCases, ...pokeCases];

		const resolve = (parameters) => {
			const out = { ...parameters };
			if (out.webhookUrl === 'HOOK') out.webhookUrl = hook.webhookUrl;
			if (out.webhookUrl === 'USERINFO') out.webhookUrl = hook.webhookUrl.replace('http://', 'http://user:pass@');
			if (out.webhookToken === 'TOKEN') out.webhookToken = hook.webhookToken;
			return out;
		};
		const nothingSent = () => {
			expect(instant.requests).toHaveLength(0);
			expect(poke.requests).toHaveLength(0);
		};

		test(`${cases.length} cases over ${new Set(cases.map((c) => `${c[0]}.${c[1]}`)).size} operations of both nodes`, async () => {
			expect(cases.length).toBeGreaterThanOrEqual(30);
			for (const [type, op, parameters, field, problem] of cases) {
				const [resource, operation] = op.split('.');
				const { error } = await run(type, { resource, operation, ...resolve(parameters) }, { items: [{ json: {}, binary: bin }] });
				const label = `${type} ${op}: ${field}`;
				expect({ label, name: error && error.name }).toEqual({ label, name: 'NodeOperationError' });
				expect(error.message.startsWith(`${field} ${problem}`)).toBe(true);
				expect(error.message).toMatch(/ \(item 0\)$/);
				nothingSent();
			}
		});

		test('3 items, all bad, continue on fail → 3 error items, each naming its own item; nothing sent', async () => {
			const items = [{ json: { v: ' ' } }, { json: { v: '' } }, { json: { v: '\t' } }];
			const pokee = await run(
				'pokee',
				{ resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: SID, message: '={{ $json.v }}', options: {} },
				{ items, continueOnFail: true },
			);
			expect(pokee.items.map((i) => i.json.error)).toEqual([0, 1, 2].map((n) => `Message must not be empty (item ${n})`));
			expect(pokee.items.map((i) => i.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));

			const pokeResult = await run(
				'poke',
				{ ...fire({ data: '={{ $json.v }}' }), webhookUrl: hook.webhookUrl, webhookToken: hook.webhookToken, options: { concurrency: 3 } },
				{ items: [{ json: { v: '{' } }, { json: { v: '[]' } }, { json: { v: '"s"' } }], continueOnFail: true },
			);
			expect(pokeResult.items.map((i) => i.json.error)).toEqual([
				'Data is not valid JSON (item 0)',
				'Data must be a JSON object (item 1)',
				'Data must be a JSON object (item 2)',
			]);
			nothingSent();
		});
	});

	test('secrets: no API key or webhook token in any output or error of the matrix (wrong keys and tokens included)', async () => {
		const wrongPokee = 'pk_acme_wrongwrongwrong4242';
		const wrongPoke = 'poke_v2_wrong_key_value_4242';
		const wrongToken = 'whk_test_wrong_token_value_4242';
		for (const s of [wrongPokee, wrongPoke, wrongToken]) secrets.add(s);
		const failures = [
			await run('pokee', { resource: 'usage', operation: 'get' }, { credentials: pokeeCreds(instant, { apiKey: wrongPokee }) }),
			await run('poke', { resource: 'message', operation: 'send', message: 'x' }, { credentials: pokeCreds({ apiKey: wrongPoke }) }),
			await run('poke', { resource: 'webhook', operation: 'fire', webhookUrl: hook.webhookUrl, webhookToken: wrongToken, dataSource: 'parameter', data: '{}', options: {} }),
			// connection failures carry the request's error text: still no key
			await run('pokee', { resource: 'usage', operation: 'get' }, { credentials: pokeeCreds(instant, { baseUrl: 'http://127.0.0.1:9' }) }),
			await run('poke', { resource: 'webhook', operation: 'fire', webhookUrl: 'http://127.0.0.1:9/api/v1/inbound/webhook', webhookToken: hook.webhookToken, dataSource: 'parameter', data: '{}', options: {} }, { credentials: pokeCreds({ baseUrl: 'http://127.0.0.1:9/api/v1' }) }),
		];
		for (const f of failures) expect(f.error).toBeDefined();

		// the scan itself finds a secret hidden in an error's cause
		expect(allText({ error: Object.assign(new Error('outer'), { cause: new Error(`inner ${POKEE_KEY}`) }) })).toContain(POKEE_KEY);

		expect(collected.length).toBeGreaterThan(200);
		const errors = collected.filter((c) => c.error).length;
		expect(errors).toBeGreaterThan(50);
		for (const entry of collected) {
			const text = allText(entry);
			for (const secret of secrets) {
				if (text.includes(secret)) throw new Error(`secret ${secret.slice(0, 8)}… found in ${text.slice(0, 500)}`);
			}
		}
	});
});
