'use strict';
/**
 * The Pokee Chat Model end to end in a real n8n (a part of test/e2e/scenario.js): the example
 * agent (Pokee as the model, the Poke node as its tool) completes a tool-call round trip; a
 * Basic LLM Chain answers; 20 answers, each dropped mid-stream, come back whole with no extra
 * response started; the agent streams its answer into a Chat Trigger's response. On n8n before
 * 2.16 (no AI SDK) the model fails with the version it needs and the package's other nodes work.
 *
 * Facts come from the fakes (what arrived over HTTP, what the fake Pokee generated) and from
 * n8n's run data.
 */
const { isDeepStrictEqual } = require('node:util');
const L = require('./lib');

const EXAMPLE = 'pokee-chat-model-agent.json';
const MODEL_NODE = 'Pokee Chat Model';
/** n8n ships the AI SDK from 2.16 on. */
const HAS_SDK = (() => {
	const [major, minor] = L.N8N_VERSION.split('.').map(Number);
	return major > 2 || (major === 2 && minor >= 16);
})();
const DROPS = 20;

const posts = (fakes, before) =>
	fakes.pokee.requests.slice(before).filter((r) => r.method === 'POST' && r.path === '/v1/responses');

/** The text a response of the fake Pokee really emitted (its output_text deltas, in order). */
const emittedText = (fakes, rid) => fakes.pokee.turns.get(rid)?.text();

/** The fake's response started by a request with this Idempotency-Key. */
const turnOf = (fakes, request) =>
	[...fakes.pokee.turns.values()].find((t) => t.idempotencyKey === request?.headers['idempotency-key']);

/** What n8n's tracing recorded for the model node's runs (its ai_languageModel output). */
function modelRuns(run) {
	const runs = run?.data?.resultData?.runData?.[MODEL_NODE] ?? [];
	return runs.map((r) => r.data?.ai_languageModel?.[0]?.[0]?.json ?? {});
}

/** A Basic LLM Chain with the Pokee Chat Model; `prompt` is its text (an expression or not). */
function chainWorkflow(id, name, prompt, items = 1) {
	const nodes = [
		{ id: `${id}-1`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: `${id}-2`,
			name: 'Items',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [200, 0],
			parameters: { jsCode: `return Array.from({ length: ${items} }, (_, n) => ({ json: { n } }));` },
		},
		{
			id: `${id}-3`,
			name: 'Basic LLM Chain',
			type: '@n8n/n8n-nodes-langchain.chainLlm',
			typeVersion: 1.7,
			position: [400, 0],
			parameters: { promptType: 'define', text: prompt },
		},
		{
			id: `${id}-4`,
			name: MODEL_NODE,
			type: 'n8n-nodes-pokee.pokeeChatModel',
			typeVersion: 1,
			position: [400, 220],
			parameters: { model: 'pokee-isaac', reasoningEffort: 'minimal', options: {} },
			credentials: { pokeeApi: { id: 'pokeeApiExample1', name: 'Pokee account' } },
		},
	];
	return {
		id,
		name,
		nodes,
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'Basic LLM Chain', type: 'main', index: 0 }]] },
			[MODEL_NODE]: { ai_languageModel: [[{ node: 'Basic LLM Chain', type: 'ai_languageModel', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

const CHAT_WEBHOOK = 'e2e-pokee-chat-0001';

/** The example agent behind a Chat Trigger that streams its answer (published; n8n start). */
function chatWorkflow(example) {
	const wf = structuredClone(example);
	Object.assign(wf, { id: 'e2eChatModelChat', name: 'E2E: Pokee Chat Model streamed to a chat' });
	const manual = wf.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
	const agent = wf.nodes.find((n) => n.name === 'AI Agent');
	wf.nodes = wf.nodes.filter((n) => n !== manual && n.name !== 'Send to my phone' && n.type !== 'n8n-nodes-base.stickyNote');
	wf.nodes.push({
		id: 'e2e-chat-trigger',
		name: 'When chat message received',
		type: '@n8n/n8n-nodes-langchain.chatTrigger',
		typeVersion: 1.3,
		position: [0, 0],
		webhookId: CHAT_WEBHOOK,
		parameters: { public: true, mode: 'webhook', options: { responseMode: 'streaming' } },
	});
	agent.parameters = { promptType: 'auto', options: { enableStreaming: true } };
	agent.typeVersion = 3;
	delete wf.connections[manual.name];
	delete wf.connections['Send to my phone'];
	wf.connections['When chat message received'] = { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] };
	return wf;
}

/** Test-only workflows this part runs (imported with the others). */
function chatModelWorkflows(wf) {
	return [
		chainWorkflow('e2eChatModelChain', 'E2E: Basic LLM Chain with the Pokee Chat Model', 'Say hello'),
		chainWorkflow('e2eChatModelDrops', 'E2E: 20 answers, each dropped mid-stream', "={{ 'Answer ' + $json.n + ' #long' }}", DROPS),
		chatWorkflow(wf.chatModel),
	];
}

/** The example: Pokee is the agent's model, the Poke node its tool. */
async function chatModelAgent(ctx, execute) {
	const { report, fakes, wf, n8n } = ctx;
	const before = fakes.pokee.requests.length;
	const pokeBefore = fakes.poke.messages?.length ?? 0;
	if (!HAS_SDK) {
		const { result, stored } = await n8n.executeStored(wf.chatModel.id);
		ctx.printed.push(result.output);
		const error = stored && (L.nodeError(stored.data, MODEL_NODE) ?? L.nodeError(stored.data, 'AI Agent') ?? stored.data.resultData?.error);
		report.check(
			`n8n ${L.N8N_VERSION} (no AI SDK): the execution fails with "The Pokee Chat Model needs n8n 2.16 or later"`,
			!result.ok && /The Pokee Chat Model needs n8n 2\.16 or later/.test(`${error?.message ?? ''} ${result.output}`),
			{ ok: result.ok, error: error?.message, output: L.tail(result.output, 10) },
		);
		report.check('nothing was sent to Pokee', posts(fakes, before).length === 0, posts(fakes, before).length);
		return;
	}
	const result = await execute(ctx, wf.chatModel);
	if (!result.ok) return;
	const output = L.nodeOutput(result.run, 'AI Agent')[0]?.json?.output;
	const calls = posts(fakes, before);
	report.check('the agent called Pokee twice over POST /v1/responses', calls.length === 2, calls.map((r) => r.json));
	const [first, second] = calls;
	const modelParams = wf.chatModel.nodes.find((n) => n.name === MODEL_NODE).parameters;
	report.check(
		`model "${modelParams.model}" and reasoning effort "${modelParams.reasoningEffort}" reached the server in both bodies (streamed)`,
		calls.every(
			(r) => r.json?.model === modelParams.model && isDeepStrictEqual(r.json?.reasoning, { effort: modelParams.reasoningEffort }) && r.json?.stream === true,
		),
		calls.map((r) => ({ model: r.json?.model, reasoning: r.json?.reasoning, stream: r.json?.stream })),
	);
	const tool = first?.json?.tools?.find((t) => t.name === 'Send_to_my_phone');
	report.check(
		'the Poke node was offered as the flat function tool Send_to_my_phone with a "message" argument',
		tool?.type === 'function' && tool.parameters?.properties?.message?.type === 'string',
		first?.json?.tools,
	);
	const firstTurn = turnOf(fakes, first);
	const call = firstTurn?.events.find((e) => e.type === 'response.output_item.done' && e.data.item.type === 'function_call')?.data.item;
	const sentToPoke = (fakes.poke.messages ?? []).slice(pokeBefore);
	report.check(
		'Pokee asked for Send_to_my_phone and the Poke tool sent that message to Poke',
		call?.name === 'Send_to_my_phone' && sentToPoke.length === 1 && sentToPoke[0].message === JSON.parse(call.arguments).message,
		{ call, sentToPoke },
	);
	const input = second?.json?.input ?? [];
	const echoed = input.find((i) => i.type === 'function_call');
	const returned = input.find((i) => i.type === 'function_call_output');
	report.check(
		'the second call carried the function_call and its function_call_output (same call_id)',
		echoed?.call_id === call?.call_id && returned?.call_id === call?.call_id && typeof returned.output === 'string',
		input,
	);
	const secondTurn = turnOf(fakes, second);
	const expected = `Tool result: ${returned?.output}`;
	report.check(
		"the agent's answer is exactly the text Pokee generated after the tool result",
		output === expected && emittedText(fakes, secondTurn?.rid) === expected,
		{ output, expected },
	);
	report.check(
		'every call had its own Idempotency-Key',
		calls.every((r) => /^n8n-[0-9a-f]{32}$/.test(r.headers['idempotency-key'] ?? '')) &&
			first.headers['idempotency-key'] !== second.headers['idempotency-key'],
		calls.map((r) => r.headers['idempotency-key']),
	);
	const traced = modelRuns(result.run);
	const usages = [firstTurn, secondTurn].map((t) => t?.events.find((e) => e.type === 'response.completed')?.data.response.usage);
	report.check(
		"n8n's run data shows Pokee's own usage for each call (tokenUsage, not an estimate)",
		traced.length === 2 &&
			traced.every(
				(t, i) =>
					t.tokenUsageEstimate === undefined &&
					isDeepStrictEqual(t.tokenUsage, {
						completionTokens: usages[i]?.output_tokens,
						promptTokens: usages[i]?.input_tokens,
						totalTokens: usages[i]?.total_tokens,
					}),
			),
		{ traced, usages },
	);
	report.info(`agent: Pokee → Send_to_my_phone(${call?.arguments}) → Poke → Pokee: "${output}"`);
}

async function chatModelChain(ctx, execute) {
	const { report, fakes, wf } = ctx;
	if (!HAS_SDK) return;
	const workflows = chatModelWorkflows(wf);
	const before = fakes.pokee.requests.length;
	const result = await execute(ctx, workflows[0]);
	if (!result.ok) return;
	const text = L.nodeOutput(result.run, 'Basic LLM Chain')[0]?.json?.text;
	const [call] = posts(fakes, before);
	report.check(
		'Basic LLM Chain: the answer is the text Pokee generated ("Hello from Pokee.")',
		text === 'Hello from Pokee.' && emittedText(fakes, turnOf(fakes, call)?.rid) === text,
		text,
	);
	report.check(
		'Basic LLM Chain: the body carried the prompt as a user message and model pokee-isaac',
		call?.json?.model === 'pokee-isaac' && call.json.input?.at(-1)?.role === 'user' && call.json.input.at(-1).content === 'Say hello',
		call?.json,
	);

	// 20 answers, each connection dropped after a few events: resumed, never re-requested
	const dropsBefore = fakes.pokee.requests.length;
	const started = fakes.pokee.turnsStarted;
	for (let i = 0; i < DROPS; i++) {
		fakes.pokee.fault({ method: 'POST', path: '/v1/responses', kind: 'dropAfter', events: 4 + i });
	}
	const dropped = await execute(ctx, workflows[1]);
	fakes.pokee.clearFaults();
	if (!dropped.ok) return;
	const items = L.nodeOutput(dropped.run, 'Basic LLM Chain');
	const requests = fakes.pokee.requests.slice(dropsBefore);
	const sent = requests.filter((r) => r.method === 'POST' && r.path === '/v1/responses');
	const resumed = requests.filter((r) => r.method === 'GET' && /^\/v1\/responses\/[^/]+\/events$/.test(r.path));
	// item n asked "Answer n #long": its answer is the text of the response to that prompt (the
	// Basic LLM Chain trims the answer's surrounding whitespace, here its last line break)
	const exact = items.map((item, n) => {
		const request = sent.find((r) => r.json?.input?.at(-1)?.content === `Answer ${n} #long`);
		const text = emittedText(fakes, turnOf(fakes, request)?.rid);
		const got = item.json?.text;
		if (typeof text === 'string' && text.length > 5000 && got === text.trim()) return true;
		let k = 0;
		while (k < Math.min(got?.length ?? 0, text?.length ?? 0) && got[k] === text[k]) k++;
		return { n, key: request?.headers['idempotency-key'], got: got?.length, want: text?.length, at: k, gotAt: got?.slice(k - 30, k + 40), wantAt: text?.slice(k - 30, k + 40) };
	});
	report.check(
		`${DROPS} answers, each dropped mid-stream: ${DROPS} complete answers, each exactly the text Pokee generated (trimmed by the chain)`,
		items.length === DROPS && exact.length === DROPS && exact.every((e) => e === true),
		{ items: items.length, wrong: exact.filter((e) => e !== true) },
	);
	report.check(
		`0 extra responses started (${DROPS} POSTs, ${DROPS} responses on the fake), ${DROPS} resumes with Last-Event-ID`,
		fakes.pokee.turnsStarted - started === DROPS &&
			sent.length === DROPS &&
			resumed.length === DROPS &&
			resumed.every((r) => /^\d+$/.test(r.headers['last-event-id'] ?? '')),
		{ started: fakes.pokee.turnsStarted - started, posts: sent.length, resumes: resumed.length },
	);
	report.info(`${DROPS} dropped streams resumed: ${DROPS} exact answers, ${fakes.pokee.turnsStarted - started} responses started`);
}

/** The agent streams Pokee's answer into a Chat Trigger's response (published, n8n start). */
async function chatModelStreaming(ctx) {
	const { report, fakes, n8n, port, wf, printed } = ctx;
	if (!HAS_SDK) return;
	const workflow = chatModelWorkflows(wf)[2];
	await n8n.publish(workflow.id);
	const running = !!n8n.server;
	if (!running) await n8n.start({ port });
	try {
		const before = fakes.pokee.requests.length;
		const url = `http://127.0.0.1:${n8n.port ?? port}/webhook/${CHAT_WEBHOOK}/chat`;
		// n8n answers readiness before it has registered the published workflow's webhooks
		const answer = await L.waitFor(
			'the chat webhook to be registered',
			async () => {
				const res = await L.httpRequest('POST', url, { action: 'sendMessage', sessionId: 'e2e-session', chatInput: 'Hi there #long' });
				return res.status === 404 ? undefined : res;
			},
			{ timeoutMs: 60_000, intervalMs: 500 },
		);
		const chunks = String(answer.body ?? '')
			.split('\n')
			.filter((line) => line.trim().startsWith('{'))
			.map((line) => {
				try {
					return JSON.parse(line);
				} catch {
					return {};
				}
			});
		const items = chunks.filter((c) => c.type === 'item').map((c) => c.content ?? '');
		const [call] = posts(fakes, before);
		const expected = emittedText(fakes, turnOf(fakes, call)?.rid);
		report.check(
			'the chat response streamed Pokee\'s answer in many chunks, together exactly the generated text',
			answer.status === 200 && items.length > 10 && items.join('') === expected && chunks.some((c) => c.type === 'end'),
			{ status: answer.status, chunks: items.length, head: String(answer.body).slice(0, 300) },
		);
		report.info(`chat: ${items.length} streamed chunks, ${items.join('').length} characters`);
	} finally {
		if (!running) {
			await n8n.stopServer();
			printed.push(n8n.log);
		}
	}
}

module.exports = { EXAMPLE, chatModelAgent, chatModelChain, chatModelStreaming, chatModelWorkflows };
