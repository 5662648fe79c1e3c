'use strict';
/**
 * Turn honesty (issue 16, items 2, 5, 6, 7, 9, 12a, 12b): no item succeeds for a turn that did
 * not complete, n8n's Retry On Fail can get past a failed turn, and bad durations, orphaned
 * sessions, replay answers and stalled streams are handled. Every case runs the Pokee node in
 * n8n's real engine against the loopback fake and checks what the fake received or stored.
 */
const { runNode, nodeType } = require('./harness/n8n');
const { expectedText, DEFAULT_KEY } = require('./fakes/fakePokee');
const { useFakePokee } = require('./harness/fakes');
const { until } = require('./harness/wait');

const fake = useFakePokee({ eventDelayMs: 1, maxSessions: 1000 });

const creds = () => ({ pokeeApi: { apiKey: DEFAULT_KEY, baseUrl: fake.baseUrl } });
const sent = (method, pathPattern) => fake.requests.filter((r) => r.method === method && pathPattern.test(r.path));
const pokee = (parameters, extra = {}) => runNode({ type: 'pokee', parameters, credentials: creds(), ...extra });
/** A text no other test uses: the fake's #...-once directives act once per text. */
let counter = 0;
const unique = (text) => `${text} (case ${++counter}, ${Date.now()})`;

const send = (sessionId, message, options = {}, extra = {}) => ({
	resource: 'message',
	operation: 'send',
	sessionMode: 'existing',
	sessionId,
	message,
	waitForCompletion: true,
	options,
	...extra,
});
const respond = (input, options = {}) => ({
	resource: 'response',
	operation: 'create',
	inputType: 'text',
	input,
	model: '',
	tools: '[]',
	reasoningEffort: 'minimal',
	stream: true,
	options,
});
/** The fake's turns of one session (or the stateless ones), oldest first. */
const turnsOf = (sessionId) => [...fake.turns.values()].filter((t) => t.sessionId === sessionId);
const newSession = () => fake.createSession({ persistent: true }).id;

describe('a turn that ended cancelled or in error is never a success item', () => {
	test('Send, Retry On Fail: the time limit cancels the first turn, the retry starts a NEW turn and outputs its text', async () => {
		const sid = newSession();
		const message = unique('#slow-once:400 summarise');
		const before = fake.turnsStarted;
		const run = await pokee(send(sid, message, { timeLimit: 1 }), { retry: { maxTries: 2 } });

		expect(run.error).toBeUndefined();
		expect(fake.turnsStarted - before).toBe(2);
		const [first, second] = turnsOf(sid);
		expect(first.status).toBe('cancelled');
		expect(second.status).toBe('completed');
		expect(run.items[0].json).toMatchObject({ session_id: sid, response_id: second.rid, status: 'completed', text: expectedText(message) });
		const posts = sent('POST', /\/messages$/);
		expect(posts).toHaveLength(2);
		expect(posts[1].headers['idempotency-key']).not.toBe(posts[0].headers['idempotency-key']);
		expect(sent('POST', new RegExp(`/responses/${first.rid}/cancel$`))).toHaveLength(1);
	});

	test('Send, Retry On Fail: message.error on the first turn, the retry starts a NEW turn and outputs its text', async () => {
		const sid = newSession();
		const message = unique('#error-once report');
		const before = fake.turnsStarted;
		const run = await pokee(send(sid, message), { retry: { maxTries: 2 } });

		expect(run.error).toBeUndefined();
		expect(fake.turnsStarted - before).toBe(2);
		const [first, second] = turnsOf(sid);
		expect(first.status).toBe('error');
		expect(run.items[0].json).toMatchObject({ response_id: second.rid, status: 'completed', text: expectedText(message) });
	});

	test('Send, Retry On Fail: a connection dropped mid-turn is resumed inside the attempt (ONE turn, no retry needed)', async () => {
		const sid = newSession();
		const message = unique('#long');
		fake.fault({ method: 'POST', path: /\/messages$/, kind: 'dropAfter', events: 20 });
		const before = fake.turnsStarted;
		const run = await pokee(send(sid, message), { retry: { maxTries: 3 } });

		expect(run.error).toBeUndefined();
		expect(fake.turnsStarted - before).toBe(1);
		expect(sent('POST', /\/messages$/)).toHaveLength(1);
		expect(sent('GET', /\/events$/).length).toBeGreaterThanOrEqual(1);
		expect(run.items[0].json).toMatchObject({ status: 'completed', text: expectedText(message) });
	});

	test('Send with an Idempotency Key set: the retry replays the cancelled turn (ONE turn) and the item fails, naming it', async () => {
		const sid = newSession();
		const message = unique('#slow-once:400 keyed');
		const before = fake.turnsStarted;
		const run = await pokee(send(sid, message, { timeLimit: 1, idempotencyKey: unique('user-key').replace(/\W+/g, '-') }), {
			retry: { maxTries: 2 },
		});

		expect(fake.turnsStarted - before).toBe(1);
		const [first] = turnsOf(sid);
		expect(first.status).toBe('cancelled');
		expect(sent('POST', /\/messages$/)).toHaveLength(2);
		expect(run.items).toHaveLength(0);
		expect(run.error.message).toBe(`Pokee: the turn ${first.rid} was cancelled`);
		expect(run.error.description).toMatch(/ended with status "cancelled" after \d+ characters of text/);
	});

	test('Resume of a turn cancelled elsewhere fails the item; Message → Cancel itself outputs a success', async () => {
		const sid = newSession();
		const started = await pokee(send(sid, unique('#slow:100 resume me'), {}, { waitForCompletion: false }));
		const rid = started.items[0].json.response_id;
		const cancel = await pokee({ resource: 'message', operation: 'cancel', sessionId: sid, responseId: rid });
		expect(cancel.error).toBeUndefined();
		expect(cancel.items[0].json).toMatchObject({ response_id: rid, status: 'cancelling' });
		await until(() => fake.turns.get(rid).done, 'the cancelled turn to end');

		const resumed = await pokee({ resource: 'message', operation: 'resume', sessionId: sid, responseId: rid, lastEventId: '', options: {} });
		expect(fake.turns.get(rid).status).toBe('cancelled');
		expect(sent('GET', new RegExp(`/responses/${rid}/events$`))).toHaveLength(1);
		expect(resumed.items).toHaveLength(0);
		expect(resumed.error.message).toBe(`Pokee: the turn ${rid} was cancelled`);
	});

	test('Response → Create, Retry On Fail: the time limit cancels the first response, the retry generates a NEW one', async () => {
		const input = unique('#slow-once:400 stateless');
		const before = fake.turnsStarted;
		const run = await pokee(respond(input, { timeLimit: 1 }), { retry: { maxTries: 2 } });

		expect(run.error).toBeUndefined();
		expect(fake.turnsStarted - before).toBe(2);
		const [first, second] = turnsOf(null).slice(-2);
		expect(first.status).toBe('cancelled');
		expect(run.items[0].json).toMatchObject({ id: second.rid, status: 'completed', text: 'Hello from Pokee.' });
		const posts = sent('POST', /^\/v1\/responses$/);
		expect(posts[1].headers['idempotency-key']).not.toBe(posts[0].headers['idempotency-key']);
	});

	test.each(['failed', 'cancelled'])('Response → Create without Stream: a 200 answer with status "%s" fails the item', async (status) => {
		const body = { id: 'resp_0123', object: 'response', status, output: [], error: status === 'failed' ? { message: 'model overloaded' } : null };
		fake.fault({ method: 'POST', path: '/v1/responses', kind: 'status', status: 200, body });
		const run = await pokee({ ...respond('hi'), stream: false });
		expect(sent('POST', /^\/v1\/responses$/)).toHaveLength(1);
		expect(run.items).toHaveLength(0);
		expect(run.error.message).toBe(`Pokee: the response resp_0123 ended with status "${status}"`);
		if (status === 'failed') expect(run.error.description).toBe('The API said: "model overloaded".');
	});
});

describe('New Session: a session whose turn never started is deleted', () => {
	test.each([
		['402 out of credits', () => fake.setCredits({ mode: 'hard', balance: 0 }), /^Pokee API error \(402\)/],
		['403 refused', () => fake.fault({ method: 'POST', path: /\/messages$/, kind: 'status', status: 403, body: { error: 'forbidden', message: 'no' } }), /403/],
	])('%s → the created session is DELETEd, none left behind', async (_name, arrange, expected) => {
		const before = fake.sessions.size;
		arrange();
		try {
			const run = await pokee({
				resource: 'message',
				operation: 'send',
				sessionMode: 'new',
				sessionOptions: { persistent: true },
				message: 'hello',
				waitForCompletion: true,
				options: {},
			});
			expect(run.error.message).toMatch(expected);
		} finally {
			fake.setCredits({ mode: 'soft', balance: 100000 });
		}
		const [created] = sent('POST', /^\/v1\/sessions$/);
		expect(created).toBeDefined();
		expect(sent('DELETE', /^\/v1\/sessions\/sess_/)).toHaveLength(1);
		expect(fake.sessions.size).toBe(before);
	});
});

describe('New Session: the time limit passes before the turn answers', () => {
	test('the send gets no answer within the Time Limit: the item fails at the limit and the created session is DELETEd', async () => {
		const before = fake.sessions.size;
		// every attempt of the send (the first and its retries with the same key) gets no answer
		fake.fault({ method: 'POST', path: /\/messages$/, kind: 'hang', times: 10 });
		const started = Date.now();
		const run = await pokee({
			resource: 'message',
			operation: 'send',
			sessionMode: 'new',
			sessionOptions: { persistent: true },
			message: unique('hello'),
			waitForCompletion: true,
			options: { timeLimit: 1 },
		});
		expect(Date.now() - started).toBeLessThan(4000);
		expect(run.error.message).toBe('The send got no answer within the time limit of 1 s (item 0)');
		const [created] = sent('POST', /^\/v1\/sessions$/);
		expect(created).toBeDefined();
		expect(sent('DELETE', /^\/v1\/sessions\/sess_/)).toHaveLength(1);
		expect(fake.sessions.size).toBe(before);
	}, 15_000);
});

describe('Response → Create after the idempotency window (the API answers "replayed")', () => {
	test('a re-run with the same key outputs the replay, reads no stream and resumes nothing', async () => {
		const input = unique('hello again');
		const key = unique('resp-key').replace(/\W+/g, '-');
		const first = await pokee(respond(input, { idempotencyKey: key }));
		expect(first.error).toBeUndefined();
		const rid = first.items[0].json.id;
		// the fake's idempotency store still knows the key, the response's events are evicted
		fake.turns.delete(rid);
		fake.clearRequests();
		const before = fake.turnsStarted;

		const again = await pokee(respond(input, { idempotencyKey: key }));
		expect(again.error).toBeUndefined();
		expect(fake.turnsStarted).toBe(before);
		expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/responses']);
		expect(again.items[0].json).toMatchObject({ id: rid, status: 'replayed', text: '' });
		expect(again.items[0].json.note).toMatch(/evicted/);
	});
});

describe('A JSON answer to a send that names no turn', () => {
	test.each([
		['Message → Send', () => send(newSession(), unique('json'))],
		['Response → Create', () => respond(unique('json'), { idempotencyKey: unique('k').replace(/\W+/g, '-') })],
	])('%s: a 200 JSON body without a response_id fails the item instead of reporting "replayed"', async (_name, params) => {
		const parameters = params();
		fake.fault({ kind: 'status', status: 200, body: { ok: true }, method: 'POST' });
		const run = await pokee(parameters);
		expect(run.items).toHaveLength(0);
		expect(run.error.message).toBe('Pokee: the send was answered with JSON that names no turn (item 0)');
	});
});

describe('Session options: File Access', () => {
	test('only Read Paths set: write stays the whole workspace, as the description says', async () => {
		const run = await pokee({ resource: 'session', operation: 'create', sessionOptions: { readPaths: 'projects/acme, shared' } });
		expect(run.error).toBeUndefined();
		const [post] = sent('POST', /^\/v1\/sessions$/);
		expect(post.json.file_access).toEqual({ read: ['projects/acme', 'shared'], write: [''] });
		expect(fake.sessions.get(run.items[0].json.id).file_access.write).toEqual(['']);
		const options = nodeType('pokee').description.properties.find((p) => p.name === 'sessionOptions').options;
		expect(options.find((o) => o.name === 'writePaths').description).toMatch(/empty = whole workspace/);
	});
});

describe('duration fields are bounded', () => {
	const sid = 'sess_0123456789ab';
	const cases = [];
	for (const huge of [2_147_484, 4_294_968]) {
		cases.push(
			[`Send Time Limit ${huge}`, send(sid, 'hi', { timeLimit: huge }), 'Time Limit must be at most 5400 (item 0)'],
			[`Response Time Limit ${huge}`, respond('hi', { timeLimit: huge }), 'Time Limit must be at most 5400 (item 0)'],
			[`Resume Time Limit ${huge}`, { resource: 'message', operation: 'resume', sessionId: sid, responseId: 'msg_1', lastEventId: '', options: { timeLimit: huge } }, 'Time Limit must be at most 5400 (item 0)'],
			[`Wait Until Idle Poll Interval ${huge}`, { resource: 'session', operation: 'waitUntilIdle', sessionId: sid, pollInterval: huge, timeLimit: 2 }, 'Poll Interval must be at most 3600 (item 0)'],
			[`Wait Until Idle Time Limit ${huge}`, { resource: 'session', operation: 'waitUntilIdle', sessionId: sid, pollInterval: 1, timeLimit: huge }, 'Time Limit must be at most 86400 (item 0)'],
		);
	}
	test.each(cases)('%s → an error naming the field and the item, nothing sent', async (_name, parameters, message) => {
		const run = await pokee(parameters);
		expect(run.items).toHaveLength(0);
		expect(run.error.message).toBe(message);
		expect(fake.requests).toHaveLength(0);
	});

	test('the description carries the same bounds', () => {
		const props = nodeType('pokee').description.properties;
		const maxOf = (name, operation) =>
			props.find((p) => p.name === name && p.displayOptions?.show?.operation?.includes(operation))?.typeOptions?.maxValue;
		expect(maxOf('pollInterval', 'waitUntilIdle')).toBe(3600);
		expect(maxOf('timeLimit', 'waitUntilIdle')).toBe(86400);
		for (const op of ['send', 'resume', 'submit', 'create']) {
			const options = props.find((p) => p.name === 'options' && p.displayOptions?.show?.operation?.includes(op) && p.options?.some((o) => o.name === 'timeLimit'));
			expect(options.options.find((o) => o.name === 'timeLimit').typeOptions.maxValue).toBe(5400);
		}
	});
});

describe('smaller: stalled first event, chat stream failures', () => {
	test('Wait for Completion off, no X-Response-Id, the stream stalls before any event: the item ends at the time limit', async () => {
		const sid = newSession();
		fake.fault({ method: 'POST', path: /\/messages$/, kind: 'stall', at: 0, noResponseId: true });
		const started = Date.now();
		const run = await pokee(send(sid, unique('#slow:50 fire and forget'), { timeLimit: 1 }, { waitForCompletion: false }));
		expect(Date.now() - started).toBeLessThan(5000);
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toEqual({ session_id: sid, response_id: null, status: 'in_progress' });
		expect(sent('POST', /\/messages$/)).toHaveLength(1);
		// the turn runs on: the server has it, the node only could not learn its id
		expect(turnsOf(sid)).toHaveLength(1);
	}, 10_000);

	test('a chat stream whose chunks fail: the turn still completes and no promise rejection goes unhandled', async () => {
		const sid = newSession();
		const unhandled = [];
		const onUnhandled = (reason) => unhandled.push(reason);
		process.on('unhandledRejection', onUnhandled);
		try {
			const message = unique('chat');
			const run = await pokee(send(sid, message), { streaming: true, failChunks: true });
			// rejections surface a tick after the promise settles
			await new Promise((resolve) => setImmediate(resolve));
			expect(run.error).toBeUndefined();
			expect(run.items[0].json).toMatchObject({ status: 'completed', text: expectedText(message) });
			expect(unhandled).toEqual([]);
		} finally {
			process.removeListener('unhandledRejection', onUnhandled);
		}
	});
});
