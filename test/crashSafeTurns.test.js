'use strict';
/**
 * Crash-safe turns: Message → Send with the "Input Item" idempotency scope, run by n8n's real
 * engine against the loopback fake. A "retry" is modelled as n8n's Retry and a re-sent webhook
 * both are: a second execution (another execution id) of the same workflow and node with the
 * same input items. The first execution "dies" mid-turn: it leaves with the turn running and its
 * stream connection closed (Wait for Completion off does exactly that on the wire), which is what
 * a SIGKILLed queue-mode worker leaves on the API. Turns are counted on the fake.
 */
const { runNode } = require('./harness/n8n');
const { until } = require('./harness/wait');
const { startFakePokee, expectedText, DEFAULT_KEY } = require('./fakes/fakePokee');
const { useFakePokee } = require('./harness/fakes');

const fake = useFakePokee({ eventDelayMs: 1, maxSessions: 1000 });

const creds = (f = fake) => ({ pokeeApi: { apiKey: DEFAULT_KEY, baseUrl: f.baseUrl } });
const sent = (f, method, pathPattern) => f.requests.filter((r) => r.method === method && pathPattern.test(r.path));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


/** One execution of a workflow whose Pokee node sends `message` for `items`. */
function execution({ f = fake, sessionId, message, items, scope, wait = true, options = {} }) {
	const parameters = {
		resource: 'message',
		operation: 'send',
		sessionMode: sessionId ? 'existing' : 'new',
		...(sessionId ? { sessionId } : { sessionOptions: { persistent: true, metadata: '{"team": "ops"}' } }),
		message,
		waitForCompletion: wait,
		options: { ...(scope ? { idempotencyScope: scope } : {}), ...options },
	};
	return runNode({ type: 'pokee', parameters, credentials: creds(f), items });
}

/** What the fake's turn emitted, in order. */
const turnText = (f, rid) => f.turns.get(rid).text();

const job = (id) => [{ json: { job: id, customer: { name: 'Ada', tier: 'gold' } } }];

describe('Idempotency Scope: Input Item (a second execution with the same input)', () => {
	test('existing session, turn still running when the retry comes: ONE turn, same response, exact text', async () => {
		const sid = fake.createSession({ persistent: true }).id;
		const message = '#slow:80 summarise the ticket';
		const before = fake.turnsStarted;
		// the execution that dies mid-turn: the turn runs on, nothing reads it
		const crashed = await execution({ sessionId: sid, message, items: job('j-1'), scope: 'input', wait: false });
		expect(crashed.error).toBeUndefined();
		const rid = crashed.items[0].json.response_id;
		expect(fake.sessions.get(sid).busy).toBe(true);

		const retry = await execution({ sessionId: sid, message, items: job('j-1'), scope: 'input' });
		expect(retry.error).toBeUndefined();
		const out = retry.items[0].json;
		expect(fake.turnsStarted - before).toBe(1);
		expect(out).toMatchObject({ session_id: sid, response_id: rid, status: 'completed' });
		expect(out.text).toBe(expectedText(message));
		expect(out.text).toBe(turnText(fake, rid));
		// both executions sent the same key; the retry never waited on a 409
		const posts = sent(fake, 'POST', /\/messages$/);
		expect(posts).toHaveLength(2);
		expect(posts[0].headers['idempotency-key']).toBe(posts[1].headers['idempotency-key']);
		expect(sent(fake, 'GET', new RegExp(`^/v1/sessions/${sid}$`))).toHaveLength(0);
	});

	test('existing session, turn finished within the grace period: ONE turn, the stream replayed from id 0', async () => {
		const sid = fake.createSession({ persistent: true }).id;
		const message = '#long report';
		const before = fake.turnsStarted;
		const crashed = await execution({ sessionId: sid, message, items: job('j-2'), scope: 'input', wait: false });
		const rid = crashed.items[0].json.response_id;
		await until(() => fake.turns.get(rid)?.done, 'the orphaned turn to finish');

		const retry = await execution({ sessionId: sid, message, items: job('j-2'), scope: 'input' });
		expect(retry.error).toBeUndefined();
		expect(fake.turnsStarted - before).toBe(1);
		expect(retry.items[0].json).toMatchObject({ session_id: sid, response_id: rid, status: 'completed' });
		expect(retry.items[0].json.text).toBe(expectedText(message));
	});

	test('existing session, buffer evicted after the grace period: ONE turn, status "replayed" with the same response id', async () => {
		const f = await startFakePokee({ eventDelayMs: 1, graceMs: 150 });
		try {
			const sid = f.createSession({ persistent: true }).id;
			const message = 'short one';
			const first = await execution({ f, sessionId: sid, message, items: job('j-3'), scope: 'input' });
			expect(first.items[0].json.status).toBe('completed');
			await sleep(300);
			const retry = await execution({ f, sessionId: sid, message, items: job('j-3'), scope: 'input' });
			expect(retry.error).toBeUndefined();
			expect(f.turnsStarted).toBe(1);
			expect(retry.items[0].json).toMatchObject({
				session_id: sid,
				response_id: first.items[0].json.response_id,
				status: 'replayed',
			});
			expect(retry.items[0].json.note).toMatch(/evicted|no longer available/);
		} finally {
			await f.close();
		}
	});

	test('New Session: the retry finds the session the dead execution created (metadata) and reattaches: ONE session, ONE turn', async () => {
		const message = '#slow:60 draft the reply';
		const before = fake.turnsStarted;
		const sessionsBefore = new Set(fake.sessions.keys());
		const crashed = await execution({ message, items: job('j-4'), scope: 'input', wait: false });
		expect(crashed.error).toBeUndefined();
		const { session_id: sid, response_id: rid } = crashed.items[0].json;
		const metadata = fake.sessions.get(sid).metadata;
		expect(metadata).toMatchObject({
			team: 'ops',
			n8n_workflow_id: 'harness',
			n8n_node: 'pokee',
			n8n_execution_id: expect.any(String),
			n8n_turn_key: expect.stringMatching(/^[0-9a-f]{32}$/),
		});
		const firstExecution = metadata.n8n_execution_id;

		const retry = await execution({ message, items: job('j-4'), scope: 'input' });
		expect(retry.error).toBeUndefined();
		expect(fake.turnsStarted - before).toBe(1);
		expect([...fake.sessions.keys()].filter((id) => !sessionsBefore.has(id))).toEqual([sid]);
		expect(sent(fake, 'POST', /^\/v1\/sessions$/)).toHaveLength(1);
		expect(retry.items[0].json).toMatchObject({ session_id: sid, response_id: rid, status: 'completed' });
		expect(retry.items[0].json.text).toBe(expectedText(message));
		// the metadata still names the execution that started the turn
		expect(fake.sessions.get(sid).metadata.n8n_execution_id).toBe(firstExecution);
	});

	test('two executions of the same input at the same time: ONE turn, both outputs exact', async () => {
		const sid = fake.createSession({ persistent: true }).id;
		const message = '#slow:40 same input twice';
		const before = fake.turnsStarted;
		const [a, b] = await Promise.all([
			execution({ sessionId: sid, message, items: job('j-5'), scope: 'input' }),
			execution({ sessionId: sid, message, items: job('j-5'), scope: 'input' }),
		]);
		expect(fake.turnsStarted - before).toBe(1);
		for (const r of [a, b]) {
			expect(r.error).toBeUndefined();
			expect(r.items[0].json.text).toBe(expectedText(message));
		}
		expect(a.items[0].json.response_id).toBe(b.items[0].json.response_id);
	});

	test('different input (another job id, another customer field order-insensitive) tells turns apart', async () => {
		const sid = fake.createSession({ persistent: true }).id;
		const message = 'hello';
		const before = fake.turnsStarted;
		const a = await execution({ sessionId: sid, message, items: job('j-6'), scope: 'input' });
		// same data, keys in another order: the same turn
		const reordered = [{ json: { customer: { tier: 'gold', name: 'Ada' }, job: 'j-6' } }];
		const b = await execution({ sessionId: sid, message, items: reordered, scope: 'input' });
		expect(b.items[0].json.response_id).toBe(a.items[0].json.response_id);
		expect(fake.turnsStarted - before).toBe(1);
		const c = await execution({ sessionId: sid, message, items: job('j-7'), scope: 'input' });
		expect(c.items[0].json.status).toBe('completed');
		expect(c.items[0].json.response_id).not.toBe(a.items[0].json.response_id);
		expect(fake.turnsStarted - before).toBe(2);
	});

	test('New Session whose earlier session is gone: a new session and a new turn (no 422)', async () => {
		const message = 'again';
		const first = await execution({ message, items: job('j-8'), scope: 'input' });
		const gone = first.items[0].json.session_id;
		fake.expireSession(gone);
		const before = fake.turnsStarted;
		const again = await execution({ message, items: job('j-8'), scope: 'input' });
		expect(again.error).toBeUndefined();
		expect(again.items[0].json.session_id).not.toBe(gone);
		expect(again.items[0].json).toMatchObject({ status: 'completed', text: expectedText(message) });
		expect(fake.turnsStarted - before).toBe(1);
	});
});

describe('Idempotency Key set by the user (e.g. a job ID) with New Session', () => {
	test('a second execution finds the session by the key and replays: ONE session, ONE turn (was: a 422 on a second session)', async () => {
		const message = '#slow:40 keyed job';
		const before = fake.turnsStarted;
		const options = { idempotencyKey: `job-${Date.now()}` };
		const crashed = await execution({ message, items: job('j-13'), wait: false, options });
		expect(crashed.error).toBeUndefined();
		const { session_id: sid, response_id: rid } = crashed.items[0].json;
		const retry = await execution({ message, items: job('j-13-other-input'), options });
		expect(retry.error).toBeUndefined();
		expect(retry.items[0].json).toMatchObject({ session_id: sid, response_id: rid, status: 'completed', text: expectedText(message) });
		expect(fake.turnsStarted - before).toBe(1);
		expect(sent(fake, 'POST', /^\/v1\/sessions$/)).toHaveLength(1);
		// the key itself is not stored on the session, only a hash of it
		expect(JSON.stringify(fake.sessions.get(sid).metadata)).not.toContain(options.idempotencyKey);
	});
});

describe('Idempotency Scope: Execution (the default) keeps the old behaviour', () => {
	test('a second execution with the same input sends again: a second turn', async () => {
		const sid = fake.createSession({ persistent: true }).id;
		const message = 'hello';
		const before = fake.turnsStarted;
		const a = await execution({ sessionId: sid, message, items: job('j-9') });
		const b = await execution({ sessionId: sid, message, items: job('j-9') });
		expect(fake.turnsStarted - before).toBe(2);
		expect(b.items[0].json.response_id).not.toBe(a.items[0].json.response_id);
		const posts = sent(fake, 'POST', /\/messages$/);
		expect(posts[0].headers['idempotency-key']).not.toBe(posts[1].headers['idempotency-key']);
	});

	test('New Session without a stable key: no session lookup, no n8n metadata', async () => {
		const r = await execution({ message: 'hello', items: job('j-10') });
		expect(r.error).toBeUndefined();
		expect(sent(fake, 'GET', /^\/v1\/sessions$/)).toHaveLength(0);
		expect(fake.sessions.get(r.items[0].json.session_id).metadata).toEqual({ team: 'ops' });
	});
});

describe('Finding orphaned turns: Session → Get Many with a Metadata Filter', () => {
	test('lists the busy sessions a workflow started (n8n metadata), nothing else', async () => {
		// a busy session of another workflow and an idle one of this workflow: not listed
		const other = fake.createSession({ persistent: true, metadata: { n8n_workflow_id: 'other', n8n_node: 'pokee' } }).id;
		await execution({ sessionId: other, message: '#slow:60 other work', items: job('j-12'), wait: false });
		fake.createSession({ persistent: true, metadata: { n8n_workflow_id: 'harness', n8n_node: 'pokee' } });
		const crashed = await execution({ message: '#slow:60 orphan', items: job('j-11'), scope: 'input', wait: false });
		const sid = crashed.items[0].json.session_id;
		const { items, error } = await runNode({
			type: 'pokee',
			credentials: creds(),
			parameters: {
				resource: 'session',
				operation: 'getMany',
				returnAll: true,
				state: 'busy',
				metadataFilter: '{"n8n_workflow_id": "harness", "n8n_node": "pokee"}',
			},
		});
		expect(error).toBeUndefined();
		expect(fake.sessions.get(other).busy).toBe(true);
		expect(items.map((i) => i.json.id)).toEqual([sid]);
		expect(items[0].json.metadata.n8n_execution_id).toMatch(/^\d+$/);
		expect(items[0].json.metadata.n8n_execution_id).toBe(fake.sessions.get(sid).metadata.n8n_execution_id);
		await until(() => !fake.sessions.get(sid).busy && !fake.sessions.get(other).busy, 'the turns to finish');
	});

	test('cancel recipe: the same input with Wait for Completion off gives the orphan\'s response ID without a turn; Message → Cancel stops it', async () => {
		const message = '#slow:200 runaway job';
		const before = fake.turnsStarted;
		const crashed = await execution({ message, items: job('j-15'), scope: 'input', wait: false });
		const { session_id: sid, response_id: rid } = crashed.items[0].json;
		const probe = await execution({ message, items: job('j-15'), scope: 'input', wait: false });
		expect(probe.items[0].json).toEqual({ session_id: sid, response_id: rid, status: 'in_progress' });
		expect(fake.turnsStarted - before).toBe(1);
		const cancel = await runNode({
			type: 'pokee',
			credentials: creds(),
			parameters: { resource: 'message', operation: 'cancel', sessionId: sid, responseId: rid },
		});
		expect(cancel.error).toBeUndefined();
		await until(() => fake.turns.get(rid)?.done, 'the cancelled turn to end');
		expect(fake.turns.get(rid).status).toBe('cancelled');
		expect(fake.turnsStarted - before).toBe(1);
	});

	test('an execution ID matches as a number too (as an Error Trigger expression may give it)', async () => {
		const crashed = await execution({ message: 'find me', items: job('j-14'), scope: 'input' });
		const sid = crashed.items[0].json.session_id;
		const id = fake.sessions.get(sid).metadata.n8n_execution_id;
		const { items } = await runNode({
			type: 'pokee',
			credentials: creds(),
			parameters: { resource: 'session', operation: 'getMany', returnAll: true, metadataFilter: `{"n8n_execution_id": ${Number(id)}}` },
		});
		expect(items.map((i) => i.json.id)).toEqual([sid]);
	});

	test('a Metadata Filter that is not a JSON object fails the item before any request', async () => {
		const { error } = await runNode({
			type: 'pokee',
			credentials: creds(),
			parameters: { resource: 'session', operation: 'getMany', returnAll: true, metadataFilter: '[1]' },
		});
		expect(error.message).toMatch(/Metadata Filter/);
		expect(fake.requests).toHaveLength(0);
	});
});
