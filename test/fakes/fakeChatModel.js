'use strict';
/**
 * A fake OpenAI-compatible chat model on 127.0.0.1, so n8n's AI Agent can run end to end with
 * no real model: n8n's "OpenAI Chat Model" node (lmChatOpenAi 1.3, via @langchain/openai) is
 * pointed at it through the openAiApi credential's Base URL.
 *
 * The "model" is a two-step script, decided from the conversation alone (stateless):
 *   1. no tool output yet and tools offered -> call the first offered tool whose name matches
 *      `toolPattern` (default /pokee/i; else the first tool), every string argument set to the
 *      last user message;
 *   2. a tool output present -> final answer `${answerPrefix}${text}`, where text is the tool
 *      output's "text" field when the output is JSON holding one (the Pokee node's item), else
 *      the raw output.
 *
 * Both OpenAI APIs the node can use are served:
 *   - POST /v1/chat/completions ("Use Responses API" off), plain JSON or SSE (`stream: true`);
 *   - POST /v1/responses (the node's default in 1.3), plain JSON only.
 * GET /v1/models lists the one model (the node's model picker and credential test use it).
 * Every request is recorded in `fake.requests` ({method, path, headers, json}).
 */
const http = require('node:http');
const crypto = require('node:crypto');

const DEFAULT_KEY = 'sk-fake-chat-model-not-a-real-key';
const MODEL = 'fake-agent-model';

const id = (prefix) => `${prefix}_${crypto.randomBytes(8).toString('hex')}`;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Text of an OpenAI message content: a string or an array of {type, text} parts. */
function contentText(content) {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : (p?.text ?? ''))).join('');
	return '';
}

/** The Pokee node's output item serialised by n8n's tool wrapper: prefer its "text" field. */
function toolOutputText(output) {
	const raw = contentText(output);
	try {
		const parsed = JSON.parse(raw);
		const item = Array.isArray(parsed) ? parsed[0] : parsed;
		if (isObject(item) && typeof item.text === 'string') return item.text;
	} catch {
		// not JSON: use the text as is
	}
	return raw;
}

/** Arguments for a JSON-schema object: every string property gets `question`. */
function toolArguments(parameters, question) {
	const props = isObject(parameters?.properties) ? parameters.properties : {};
	const args = {};
	for (const [name, schema] of Object.entries(props)) {
		if (schema?.type === 'string' || schema?.type === undefined) args[name] = question;
		else if (schema?.type === 'number' || schema?.type === 'integer') args[name] = 1;
		else if (schema?.type === 'boolean') args[name] = false;
	}
	return args;
}

/**
 * The script's next step from a normalised conversation:
 * {question, toolOutput?, tools: [{name, parameters}]} -> {toolCall: {name, arguments}} | {text}.
 */
function decide({ question, toolOutput, tools }, options) {
	if (toolOutput === undefined && tools.length) {
		const tool = tools.find((t) => options.toolPattern.test(t.name)) ?? tools[0];
		return { toolCall: { name: tool.name, arguments: JSON.stringify(toolArguments(tool.parameters, question)) } };
	}
	if (toolOutput !== undefined) return { text: `${options.answerPrefix}${toolOutputText(toolOutput)}` };
	return { text: `${options.answerPrefix}(no tool was offered) ${question}` };
}

// ----- Chat Completions ------------------------------------------------------------------------

function chatConversation(body) {
	const messages = Array.isArray(body.messages) ? body.messages : [];
	const lastUser = [...messages].reverse().find((m) => m.role === 'user');
	const lastUserIndex = messages.lastIndexOf(lastUser);
	const toolMessage = messages.slice(lastUserIndex + 1).find((m) => m.role === 'tool');
	const tools = (Array.isArray(body.tools) ? body.tools : [])
		.map((t) => t.function ?? t)
		.filter((f) => typeof f?.name === 'string');
	return { question: contentText(lastUser?.content), toolOutput: toolMessage?.content, tools };
}

function chatCompletion(res, body, step) {
	const base = { id: id('chatcmpl'), created: Math.floor(Date.now() / 1000), model: body.model ?? MODEL };
	const toolCalls = step.toolCall ? [{ id: id('call'), type: 'function', function: step.toolCall }] : undefined;
	const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
	if (body.stream === true) {
		// SSE: one role chunk, one content or tool-call chunk, the finish chunk, then [DONE].
		res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
		const send = (delta, finish = null, extra = {}) =>
			res.write(
				`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`,
			);
		send({ role: 'assistant', content: '' });
		if (toolCalls) send({ tool_calls: toolCalls.map((c, index) => ({ index, ...c })) });
		else send({ content: step.text });
		send({}, toolCalls ? 'tool_calls' : 'stop');
		if (body.stream_options?.include_usage) {
			res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
		}
		return res.end('data: [DONE]\n\n');
	}
	const message = toolCalls
		? { role: 'assistant', content: null, tool_calls: toolCalls }
		: { role: 'assistant', content: step.text };
	return json(res, 200, {
		...base,
		object: 'chat.completion',
		choices: [{ index: 0, message, finish_reason: toolCalls ? 'tool_calls' : 'stop', logprobs: null }],
		usage,
	});
}

// ----- Responses -------------------------------------------------------------------------------

function responsesConversation(body) {
	const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : (body.input ?? []);
	const lastUser = [...input].reverse().find((m) => m.role === 'user');
	const after = input.slice(input.lastIndexOf(lastUser) + 1);
	const output = after.find((m) => m.type === 'function_call_output');
	const tools = (Array.isArray(body.tools) ? body.tools : []).filter(
		(t) => t.type === 'function' && typeof t.name === 'string',
	);
	return { question: contentText(lastUser?.content), toolOutput: output?.output, tools };
}

function responseObject(res, body, step) {
	if (body.stream === true)
		return json(res, 400, { error: { message: 'the fake serves /v1/responses without streaming only' } });
	const output = step.toolCall
		? [{ type: 'function_call', id: id('fc'), call_id: id('call'), status: 'completed', ...step.toolCall }]
		: [
				{
					type: 'message',
					id: id('msg'),
					role: 'assistant',
					status: 'completed',
					content: [{ type: 'output_text', text: step.text, annotations: [] }],
				},
			];
	return json(res, 200, {
		id: id('resp'),
		object: 'response',
		created_at: Math.floor(Date.now() / 1000),
		status: 'completed',
		model: body.model ?? MODEL,
		output,
		usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
	});
}

// ----- Server ----------------------------------------------------------------------------------

function json(res, status, body) {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
	res.end(text);
}

/** Options: port (0 = any), apiKey, toolPattern (RegExp), answerPrefix. */
async function startFakeChatModel(options = {}) {
	const opts = { port: 0, apiKey: DEFAULT_KEY, toolPattern: /pokee/i, answerPrefix: 'Pokee says: ', ...options };
	const requests = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const path = new URL(req.url, 'http://127.0.0.1').pathname.replace(/\/+$/, '');
			let body;
			try {
				body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
			} catch {
				return json(res, 400, { error: { message: 'body is not JSON' } });
			}
			requests.push({ method: req.method, path, headers: req.headers, json: body });
			if (req.headers.authorization !== `Bearer ${opts.apiKey}`) {
				return json(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
			}
			if (req.method === 'GET' && path === '/v1/models') {
				return json(res, 200, { object: 'list', data: [{ id: MODEL, object: 'model', created: 0, owned_by: 'fake' }] });
			}
			if (req.method === 'POST' && path === '/v1/chat/completions') {
				return chatCompletion(res, body, decide(chatConversation(body), opts));
			}
			if (req.method === 'POST' && path === '/v1/responses') {
				return responseObject(res, body, decide(responsesConversation(body), opts));
			}
			return json(res, 404, { error: { message: `no endpoint ${req.method} ${path}` } });
		});
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port, '127.0.0.1', resolve);
	});
	const baseUrl = `http://127.0.0.1:${server.address().port}`;
	return {
		baseUrl,
		apiUrl: `${baseUrl}/v1`, // what the openAiApi credential's Base URL must be
		apiKey: opts.apiKey,
		model: MODEL,
		requests,
		async close() {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

module.exports = { startFakeChatModel };
