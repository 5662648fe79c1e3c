'use strict';
/**
 * Errors must not invite a duplicate. A request that never left (refused connection, no DNS
 * answer) is safe to run again, and the error says so. A request that was sent and then lost its
 * connection (reset, socket hang up) or its answer (timeout after it was written) may already
 * have been carried out: for every request whose repeat could do something twice, the error says
 * so and how to check, and never carries n8n's "You can retry the request immediately". All
 * through the real path (node in n8n's engine -> n8n's HTTP helpers -> the fakes, whose reset
 * faults break the connection after the work was done).
 */
const net = require('node:net');
const { runNode } = require('./harness/n8n');
const { allText } = require('./harness/secrets');
const { startFakePoke } = require('./fakes/fakePoke');
const { startFakePokee, DEFAULT_KEY } = require('./fakes/fakePokee');

let poke;
let fake;
let closedPort;
beforeAll(async () => {
	[poke, fake] = await Promise.all([startFakePoke(), startFakePokee({ eventDelayMs: 1, maxSessions: 1000 })]);
	// a port nothing listens on
	const server = net.createServer();
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	closedPort = server.address().port;
	await new Promise((resolve) => server.close(resolve));
});
afterAll(async () => {
	await Promise.all([poke.close(), fake.close()]);
});
beforeEach(() => {
	poke.reset();
	fake.clearFaults();
	fake.clearRequests();
});

const credentials = (over = {}) => ({
	pokeApi: { apiKey: poke.v2Key, baseUrl: poke.apiUrl, ...(over.pokeApi ?? {}) },
	pokeeApi: { apiKey: DEFAULT_KEY, baseUrl: fake.baseUrl, ...(over.pokeeApi ?? {}) },
});
const node = (type, parameters, extra = {}) => runNode({ type, parameters, credentials: credentials(extra.credentials), ...extra });

const N8N_RETRY_TEXT = 'retry the request immediately';

/** What every connection error must hold: no invitation to retry, no key, no doubled period. */
function expectClean(error) {
	expect(error?.name).toBe('NodeApiError');
	const text = allText(error);
	expect(text).not.toContain(N8N_RETRY_TEXT);
	expect(text).not.toMatch(/You can retry/i);
	expect(`${error.message} ${error.description}`).not.toMatch(/\.\./);
	expect(text).not.toContain(poke.v2Key);
	expect(text).not.toContain(DEFAULT_KEY);
}

/** A sent-but-unanswered error of a request that is not safe to repeat. */
function expectMayHaveHappened(error, api, code, howToCheck) {
	expectClean(error);
	expect(error.message).toBe(`No answer from the ${api} API (${code}): the request may already have been carried out`);
	expect(error.description).toMatch(/^The connection broke after the request was sent, before the answer came \(socket hang up\)\. /);
	expect(error.description).toContain(howToCheck);
	expect(error.description).not.toMatch(/can be run again|safe to repeat/);
}

describe('Poke: sent, then the connection broke (the fake carried the request out)', () => {
	test('Message → Send: the message was delivered; the error says so and how to check, one request', async () => {
		poke.fault({ path: /api-message$/, kind: 'reset', afterProcessing: true });
		const { error } = await node('poke', { resource: 'message', operation: 'send', message: 'deploy done', options: {} });
		expect(poke.messages.map((m) => m.message)).toEqual(['deploy done']); // it did arrive
		expect(poke.requests).toHaveLength(1); // and was not sent again
		expectMayHaveHappened(error, 'Poke', 'ECONNRESET', 'Poke may already have received the message: look for it in your Poke conversation');
	});

	test('Webhook → Create: the trigger exists; the error says check before creating another', async () => {
		poke.fault({ path: /api-keys\/webhook$/, kind: 'reset', afterProcessing: true });
		const { error } = await node('poke', { resource: 'webhook', operation: 'create', condition: 'When a deploy fails', action: 'Tell me' });
		expect(poke.webhooks.size).toBeGreaterThanOrEqual(1);
		expect(poke.requests).toHaveLength(1);
		expectMayHaveHappened(error, 'Poke', 'ECONNRESET', "The webhook trigger may already have been created: check your Poke agent's triggers");
	});

	test('Webhook → Fire: delivered once; the error says the agent may be acting on it', async () => {
		const created = await node('poke', { resource: 'webhook', operation: 'create', condition: 'c', action: 'a' });
		poke.reset();
		poke.fault({ path: /inbound\/webhook$/, kind: 'reset', afterProcessing: true });
		const { error } = await node(
			'poke',
			{ resource: 'webhook', operation: 'fire', webhookUrl: '={{ $json.webhookUrl }}', webhookToken: '={{ $json.webhookToken }}', dataSource: 'parameter', data: '{"x":1}', options: {} },
			{ items: created.items },
		);
		expect(poke.deliveries).toHaveLength(1);
		expect(poke.requests).toHaveLength(1);
		expectMayHaveHappened(error, 'Poke webhook', 'ECONNRESET', 'The webhook may already have fired');
		expect(allText(error)).not.toContain(created.items[0].json.webhookToken);
	});

	test('with Retry on Server Errors (a duplicate accepted): retried, and after the last attempt still no invitation', async () => {
		poke.fault({ path: /api-message$/, kind: 'reset', afterProcessing: true, times: 4 });
		const { error } = await node('poke', { resource: 'message', operation: 'send', message: 'x', options: { retryServerErrors: true } });
		expect(poke.requests).toHaveLength(4);
		expectClean(error);
		expect(error.message).toBe('No answer from the Poke API (ECONNRESET) after 4 attempts: the request may already have been carried out');
		expect(error.description).toContain('Poke may already have received the message');
	});
});

describe('never left: refused, no DNS answer', () => {
	test('a refused connection: not sent, safe to run again (and retried: 4 attempts)', async () => {
		const { error } = await node('poke', { resource: 'message', operation: 'send', message: 'x', options: {} }, {
			credentials: { pokeApi: { baseUrl: `http://127.0.0.1:${closedPort}/api/v1` } },
		});
		expectClean(error);
		expect(error.message).toBe('Could not reach the Poke API (ECONNREFUSED) after 4 attempts');
		expect(error.description).toBe(
			`The request was not sent (connect ECONNREFUSED 127.0.0.1:${closedPort}), so nothing was carried out and the item can be run again. Check the Base URL in the credential and that the server is reachable.`,
		);
	});

	test('a host name that does not resolve: not sent', async () => {
		const { error } = await node('pokee', { resource: 'session', operation: 'create', sessionOptions: {} }, {
			credentials: { pokeeApi: { baseUrl: 'https://pokee-tenant.invalid' } },
		});
		expectClean(error);
		expect(error.message).toMatch(/^Could not reach the Pokee API \((ENOTFOUND|EAI_AGAIN)\) after 4 attempts$/);
		expect(error.description).toMatch(/^The request was not sent \(getaddrinfo (ENOTFOUND|EAI_AGAIN) pokee-tenant\.invalid\), so nothing was carried out and the item can be run again\. /);
	});

	test('Pokee refused too', async () => {
		const { error } = await node('pokee', { resource: 'usage', operation: 'get' }, {
			credentials: { pokeeApi: { baseUrl: `http://127.0.0.1:${closedPort}` } },
		});
		expectClean(error);
		expect(error.message).toBe('Could not reach the Pokee API (ECONNREFUSED) after 4 attempts');
		expect(error.description).toMatch(/^The request was not sent \(connect ECONNREFUSED 127\.0\.0\.1:\d+\), so nothing was carried out/);
	});
});

describe('Pokee: sent, then the connection broke (the fake did the work first)', () => {
	test('Session → Create: the session exists; how to find it', async () => {
		const before = fake.sessions.size;
		fake.fault({ method: 'POST', path: '/v1/sessions', kind: 'reset' });
		const { error } = await node('pokee', { resource: 'session', operation: 'create', sessionOptions: { metadata: '{"job":"x"}' } });
		expect(fake.sessions.size).toBe(before + 1);
		expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
		expectMayHaveHappened(error, 'Pokee', 'ECONNRESET', 'The session may already have been created: Session → Get Many lists the sessions');
	});

	test('Message → Send with New Session: the same for its session create; no message sent', async () => {
		fake.fault({ method: 'POST', path: '/v1/sessions', kind: 'reset' });
		const { error } = await node('pokee', { resource: 'message', operation: 'send', sessionMode: 'new', sessionOptions: {}, message: 'hi', options: {} });
		expect(fake.requests.filter((r) => /\/messages$/.test(r.path))).toHaveLength(0);
		expectMayHaveHappened(error, 'Pokee', 'ECONNRESET', 'The session may already have been created');
	});

	test('Tool Result → Submit: the result was taken; how to check with Resume', async () => {
		const tools = [{ type: 'function', name: 'lookup_order', parameters: { type: 'object', properties: { order_id: { type: 'string' } } } }];
		const sid = fake.createSession({ persistent: true, tools }).id;
		const asked = await node('pokee', { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: sid, message: '#client-tool', options: { returnToolCalls: true } });
		const call = asked.items[0].json;
		fake.clearRequests();
		fake.fault({ method: 'POST', path: /\/tool_results$/, kind: 'reset' });
		const { error } = await node('pokee', { resource: 'toolResult', operation: 'submit', output: 'shipped', options: {} }, { items: asked.items });
		expect(fake.requests.filter((r) => /\/tool_results$/.test(r.path))).toHaveLength(1);
		expect(fake.turns.get(call.response_id).pendingCall).toBeNull(); // taken: the turn went on
		expectMayHaveHappened(
			error,
			'Pokee',
			'ECONNRESET',
			`The result for call ${call.tool_call.call_id} may already have been taken: Message → Resume with response ID ${call.response_id} shows whether the turn went on past the call`,
		);
	});

	test('Response → Create, not streamed: generated; the error says it cannot be looked up and running again generates another', async () => {
		fake.fault({ method: 'POST', path: '/v1/responses', kind: 'reset' });
		const { error } = await node('pokee', { resource: 'response', operation: 'create', inputType: 'text', input: 'hi', model: '', tools: '[]', reasoningEffort: 'minimal', stream: false, options: {} });
		expect(fake.requests.filter((r) => r.path === '/v1/responses')).toHaveLength(1);
		expectMayHaveHappened(error, 'Pokee', 'ECONNRESET', 'The response may already have been generated (and counted in Usage → Get)');
	});

	test('Response → Create, not streamed: a timeout after the request was written is "sent, no answer" too', async () => {
		fake.fault({ method: 'POST', path: '/v1/responses', kind: 'hang' });
		const { error } = await node('pokee', { resource: 'response', operation: 'create', inputType: 'text', input: 'hi', model: '', tools: '[]', reasoningEffort: 'minimal', stream: false, options: { timeLimit: 1 } });
		expect(fake.requests.filter((r) => r.path === '/v1/responses')).toHaveLength(1);
		expectClean(error);
		expect(error.message).toMatch(/^No answer from the Pokee API \((ECONNABORTED|ETIMEDOUT)\): the request may already have been carried out$/);
		expect(error.description).toMatch(/^No answer came in time after the request was sent \(timeout of 1000ms exceeded\)\. The response may already have been generated/);
	});

	test('Message → Send (Idempotency-Key): retried with the same key, then says the turn may have started and how to check', async () => {
		const sid = fake.createSession({ persistent: true }).id;
		const before = fake.turnsStarted;
		fake.fault({ method: 'POST', path: /\/messages$/, kind: 'reset', times: 4 });
		const { error } = await node('pokee', { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: sid, message: 'hi', options: {} });
		const posts = fake.requests.filter((r) => /\/messages$/.test(r.path));
		expect(posts).toHaveLength(4);
		expect(new Set(posts.map((p) => p.headers['idempotency-key'])).size).toBe(1);
		expect(fake.turnsStarted - before).toBe(1); // the one turn did start
		expectClean(error);
		expect(error.message).toBe('No answer from the Pokee API (ECONNRESET) after 4 attempts: the request may already have been carried out');
		expect(error.description).toContain(`The turn may already have started: Session → Get shows whether session ${sid} is busy`);
		expect(error.description).toContain('unless you set the Idempotency Key option');
	});

	test('Response → Create, streamed: the same, with its own wording', async () => {
		fake.fault({ method: 'POST', path: '/v1/responses', kind: 'reset', times: 4 });
		const { error } = await node('pokee', { resource: 'response', operation: 'create', inputType: 'text', input: 'hi', model: '', tools: '[]', reasoningEffort: 'minimal', stream: true, options: { idempotencyKey: 'my-key-1' } });
		expect(fake.requests.filter((r) => r.path === '/v1/responses')).toHaveLength(4);
		expectClean(error);
		expect(error.message).toBe('No answer from the Pokee API (ECONNRESET) after 4 attempts: the request may already have been carried out');
		expect(error.description).toContain('The response may already be generating. Running the item again with the same Idempotency Key replays it');
	});

	test('a request safe to repeat (GET) that keeps failing: retried, then a plain error without an invitation', async () => {
		fake.fault({ method: 'GET', path: '/v1/usage', kind: 'reset', times: 4 });
		const { error } = await node('pokee', { resource: 'usage', operation: 'get' });
		expect(fake.requests.filter((r) => r.path === '/v1/usage')).toHaveLength(4);
		expectClean(error);
		expect(error.message).toBe('No answer from the Pokee API (ECONNRESET) after 4 attempts');
		expect(error.description).toBe('The connection broke after the request was sent, before the answer came (socket hang up). This request is safe to repeat. Check that the server is reachable.');
	});
});
