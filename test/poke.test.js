'use strict';
/**
 * The Poke node, run by n8n's real engine against the loopback fake Poke API.
 */
const { runNode } = require('./harness/n8n');
const { allText } = require('./harness/secrets');
const { startFakePoke } = require('./fakes/fakePoke');

let fake;
beforeAll(async () => {
	fake = await startFakePoke({ noScopeKeys: ['poke_v2_noscope_key_0002'] });
});
afterAll(async () => {
	await fake.close();
});
beforeEach(() => fake.reset());

const creds = (over = {}) => ({ pokeApi: { apiKey: fake.v2Key, baseUrl: fake.apiUrl, ...over } });

const send = (parameters, extra = {}) =>
	runNode({ type: 'poke', parameters: { resource: 'message', operation: 'send', ...parameters }, credentials: creds(), ...extra });

const fire = (parameters, extra = {}) =>
	runNode({
		type: 'poke',
		parameters: { resource: 'webhook', operation: 'fire', dataSource: 'parameter', ...parameters },
		credentials: creds(),
		...extra,
	});

async function createWebhook() {
	const { items, error } = await runNode({
		type: 'poke',
		parameters: { resource: 'webhook', operation: 'create', condition: 'When a deploy fails', action: 'Tell me' },
		credentials: creds(),
	});
	expect(error).toBeUndefined();
	return items[0].json;
}

describe('Message → Send', () => {
	test('sends {message} with the bearer key and outputs the API response', async () => {
		const { items, error } = await send({ message: 'Summarize my unread emails' });
		expect(error).toBeUndefined();
		expect(items).toEqual([
			{ json: { success: true, message: 'Message sent successfully' }, pairedItem: { item: 0 } },
		]);
		expect(fake.requests).toHaveLength(1);
		const [req] = fake.requests;
		expect(req.method).toBe('POST');
		expect(req.path).toBe('/api/v1/inbound/api-message');
		expect(req.headers.authorization).toBe(`Bearer ${fake.v2Key}`);
		expect(req.headers['content-type']).toMatch(/application\/json/);
		expect(req.json).toEqual({ message: 'Summarize my unread emails' });
	});

	test('merges Extra Context fields into the body', async () => {
		const { error } = await send({
			message: 'hi',
			options: { extraContext: '{"source":"n8n","run_id":42,"metadata":{"a":[1,2]}}' },
		});
		expect(error).toBeUndefined();
		expect(fake.requests[0].json).toEqual({ source: 'n8n', run_id: 42, metadata: { a: [1, 2] }, message: 'hi' });
	});

	test('one request per item, output paired to its item', async () => {
		const { items } = await send(
			{ message: '={{ $json.text }}' },
			{ items: [{ json: { text: 'one' } }, { json: { text: 'two' } }, { json: { text: 'three' } }] },
		);
		expect(fake.messages.map((m) => m.message)).toEqual(['one', 'two', 'three']);
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test('a trailing slash in the credential Base URL is normalised', async () => {
		const { error } = await runNode({
			type: 'poke',
			parameters: { resource: 'message', operation: 'send', message: 'x' },
			credentials: creds({ baseUrl: `${fake.apiUrl}///` }),
		});
		expect(error).toBeUndefined();
		expect(fake.requests[0].path).toBe('/api/v1/inbound/api-message');
	});
});

describe('Webhook → Create and Fire', () => {
	test('create outputs triggerId, webhookUrl and webhookToken', async () => {
		const hook = await createWebhook();
		expect(hook.triggerId).toMatch(/^[0-9a-f-]{36}$/);
		expect(hook.webhookUrl).toBe(`${fake.apiUrl}/inbound/webhook`);
		expect(hook.webhookToken).toMatch(/^whk_test_/);
		expect(fake.requests[0].json).toEqual({ condition: 'When a deploy fails', action: 'Tell me' });
	});

	test('fire sends the JSON data with the webhook token (not the API key)', async () => {
		const hook = await createWebhook();
		fake.reset();
		const { items, error } = await fire({
			webhookUrl: hook.webhookUrl,
			webhookToken: hook.webhookToken,
			data: '{"event":"deploy_failed","repo":"my-app"}',
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({ success: true });
		expect(fake.requests).toHaveLength(1);
		expect(fake.requests[0].headers.authorization).toBe(`Bearer ${hook.webhookToken}`);
		expect(fake.deliveries).toEqual([
			{ triggerId: hook.triggerId, token: hook.webhookToken, body: { event: 'deploy_failed', repo: 'my-app' } },
		]);
	});

	test('fire can send the whole incoming item, mapped from a Create step', async () => {
		const hook = await createWebhook();
		fake.reset();
		const { items, error } = await fire(
			{ webhookUrl: '={{ $json.webhookUrl }}', webhookToken: '={{ $json.webhookToken }}', dataSource: 'item' },
			{ items: [{ json: { ...hook, event: 'new_signup', plan: 'pro' } }] },
		);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(fake.deliveries[0].body).toEqual({ ...hook, event: 'new_signup', plan: 'pro' });
	});

	test('fire with concurrency keeps output order and pairing', async () => {
		const hook = await createWebhook();
		fake.reset();
		const inputs = Array.from({ length: 20 }, (_, n) => ({ json: { n } }));
		const { items, error } = await fire(
			{ webhookUrl: hook.webhookUrl, webhookToken: hook.webhookToken, dataSource: 'item', options: { concurrency: 5 } },
			{ items: inputs },
		);
		expect(error).toBeUndefined();
		expect(items.map((i) => i.pairedItem.item)).toEqual(inputs.map((_, n) => n));
		expect(fake.deliveries.map((d) => d.body.n).sort((a, b) => a - b)).toEqual(inputs.map((_, n) => n));
	});

	test('the token is only sent to the credential host unless another host is allowed', async () => {
		const { error } = await fire({
			webhookUrl: 'https://evil.example.com/api/v1/inbound/webhook',
			webhookToken: 'whk_test_abc',
			data: '{}',
		});
		expect(error.message).toMatch(/Webhook URL points to evil\.example\.com, not to the credential's host 127\.0\.0\.1:\d+ \(item 0\)/);
		expect(fake.requests).toHaveLength(0);
	});

	test('another host must still be https even when allowed', async () => {
		const { error } = await fire({
			webhookUrl: 'http://localhost:1/hook',
			webhookToken: 'whk_test_abc',
			data: '{}',
			options: { allowOtherHost: true },
		});
		expect(error.message).toMatch(/Webhook URL must use https when it is on another host \(item 0\)/);
		expect(fake.requests).toHaveLength(0);
	});

	test('a wrong token gives the API message and never shows the token', async () => {
		const { error } = await fire({
			webhookUrl: `${fake.apiUrl}/inbound/webhook`,
			webhookToken: 'whk_test_wrong_token_value_123',
			data: '{"a":1}',
		});
		expect(error.message).toBe('Poke: the webhook token was rejected');
		expect(error.description).toMatch(/Invalid webhook token/);
		expect(allText(error)).not.toContain('whk_test_wrong_token_value_123');
	});
});

describe('API errors', () => {
	test('401 → invalid key with the hint where to get one; the key never appears', async () => {
		const { error } = await runNode({
			type: 'poke',
			parameters: { resource: 'message', operation: 'send', message: 'x' },
			credentials: creds({ apiKey: 'poke_v2_wrong_key_value_999' }),
		});
		expect(error.message).toBe('Poke: invalid API key');
		expect(error.description).toContain('https://poke.com/kitchen/api-keys');
		expect(error.description).toContain('Invalid API key');
		expect(error.httpCode).toBe('401');
		expect(allText(error)).not.toContain('poke_v2_wrong_key_value_999');
	});

	test('403 → missing scope', async () => {
		const { error } = await runNode({
			type: 'poke',
			parameters: { resource: 'webhook', operation: 'create', condition: 'c', action: 'a' },
			credentials: creds({ apiKey: 'poke_v2_noscope_key_0002' }),
		});
		expect(error.message).toBe("Poke: the API key doesn't have permission for this action");
		expect(error.description).toMatch(/Missing scope: webhooks:create.*scopes at https:\/\/poke\.com\/kitchen\/api-keys/);
	});

	test('429 waits for Retry-After then retries', async () => {
		fake.fault({ path: /api-message$/, kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: { error: 'Slow down' } });
		const { items, error } = await send({ message: 'x' });
		expect(error).toBeUndefined();
		expect(items[0].json.success).toBe(true);
		expect(fake.requests).toHaveLength(2);
		expect(fake.requests[1].at - fake.requests[0].at).toBeGreaterThanOrEqual(950);
	});

	test('429 on every attempt → bounded retries then a clear error', async () => {
		fake.fault({ path: /api-message$/, kind: 'status', status: 429, headers: { 'Retry-After': '0' }, body: { error: 'Slow down' }, times: 10 });
		const { error } = await send({ message: 'x' });
		expect(fake.requests).toHaveLength(4);
		expect(error.message).toBe('Poke: rate limited');
		expect(error.description).toMatch(/Slow down.*Still rate limited after 4 attempts/);
	});

	test('429 asking for a wait beyond the bound fails at once', async () => {
		fake.fault({ path: /api-message$/, kind: 'status', status: 429, headers: { 'Retry-After': '3600' }, times: 10 });
		const { error } = await send({ message: 'x' });
		expect(fake.requests).toHaveLength(1);
		expect(error.description).toMatch(/asks to wait 3600 s/);
	});

	test('5xx on a send is not repeated by default (it may have been delivered)', async () => {
		fake.fault({ path: /api-message$/, kind: 'status', status: 502, body: { message: 'Bad gateway upstream' } });
		const { error } = await send({ message: 'x' });
		expect(fake.requests).toHaveLength(1);
		expect(error.message).toBe('Poke API error (502): Bad gateway upstream');
	});

	test('5xx with Retry on Server Errors → retried with backoff until it works', async () => {
		fake.fault({ path: /api-message$/, kind: 'status', status: 503, times: 2 });
		const { items, error } = await send({ message: 'x', options: { retryServerErrors: true } });
		expect(error).toBeUndefined();
		expect(items[0].json.success).toBe(true);
		expect(fake.requests).toHaveLength(3);
	});

	test('5xx with retries on every attempt → clear error after the bound', async () => {
		fake.fault({ path: /api-message$/, kind: 'status', status: 500, body: { error: 'boom' }, times: 10 });
		const { error } = await send({ message: 'x', options: { retryServerErrors: true } });
		expect(fake.requests).toHaveLength(4);
		expect(error.message).toBe('Poke API error (500): boom');
		expect(error.description).toMatch(/Failed after 4 attempts/);
	});

	test('connection reset with retries → retried; without → clear error, one request', async () => {
		fake.fault({ path: /api-message$/, kind: 'reset' });
		const retried = await send({ message: 'x', options: { retryServerErrors: true } });
		expect(retried.error).toBeUndefined();
		expect(fake.requests).toHaveLength(2);

		fake.reset();
		fake.fault({ path: /api-message$/, kind: 'reset' });
		const { error } = await send({ message: 'x' });
		expect(fake.requests).toHaveLength(1);
		expect(error.message).toBe('No answer from the Poke API (ECONNRESET): the request may already have been carried out');
		expect(allText(error)).not.toContain(fake.v2Key);
	});

	test('other statuses → NodeApiError carrying the API error text', async () => {
		fake.fault({ path: /api-keys\/webhook$/, kind: 'status', status: 418, body: { message: 'I am a teapot' } });
		const { error } = await runNode({
			type: 'poke',
			parameters: { resource: 'webhook', operation: 'create', condition: 'c', action: 'a' },
			credentials: creds(),
		});
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe('Poke API error (418): I am a teapot');
	});

	test('continueOnFail turns each failing item into an {error} item and goes on', async () => {
		const { items, error } = await send(
			{ message: '={{ $json.text }}' },
			{ items: [{ json: { text: 'ok' } }, { json: { text: '' } }, { json: { text: 'ok too' } }], continueOnFail: true },
		);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(3);
		expect(items[0].json).toEqual({ success: true, message: 'Message sent successfully' });
		expect(items[1].json.error).toBe('Message must not be empty (item 1)');
		expect(items[1].pairedItem).toEqual({ item: 1 });
		expect(items[2].json.success).toBe(true);
		expect(fake.messages.map((m) => m.message)).toEqual(['ok', 'ok too']);
	});

	test('the API key never appears in any output or error of this suite run', async () => {
		const results = [
			await send({ message: 'x' }),
			await runNode({
				type: 'poke',
				parameters: { resource: 'message', operation: 'send', message: 'x' },
				credentials: creds({ baseUrl: 'http://127.0.0.1:9/api/v1' }),
			}),
		];
		for (const r of results) expect(allText({ items: r.items, error: r.error })).not.toContain(fake.v2Key);
	});
});

describe('bad input → NodeOperationError naming field and item, nothing sent', () => {
	const cases = [
		['empty message', { resource: 'message', operation: 'send', message: '   ' }, /^Message must not be empty \(item 0\)$/],
		['extra context not JSON', { resource: 'message', operation: 'send', message: 'x', options: { extraContext: '{nope' } }, /^Extra Context is not valid JSON \(item 0\)$/],
		['extra context an array', { resource: 'message', operation: 'send', message: 'x', options: { extraContext: '[1,2]' } }, /^Extra Context must be a JSON object \(item 0\)$/],
		['extra context with message', { resource: 'message', operation: 'send', message: 'x', options: { extraContext: '{"message":"y"}' } }, /^Extra Context must not contain a "message" field \(item 0\)$/],
		['empty condition', { resource: 'webhook', operation: 'create', condition: '={{ "" }}', action: 'a' }, /^Condition must not be empty \(item 0\)$/],
		['empty action', { resource: 'webhook', operation: 'create', condition: 'c', action: ' ' }, /^Action must not be empty \(item 0\)$/],
		['data not a JSON object', { resource: 'webhook', operation: 'fire', dataSource: 'parameter', webhookUrl: 'WEBHOOK', webhookToken: 't0ken', data: '"text"' }, /^Data must be a JSON object \(item 0\)$/],
		['data invalid JSON', { resource: 'webhook', operation: 'fire', dataSource: 'parameter', webhookUrl: 'WEBHOOK', webhookToken: 't0ken', data: '{"a":' }, /^Data is not valid JSON \(item 0\)$/],
		['malformed URL', { resource: 'webhook', operation: 'fire', dataSource: 'parameter', webhookUrl: 'not a url', webhookToken: 't0ken', data: '{}' }, /^Webhook URL is not a valid URL \(item 0\)$/],
		['non-https URL', { resource: 'webhook', operation: 'fire', dataSource: 'parameter', webhookUrl: 'http://poke.com/api/v1/inbound/webhook', webhookToken: 't0ken', data: '{}' }, /^Webhook URL must use https \(item 0\)$/],
		['ftp URL', { resource: 'webhook', operation: 'fire', dataSource: 'parameter', webhookUrl: 'ftp://127.0.0.1/x', webhookToken: 't0ken', data: '{}' }, /^Webhook URL must be an https URL \(item 0\)$/],
		['empty token', { resource: 'webhook', operation: 'fire', dataSource: 'parameter', webhookUrl: 'WEBHOOK', webhookToken: '={{ $json.missing }}', data: '{}' }, /^Webhook Token is required \(item 0\)$/],
		['empty webhook URL', { resource: 'webhook', operation: 'fire', dataSource: 'parameter', webhookUrl: '  ', webhookToken: 't0ken', data: '{}' }, /^Webhook URL is empty \(item 0\)$/],
	];
	test.each(cases)('%s', async (_name, parameters, expected) => {
		const params = { ...parameters };
		if (params.webhookUrl === 'WEBHOOK') params.webhookUrl = `${fake.apiUrl}/inbound/webhook`;
		const { error } = await runNode({ type: 'poke', parameters: params, credentials: creds() });
		expect(error).toBeDefined();
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toMatch(expected);
		expect(fake.requests).toHaveLength(0);
	});

	test('the second item is named when it is the bad one', async () => {
		const { error } = await send(
			{ message: '={{ $json.text }}' },
			{ items: [{ json: { text: 'fine' } }, { json: { text: '' } }] },
		);
		expect(error.message).toBe('Message must not be empty (item 1)');
		expect(fake.messages.map((m) => m.message)).toEqual(['fine']);
	});

	test('n8n itself refuses a missing required parameter before the node runs', async () => {
		const { error } = await runNode({
			type: 'poke',
			parameters: { resource: 'webhook', operation: 'create', condition: '', action: 'a' },
			credentials: creds(),
		});
		expect(error.message).toMatch(/Parameter "Condition" is required/);
		expect(fake.requests).toHaveLength(0);
	});

	test('a non-https credential Base URL is refused before sending', async () => {
		const { error } = await runNode({
			type: 'poke',
			parameters: { resource: 'message', operation: 'send', message: 'x' },
			credentials: creds({ baseUrl: 'http://poke.example.com/api/v1' }),
		});
		expect(error.message).toBe('The Base URL of the Poke API credential must use https');
		expect(fake.requests).toHaveLength(0);
	});

	test('with Continue On Fail, a bad credential Base URL gives every item its own {error} item', async () => {
		const { items, error, status } = await runNode({
			type: 'poke',
			parameters: { resource: 'message', operation: 'send', message: '={{ $json.text }}' },
			credentials: creds({ baseUrl: 'http://poke.example.com/api/v1' }),
			items: [{ json: { text: 'a' } }, { json: { text: 'b' } }],
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(status).toBe('success');
		expect(items).toEqual([0, 1].map((i) => ({
			json: {
				error: 'The Base URL of the Poke API credential must use https',
				description: 'Plain http is only accepted for loopback hosts (localhost, 127.0.0.0/8, ::1).',
			},
			pairedItem: { item: i },
		})));
		expect(fake.requests).toHaveLength(0);
	});
});

describe('credential test', () => {
	const { credentialType } = require('./harness/n8n');
	test('requests GET /user/profile: reads only, sends no message', async () => {
		const { test: check } = credentialType('pokeApi');
		expect(check.request.method).toBe('GET');
		expect(check.request.url).toBe('/user/profile');
		const res = await fetch(`${fake.apiUrl}${check.request.url}`, { headers: { Authorization: `Bearer ${fake.v2Key}` } });
		expect(res.status).toBe(200);
		expect(fake.messages).toHaveLength(0);
	});
});
