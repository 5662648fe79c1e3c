'use strict';
/**
 * The Pokee Chat Model, supplied by n8n's real SupplyDataContext (test/harness/n8n.js runSupply)
 * and called through n8n's SDK adapter or its own generate/stream, against the loopback fake
 * Pokee API: request bodies, Idempotency-Keys, resumes after mid-stream drops (with no extra
 * response started), tool-call round trips, Pokee's usage in run data and errors.
 */
const { runSupply } = require('./harness/n8n');
const { allText } = require('./harness/secrets');
const { DEFAULT_KEY } = require('./fakes/fakePokee');
const { useFakePokee } = require('./harness/fakes');
const { until } = require('./harness/wait');

const fake = useFakePokee({ eventDelayMs: 0 });

const creds = (over = {}) => ({ pokeeApi: { apiKey: DEFAULT_KEY, baseUrl: fake.baseUrl, ...over } });

/** Supplies the model; returns n8n's adapter and the model itself. */
async function supply(parameters = {}, extra = {}) {
	const out = await runSupply({
		type: 'pokeeChatModel',
		parameters: { model: 'pokee-isaac-high-reasoning', reasoningEffort: 'minimal', options: {}, ...parameters },
		credentials: extra.credentials ?? creds(),
		executionId: extra.executionId,
	});
	if (out.error) throw out.error;
	return { ...out, model: out.response.chatModel };
}

const user = (text) => ({ role: 'user', content: [{ type: 'text', text }] });
const posts = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/responses');
const resumes = () => fake.requests.filter((r) => r.method === 'GET' && /^\/v1\/responses\/[^/]+\/events$/.test(r.path));

/** The text the fake's response really emitted (its output_text deltas, in order). */
const emittedText = (rid) => fake.turns.get(rid).text();

async function collect(stream) {
	const chunks = [];
	for await (const chunk of stream) chunks.push(chunk);
	return chunks;
}

const textOf = (chunks) => chunks.filter((c) => c.type === 'text-delta').map((c) => c.delta).join('');

describe('Pokee Chat Model', () => {
	test('generate: model, reasoning effort, temperature and max output tokens reach the server; Pokee usage; an Idempotency-Key', async () => {
		const { model } = await supply({
			model: 'pokee-isaac',
			reasoningEffort: 'high',
			options: { temperature: 0.2, maxOutputTokens: 300 },
		});
		const result = await model.generate([{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] }, user('Hi')]);
		const [post] = posts();
		expect(posts()).toHaveLength(1);
		expect(post.json).toEqual({
			model: 'pokee-isaac',
			input: [
				{ role: 'system', content: 'Be brief.' },
				{ role: 'user', content: 'Hi' },
			],
			stream: true,
			reasoning: { effort: 'high' },
			temperature: 0.2,
			max_output_tokens: 300,
		});
		expect(post.headers['idempotency-key']).toMatch(/^n8n-[0-9a-f]{32}$/);
		expect(post.headers.authorization).toBe(`Bearer ${DEFAULT_KEY}`);
		const turn = fake.turns.get(result.id);
		expect(turn.model).toBe('pokee-isaac');
		expect(result.message.content).toEqual([{ type: 'text', text: emittedText(result.id) }]);
		expect(emittedText(result.id)).toBe('Hello from Pokee.');
		// the reasoning the server streamed (effort high) and its own usage figures
		expect(result.providerMetadata.reasoning).toBe('Let me think about this — carefully 🙂');
		const completed = turn.events.find((e) => e.type === 'response.completed').data.response.usage;
		expect(result.usage).toEqual({
			promptTokens: completed.input_tokens,
			completionTokens: completed.output_tokens,
			totalTokens: completed.total_tokens,
		});
		expect(result.finishReason).toBe('stop');
	});

	test("n8n's run data carries Pokee's usage, not an estimate (through n8n's adapter)", async () => {
		const { response, outputs } = await supply();
		const message = await response.invoke('Hello there');
		expect(message.text).toBe('Hello from Pokee.');
		const [post] = posts();
		const rid = [...fake.turns.values()].find((t) => t.idempotencyKey === post.headers['idempotency-key']).rid;
		const usage = fake.turns.get(rid).events.find((e) => e.type === 'response.completed').data.response.usage;
		const traced = outputs.find((o) => o.type === 'ai_languageModel').data[0][0].json;
		expect(traced.tokenUsage).toEqual({
			promptTokens: usage.input_tokens,
			completionTokens: usage.output_tokens,
			totalTokens: usage.total_tokens,
		});
		expect(traced.tokenUsageEstimate).toBeUndefined();
	});

	test('a custom model name is sent trimmed', async () => {
		const { model } = await supply({ model: 'custom', customModel: ' pokee-isaac ' });
		await model.generate([user('Hi')]);
		expect(posts()[0].json.model).toBe('pokee-isaac');
	});

	test('tool round trip: function tools in the flat shape, function_call out, function_call_output back in', async () => {
		const { model } = await supply();
		const withTools = model.withTools([
			{
				type: 'function',
				name: 'send_to_phone',
				description: 'Send a text to my phone',
				inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
			},
		]);
		const first = await withTools.generate([user('Tell me on my phone when it is done: call send_to_phone')]);
		expect(first.finishReason).toBe('tool-calls');
		const call = first.message.content.find((c) => c.type === 'tool-call');
		expect(call).toMatchObject({ toolName: 'send_to_phone', input: '{"text":"example"}' });
		expect(posts()[0].json.tools).toEqual([
			{
				type: 'function',
				name: 'send_to_phone',
				description: 'Send a text to my phone',
				parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
			},
		]);
		const second = await withTools.generate([
			user('Tell me on my phone when it is done: call send_to_phone'),
			first.message,
			{ role: 'tool', content: [{ type: 'tool-result', toolCallId: call.toolCallId, result: '{"sent":true}' }] },
		]);
		expect(second.message.content).toEqual([{ type: 'text', text: 'Tool result: {"sent":true}' }]);
		expect(posts()[1].json.input).toEqual([
			{ role: 'user', content: 'Tell me on my phone when it is done: call send_to_phone' },
			{ type: 'function_call', call_id: call.toolCallId, name: 'send_to_phone', arguments: '{"text":"example"}' },
			{ type: 'function_call_output', call_id: call.toolCallId, output: '{"sent":true}' },
		]);
		// two different calls: two keys
		expect(posts()[0].headers['idempotency-key']).not.toBe(posts()[1].headers['idempotency-key']);
	});

	test('stream: text deltas as they come, a tool call as one tool-call-delta, finish with Pokee usage', async () => {
		const { model } = await supply();
		const chunks = await collect(model.stream([user('Say it #long')]));
		const rid = [...fake.turns.values()].at(-1).rid;
		expect(textOf(chunks)).toBe(emittedText(rid));
		expect(chunks.filter((c) => c.type === 'text-delta').length).toBe(200);
		const finish = chunks.at(-1);
		expect(finish).toMatchObject({ type: 'finish', finishReason: 'stop' });
		expect(finish.usage.completionTokens).toBe(200);

		const tooled = model.withTools([{ type: 'function', name: 'notify', inputSchema: { type: 'object', properties: {} } }]);
		const toolChunks = await collect(tooled.stream([user('#client-tool please')]));
		expect(toolChunks.filter((c) => c.type === 'tool-call-delta')).toEqual([
			{ type: 'tool-call-delta', id: expect.stringMatching(/^call_/), name: 'notify', argumentsDelta: '{}' },
		]);
		expect(toolChunks.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
	});

	test('the first text is handed over before the rest of a buffered answer is parsed; the rest follows on resume', async () => {
		const { runResponse } = require('../nodes/PokeeChatModel/model/stream');
		const { model } = await supply();
		const deltas = [];
		let resume;
		const result = runResponse({
			ctx: model.deps.ctx,
			env: model.deps.env,
			body: { model: 'pokee-isaac', input: [{ role: 'user', content: 'all at once #long' }], stream: true },
			idempotencyKey: 'n8n-first-text-test',
			signal: new AbortController().signal,
			timeoutSeconds: 60,
			onTextDelta: (delta) => void deltas.push(delta),
			onPause: (r) => (resume = r),
		});
		await until(() => resume !== undefined, 'the pause');
		const rid = [...fake.turns.values()].at(-1).rid;
		// the whole answer was written (this fake sends it without delay) and is on the client's side
		await until(() => fake.turns.get(rid).done, 'the answer written');
		await new Promise((r) => setTimeout(r, 50));
		expect(deltas).toHaveLength(1);
		resume();
		const { response, responseId, resumes: resumed } = await result;
		expect(deltas.join('')).toBe(emittedText(rid));
		expect(deltas).toHaveLength(200);
		expect([responseId, response.status, resumed]).toEqual([rid, 'completed', 0]);
		expect(posts()).toHaveLength(1);
		expect(resumes()).toHaveLength(0);
	});

	test('one answer dropped 20 times mid-stream: resumed with Last-Event-ID each time, exact text, one response started', async () => {
		const { model } = await supply();
		const started = fake.turnsStarted;
		fake.fault({ path: /^\/v1\/responses/, kind: 'dropAfter', events: 5, times: 20 });
		const chunks = await collect(model.stream([user('A long one #long')]));
		expect(fake.turnsStarted - started).toBe(1);
		expect(posts()).toHaveLength(1);
		const gets = resumes();
		expect(gets).toHaveLength(20);
		const cursors = gets.map((r) => Number(r.headers['last-event-id']));
		expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
		expect(new Set(cursors).size).toBe(20);
		const rid = [...fake.turns.values()].at(-1).rid;
		expect(gets.every((r) => r.path === `/v1/responses/${rid}/events`)).toBe(true);
		expect(textOf(chunks)).toBe(emittedText(rid));
		expect(emittedText(rid)).toMatch(/^1\. Pokée streams — café 🙂\n[\s\S]*200\. Pokée streams — café 🙂\n$/);
	});

	test('20 answers, each dropped mid-stream: 20 complete exact answers, 0 extra responses started', async () => {
		const { model } = await supply();
		const started = fake.turnsStarted;
		const answers = [];
		for (let i = 0; i < 20; i++) {
			fake.fault({ method: 'POST', path: '/v1/responses', kind: 'dropAfter', events: 3 + i });
			answers.push(await model.generate([user(`Answer ${i} #long`)]));
		}
		expect(fake.turnsStarted - started).toBe(20);
		expect(posts()).toHaveLength(20);
		expect(resumes()).toHaveLength(20);
		for (const answer of answers) {
			expect(answer.message.content).toEqual([{ type: 'text', text: emittedText(answer.id) }]);
			expect(emittedText(answer.id).length).toBeGreaterThan(5000);
		}
	});

	test('an answer lost before any byte arrived: the retry carries the same Idempotency-Key and replays it (one response)', async () => {
		const { model } = await supply();
		const started = fake.turnsStarted;
		fake.fault({ method: 'POST', path: '/v1/responses', kind: 'reset' });
		const result = await model.generate([user('Hi')]);
		expect(result.message.content).toEqual([{ type: 'text', text: 'Hello from Pokee.' }]);
		expect(fake.turnsStarted - started).toBe(1);
		const [a, b] = posts();
		expect(posts()).toHaveLength(2);
		expect(b.headers['idempotency-key']).toBe(a.headers['idempotency-key']);
	});

	test("n8n's Retry On Fail (a fresh model, same execution) replays the same call; a repeated identical call in one run gets a new key", async () => {
		const first = await supply({}, { executionId: 'exec-retry' });
		await first.model.generate([user('Hi')]);
		const started = fake.turnsStarted;
		const again = await supply({}, { executionId: 'exec-retry' });
		const replayed = await again.model.generate([user('Hi')]);
		expect(replayed.message.content).toEqual([{ type: 'text', text: 'Hello from Pokee.' }]);
		expect(fake.turnsStarted).toBe(started); // replayed, not generated again
		const [k1, k2] = posts().map((r) => r.headers['idempotency-key']);
		expect(k2).toBe(k1);
		// the same model asked the same thing a second time: a new answer, a new key
		await again.model.generate([user('Hi')]);
		expect(fake.turnsStarted).toBe(started + 1);
		expect(posts()[2].headers['idempotency-key']).not.toBe(k1);
		// another execution: another key
		const other = await supply({}, { executionId: 'exec-other' });
		await other.model.generate([user('Hi')]);
		expect(posts()[3].headers['idempotency-key']).not.toBe(k1);
	});

	test("Retry On Fail after a response that failed starts a new response (the failed one's key would only replay the failure)", async () => {
		const message = `Hi #error-once ${Date.now()}`;
		const first = await supply({}, { executionId: 'exec-failed-once' });
		const failed = await first.model.generate([user(message)]).catch((e) => e);
		expect(failed.message).toMatch(/^Pokee: /);
		const started = fake.turnsStarted;
		const again = await supply({}, { executionId: 'exec-failed-once' });
		const retried = await again.model.generate([user(message)]);
		expect(retried.message.content).toEqual([{ type: 'text', text: expect.any(String) }]);
		expect(retried.message.content[0].text.length).toBeGreaterThan(0);
		expect(fake.turnsStarted).toBe(started + 1); // a new response, not the failed one replayed
		const [k1, k2] = posts().map((r) => r.headers['idempotency-key']);
		expect(posts()).toHaveLength(2);
		expect(k2).not.toBe(k1);
	});

	test('errors: 401 names the credential and never shows the key; 400 carries the API message and a hint', async () => {
		const wrong = 'pk_acme_wrongwrongwrong';
		const bad = await supply({}, { credentials: creds({ apiKey: wrong }) });
		const e401 = await bad.model.generate([user('Hi')]).catch((e) => e);
		expect(e401.constructor.name).toBe('NodeApiError');
		expect(e401.message).toBe('Pokee: invalid API key');
		expect(e401.description).toMatch(/Pokee API credential/);
		expect(allText(e401)).not.toContain(wrong);

		const unknown = await supply({ model: 'custom', customModel: 'no-such-model' });
		const e400 = await unknown.model.generate([user('Hi')]).catch((e) => e);
		expect(e400.message).toBe("Pokee API error (400): unknown model 'no-such-model'");
		expect(e400.description).toMatch(/Model name/);
		expect(allText(e400)).not.toContain(DEFAULT_KEY);
	});

	test('503 is retried with the same Idempotency-Key, then fails with the API message and a hint', async () => {
		const { model } = await supply();
		fake.fault({ method: 'POST', path: '/v1/responses', kind: 'status', status: 503, times: 4 });
		const error = await model.generate([user('Hi')]).catch((e) => e);
		expect(error.message).toBe('Pokee API error (503): injected 503');
		expect(error.description).toMatch(/degraded.*Failed after 4 attempts/);
		expect(posts()).toHaveLength(4);
		expect(new Set(posts().map((r) => r.headers['idempotency-key'])).size).toBe(1);
	});

	test('an empty custom model name fails before any request, naming the field', async () => {
		const out = await runSupply({
			type: 'pokeeChatModel',
			parameters: { model: 'custom', customModel: '  ', reasoningEffort: 'minimal', options: {} },
			credentials: creds(),
		});
		expect(out.error.constructor.name).toBe('NodeOperationError');
		expect(out.error.message).toMatch(/Model Name is empty/);
		expect(fake.requests).toHaveLength(0);
	});

	test('a Timeout a timer cannot hold, or not a positive whole number, fails before any request, naming the field', async () => {
		for (const [timeout, problem] of [
			[2_147_484, /^Timeout must be at most 5400 \(item 0\)$/],
			[0, /^Timeout must be a positive whole number \(item 0\)$/],
			[1.5, /^Timeout must be a positive whole number \(item 0\)$/],
		]) {
			const out = await runSupply({
				type: 'pokeeChatModel',
				parameters: { model: 'pokee-isaac', reasoningEffort: 'minimal', options: { timeout } },
				credentials: creds(),
			});
			expect([timeout, out.error?.constructor.name, out.error?.message]).toEqual([timeout, 'NodeOperationError', expect.stringMatching(problem)]);
		}
		expect(fake.requests).toHaveLength(0);
	});

	test('files in the prompt fail before any request', async () => {
		const { model } = await supply();
		const error = await model
			.generate([{ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'file', mediaType: 'image/png', data: 'AAAA' }] }])
			.catch((e) => e);
		expect(error.message).toMatch(/sends text only/);
		expect(fake.requests).toHaveLength(0);
	});

	test('stopping the call mid-stream cancels the response on the server', async () => {
		const { model } = await supply();
		const controller = new AbortController();
		const stream = model.stream([user('slowly #slow:50')], { abortSignal: controller.signal });
		const error = await (async () => {
			for await (const _chunk of stream) controller.abort();
		})().catch((e) => e);
		expect(error.message).toMatch(/stopped; the answer was cancelled on the server/);
		const rid = [...fake.turns.values()].at(-1).rid;
		expect(fake.requests.some((r) => r.method === 'POST' && r.path === `/v1/responses/${rid}/cancel`)).toBe(true);
		expect(fake.turns.get(rid).status).toBe('cancelled');
	});
});
