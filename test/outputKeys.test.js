'use strict';
/**
 * Every key a user may map must be reachable by an n8n expression. n8n's expression sandbox
 * refuses some property names (`$json.tool_call.arguments.order_id` fails in n8n 2.41 with
 * 'Cannot access "arguments" due to security concerns'); its list is n8n-workflow's, asked here
 * through its exported `isSafeObjectProperty`. This suite runs every operation of both nodes and
 * every event of the trigger against the fakes, collects every key of every output item (json,
 * nested, and binary metadata) and checks each one against that list.
 *
 * Kept out on purpose, because they are the API's own data passed on as they came (documented in
 * the README): the `data` of raw events (Include Raw Events) and the `output` items of Response →
 * Create (OpenAI Responses items, which a workflow sends back as input items unchanged; the
 * function calls among them are also in `function_calls`, mappable).
 */
const { isSafeObjectProperty } = require('n8n-workflow');
const { runNode, runPoll, nodeType, declaredOperations } = require('./harness/n8n');
const { startFakePoke } = require('./fakes/fakePoke');
const { startFakePokee, makeZip, DEFAULT_KEY } = require('./fakes/fakePokee');

let poke;
let fake;
beforeAll(async () => {
	[poke, fake] = await Promise.all([startFakePoke(), startFakePokee({ eventDelayMs: 1, deckMs: 200, maxSessions: 1000 })]);
});
afterAll(async () => {
	await Promise.all([poke.close(), fake.close()]);
});

const credentials = () => ({
	pokeApi: { apiKey: poke.v2Key, baseUrl: poke.apiUrl },
	pokeeApi: { apiKey: DEFAULT_KEY, baseUrl: fake.baseUrl },
});
const ORDER_TOOL = {
	type: 'function',
	name: 'lookup_order',
	description: 'Find an order',
	parameters: { type: 'object', properties: { order_id: { type: 'string', examples: ['A-1042'] } }, required: ['order_id'] },
};

/** Every key path of a value: arrays as `*`, e.g. `tool_call.input.order_id`, `tool_uses.*.id`. */
function keyPaths(value, prefix = '', out = new Set()) {
	if (Array.isArray(value)) {
		for (const v of value) keyPaths(v, `${prefix}*.`, out);
	} else if (value !== null && typeof value === 'object') {
		for (const [k, v] of Object.entries(value)) {
			out.add(`${prefix}${k}`);
			keyPaths(v, `${prefix}${k}.`, out);
		}
	}
	return out;
}

/** Paths holding the API's own data as it came (see the header). */
const PASSED_THROUGH = [/^json\.events\.\*\.data\./, /^json\.output\.\*\./];

/** All key paths of what each operation output, by operation: {"pokee message.send": Set}. */
const seen = new Map();
function collect(label, items) {
	const paths = seen.get(label) ?? new Set();
	for (const item of items) {
		keyPaths({ json: item.json, binary: item.binary }, '', paths);
	}
	seen.set(label, paths);
}

async function run(type, parameters, extra = {}) {
	const result = await runNode({ type, parameters, credentials: credentials(), ...extra });
	if (result.error && !extra.continueOnFail) throw result.error;
	expect(result.items.length).toBeGreaterThan(0);
	collect(`${type} ${parameters.resource}.${parameters.operation}${extra.label ? ` (${extra.label})` : ''}`, result.items);
	return result.items;
}

describe('the names n8n blocks', () => {
	test('n8n-workflow refuses "arguments" (the name the sandbox rejected in n8n 2.41)', () => {
		// pins the list this suite checks against: if n8n changes it, this says so
		for (const name of ['arguments', 'constructor', '__proto__', 'caller', 'callee', 'prototype']) {
			expect(isSafeObjectProperty(name)).toBe(false);
		}
		expect(isSafeObjectProperty('input')).toBe(true);
	});
});

describe('every output key of every operation is one an expression can read', () => {
	test('run everything', async () => {
		// ---- Poke
		await run('poke', { resource: 'message', operation: 'send', message: 'hi', options: {} });
		const [created] = await run('poke', { resource: 'webhook', operation: 'create', condition: 'c', action: 'a' });
		await run(
			'poke',
			{ resource: 'webhook', operation: 'fire', webhookUrl: '={{ $json.webhookUrl }}', webhookToken: '={{ $json.webhookToken }}', dataSource: 'parameter', data: '{"x":1}', options: {} },
			{ items: [created] },
		);
		await run('poke', { resource: 'message', operation: 'send', message: '   ' }, { continueOnFail: true, label: 'error item' });

		// ---- Pokee sessions
		const [session] = await run('pokee', {
			resource: 'session',
			operation: 'create',
			sessionOptions: { persistent: true, metadata: '{"team":"ops"}', tools: JSON.stringify([ORDER_TOOL]) },
		});
		const sid = session.json.id;
		await run('pokee', { resource: 'session', operation: 'get', sessionId: sid });
		await run('pokee', { resource: 'session', operation: 'getMany', returnAll: true, state: 'all' });

		// ---- messages: thinking, server-side tools, raw events, client tool call, submit
		const send = (message, options = {}, more = {}) =>
			run('pokee', { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: sid, message, options, ...more });
		await send('#thinking');
		await send('#tools', { includeRawEvents: true }, {});
		const [asked] = await send('#client-tool', { returnToolCalls: true, includeRawEvents: true });
		expect(asked.json.status).toBe('tool_call_requested');
		await run('pokee', { resource: 'toolResult', operation: 'submit', output: '{"status":"shipped"}', options: {} }, { items: [asked] });
		const [detached] = await send('#slow:5', {}, { waitForCompletion: false });
		await run('pokee', { resource: 'message', operation: 'resume', sessionId: sid, responseId: detached.json.response_id, options: {} });
		await run('pokee', { resource: 'message', operation: 'cancel', sessionId: sid, responseId: detached.json.response_id });
		await run('pokee', { resource: 'message', operation: 'send', sessionMode: 'new', sessionOptions: {}, message: 'hi', options: {} }, { label: 'new session' });
		await run('pokee', { resource: 'session', operation: 'waitUntilIdle', sessionId: sid, pollInterval: 1, timeLimit: 30 });

		// ---- files
		const bytes = Buffer.from('Q3 was fine.\n');
		await run(
			'pokee',
			{ resource: 'file', operation: 'upload', sessionId: sid, path: 'reports/summary.txt', binaryPropertyName: 'data' },
			{ items: [{ json: {}, binary: { data: { data: bytes.toString('base64'), mimeType: 'text/plain', fileName: 'summary.txt' } } }] },
		);
		await run('pokee', { resource: 'file', operation: 'list', sessionId: sid, folder: 'reports', recursive: true });
		await run('pokee', { resource: 'file', operation: 'download', sessionId: sid, path: 'reports/summary.txt', binaryPropertyName: 'data' });
		await run('pokee', { resource: 'file', operation: 'downloadMany', sessionId: sid, folder: 'reports', pattern: '*.txt', recursive: false, binaryPropertyName: 'data' });
		await run('pokee', { resource: 'file', operation: 'delete', sessionId: sid, path: 'reports/summary.txt' });

		// ---- skills, usage
		const zip = makeZip([{ name: 'SKILL.md', data: '# Skill\n' }]);
		await run(
			'pokee',
			{ resource: 'skill', operation: 'install', skillName: 'quarterly-report', binaryPropertyName: 'data' },
			{ items: [{ json: {}, binary: { data: { data: zip.toString('base64'), mimeType: 'application/zip', fileName: 'q.zip' } } }] },
		);
		await run('pokee', { resource: 'skill', operation: 'list' });
		await run('pokee', { resource: 'skill', operation: 'delete', skillName: 'quarterly-report' });
		await run('pokee', { resource: 'usage', operation: 'get' });

		// ---- stateless responses: streamed, not streamed, with a function call
		const response = (more) =>
			run('pokee', { resource: 'response', operation: 'create', inputType: 'text', model: '', tools: '[]', reasoningEffort: 'minimal', options: {}, ...more });
		await response({ input: 'hi', stream: true, options: { includeRawEvents: true } });
		await response({ input: 'hi', stream: false, reasoningEffort: 'high' });
		const [called] = await response({ input: 'use lookup_order', stream: false, tools: JSON.stringify([ORDER_TOOL]) });
		await response({ input: 'use lookup_order', stream: true, tools: JSON.stringify([ORDER_TOOL]) });

		// ---- sessions: delete, delete many (after the files and turns above)
		await run('pokee', { resource: 'session', operation: 'deleteMany', idleOnly: true, olderThan: '1h' });
		const [other] = await run('pokee', { resource: 'session', operation: 'create', sessionOptions: {} }, { label: 'to delete' });
		await run('pokee', { resource: 'session', operation: 'delete', sessionId: other.json.id });

		// ---- the trigger: every event, with listing and downloads
		const watched = fake.createSession({ persistent: true, metadata: { stage: 'draft' } }).id;
		const ending = fake.createSession({ persistent: true }).id;
		const events = {
			turnFinished: { event: 'turnFinished', watch: 'all', options: { includeListing: true, downloadPattern: '*.pptx' } },
			metadataChanged: { event: 'metadataChanged', watch: 'all', metadataKeys: '' },
			sessionCreated: { event: 'sessionCreated', watch: 'all' },
			sessionEnded: { event: 'sessionEnded', watch: 'all' },
		};
		const state = {};
		for (const [name, parameters] of Object.entries(events)) {
			state[name] = {};
			const first = await runPoll({ parameters, credentials: credentials(), staticData: state[name] });
			expect(first.error).toBeUndefined();
		}
		await run('pokee', { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: watched, message: '#deck', options: {} }, { label: 'deck' });
		fake.setMetadata(watched, { stage: 'review' });
		fake.expireSession(ending);
		fake.createSession({ persistent: true });
		for (const [name, parameters] of Object.entries(events)) {
			const { result, error } = await runPoll({ parameters, credentials: credentials(), staticData: state[name] });
			expect(error).toBeUndefined();
			expect([name, result?.[0]?.length > 0]).toEqual([name, true]); // (named, to tell which failed)
			collect(`pokeeTrigger ${name}`, result[0]);
		}
		const manual = await runPoll({ parameters: events.turnFinished, credentials: credentials(), staticData: {}, mode: 'manual' });
		collect('pokeeTrigger turnFinished (test event)', manual.result[0]);

		// ---- the check
		const blocked = [];
		for (const [label, paths] of seen) {
			for (const path of paths) {
				if (PASSED_THROUGH.some((re) => re.test(path))) continue;
				const key = path.split('.').at(-1);
				if (!isSafeObjectProperty(key)) blocked.push(`${label}: ${path}`);
			}
		}
		expect(blocked).toEqual([]);
		// the suite really saw the tool call and function call shapes
		expect(called.json.function_calls[0]).toMatchObject({ name: 'lookup_order', input: { order_id: 'A-1042' }, arguments_json: '{"order_id":"A-1042"}' });
		const all = [...seen.values()].flatMap((s) => [...s]);
		expect(all).toContain('json.tool_call.input.order_id');
		expect(all).toContain('json.function_calls.*.input.order_id');
		// and every operation and trigger event the nodes declare was run
		const declared = ['poke', 'pokee'].flatMap((type) => declaredOperations(type).map(([resource, op]) => `${type} ${resource}.${op}`));
		const eventProp = nodeType('pokeeTrigger').description.properties.find((p) => p.name === 'event');
		for (const op of eventProp.options) declared.push(`pokeeTrigger ${op.value}`);
		const labels = [...seen.keys()].map((label) => label.replace(/ \(.*\)$/, ''));
		expect(declared.filter((d) => !labels.includes(d))).toEqual([]);
		expect(declared.length).toBeGreaterThanOrEqual(27); // 3 Poke, 20 Pokee operations, 4 trigger events today
	}, 120_000);
});

describe('the tool call, mapped by expression in n8n', () => {
	test('Tool Result → Submit maps an argument with {{ $json.tool_call.input.order_id }}', async () => {
		const sid = fake.createSession({ persistent: true, tools: [ORDER_TOOL] }).id;
		const [asked] = await run('pokee', { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: sid, message: '#client-tool', options: { returnToolCalls: true } });
		fake.clearRequests();
		const { items, error } = await runNode({
			type: 'pokee',
			parameters: {
				resource: 'toolResult',
				operation: 'submit',
				output: '={{ JSON.stringify({ order_id: $json.tool_call.input.order_id, status: "shipped" }) }}',
				options: {},
			},
			credentials: credentials(),
			items: [asked],
		});
		expect(error).toBeUndefined();
		const posted = fake.requests.filter((r) => r.method === 'POST' && /\/tool_results$/.test(r.path));
		expect(posted.map((r) => r.json)).toEqual([{ call_id: asked.json.tool_call.call_id, output: '{"order_id":"A-1042","status":"shipped"}' }]);
		expect(items[0].json.text).toBe('Tool result: {"order_id":"A-1042","status":"shipped"}');
	});

	test('the name "arguments" is refused by the expression sandbox the harness runs (why the key is input)', async () => {
		const { error } = await runNode({
			type: 'pokee',
			parameters: {
				resource: 'toolResult',
				operation: 'submit',
				sessionId: 'sess_x',
				responseId: 'msg_x',
				callId: 'call_x',
				output: '={{ $json.tool_call.arguments.order_id }}',
				options: {},
			},
			credentials: credentials(),
			items: [{ json: { tool_call: { arguments: { order_id: 'A-1042' } } } }],
		});
		expect(String(error?.message)).toMatch(/Cannot access "arguments" due to security concerns/);
	});
});
