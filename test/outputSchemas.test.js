'use strict';
/**
 * Output schemas (nodes/<Node>/__schema__/v1.0.0/<resource>/<operation>.json): the editor shows
 * them in the schema view before a node has run (n8n looks them up by node, version, resource
 * and operation). Checked here: a schema for every declared operation of the action nodes, each
 * a valid JSON schema of the kind the editor reads (an object with properties), and each
 * matching what the operation really outputs: the operation is run through n8n's engine against
 * the fakes and every output item must validate against the shipped schema, with every key it
 * has declared in the schema (so a new output key without its schema fails here).
 */
const path = require('node:path');
const Ajv = require('ajv');
const { readOutputSchema } = require('../scripts/output-schemas');
const { runNode, declaredOperations } = require('./harness/n8n');
const { makeZip, DEFAULT_KEY } = require('./fakes/fakePokee');
const { useFakePokee, useFakePoke } = require('./harness/fakes');

const ROOT = path.resolve(__dirname, '..');
const NODES = { poke: 'Poke', pokee: 'Pokee' };

const schemaFile = (node, resource, operation) =>
	path.join(ROOT, 'nodes', NODES[node], '__schema__', 'v1.0.0', resource, `${operation}.json`);
const readSchema = (node, resource, operation) => readOutputSchema(schemaFile(node, resource, operation));

/** Keys of `value` (recursively, into objects and array items) that `schema` does not declare. */
function undeclaredKeys(value, schema, at = '$') {
	if (!schema || value === null || typeof value !== 'object') return [];
	if (Array.isArray(value)) return value.flatMap((v, i) => undeclaredKeys(v, schema.items, `${at}[${i}]`));
	if (!schema.properties) return []; // a free-form object (e.g. metadata, raw API bodies)
	return Object.entries(value).flatMap(([k, v]) =>
		schema.properties[k] ? undeclaredKeys(v, schema.properties[k], `${at}.${k}`) : [`${at}.${k}`],
	);
}

describe('a schema for every declared operation', () => {
	const ajv = new Ajv({ nullable: true });
	for (const node of Object.keys(NODES)) {
		for (const [resource, operation] of declaredOperations(node)) {
			test(`${node} ${resource} → ${operation}`, () => {
				const schema = readSchema(node, resource, operation);
				expect(ajv.validateSchema(schema)).toBe(true);
				// what the editor needs to show it: an object schema with properties
				expect(schema.type).toBe('object');
				expect(Object.keys(schema.properties).length).toBeGreaterThan(0);
			});
		}
	}
});

describe('real outputs match the shipped schemas', () => {
	const pokee = useFakePokee({ eventDelayMs: 1, deckMs: 200 });
	const poke = useFakePoke();

	// nullable: a value that may be null (ids before the API gave them, usage before the end);
	// the editor reads only type and properties
	const ajv = new Ajv({ allErrors: true, nullable: true });
	const outputs = new Map(); // "node resource.operation" -> items, for the checks below

	async function run(node, parameters, extra = {}) {
		const credentials =
			node === 'pokee'
				? { pokeeApi: { apiKey: DEFAULT_KEY, baseUrl: pokee.baseUrl } }
				: { pokeApi: { apiKey: poke.v2Key, baseUrl: poke.apiUrl } };
		const { items, error } = await runNode({ type: node, parameters, credentials, ...extra });
		if (error) throw error;
		expect(items.length).toBeGreaterThan(0);
		const key = `${node} ${parameters.resource}.${parameters.operation}`;
		outputs.set(key, [...(outputs.get(key) ?? []), ...items]);
		return items;
	}

	function expectMatches(node, resource, operation) {
		const items = outputs.get(`${node} ${resource}.${operation}`);
		expect(items).toBeDefined();
		const schema = readSchema(node, resource, operation);
		const validate = ajv.compile(schema);
		for (const item of items) {
			const ok = validate(item.json);
			expect({ item: item.json, errors: ok ? null : validate.errors }).toEqual({ item: item.json, errors: null });
			expect(undeclaredKeys(item.json, schema)).toEqual([]);
		}
	}

	const zip = makeZip([{ name: 'SKILL.md', data: '# Demo\n' }]);
	const tools = [
		{
			name: 'lookup_order',
			description: 'Find an order',
			parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
		},
	];

	test('Pokee: every operation', async () => {
		const sid = (await run('pokee', { resource: 'session', operation: 'create', sessionOptions: { persistent: true, metadata: '{"team":"ops"}' } }))[0].json.id;
		await run('pokee', { resource: 'session', operation: 'get', sessionId: sid });
		await run('pokee', { resource: 'session', operation: 'getMany', returnAll: true, state: 'all' });

		// a turn with thinking and a server-side tool use, with raw events, then one with usage only
		await run('pokee', { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: sid, message: '#tools', options: { includeRawEvents: true } });
		const sent = (await run('pokee', { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: sid, message: 'Say hello', options: {} }))[0].json;
		await run('pokee', { resource: 'message', operation: 'send', sessionMode: 'new', message: 'hi', sessionOptions: {}, options: {} });
		const detached = (await run('pokee', { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: sid, message: '#slow:100', waitForCompletion: false, options: {} }))[0].json;
		await run('pokee', { resource: 'message', operation: 'cancel', sessionId: sid, responseId: detached.response_id });
		await run('pokee', { resource: 'session', operation: 'waitUntilIdle', sessionId: sid, pollInterval: 1, timeLimit: 30 });
		await run('pokee', { resource: 'message', operation: 'resume', sessionId: sid, responseId: sent.response_id, options: {} });

		// a client-side tool call, then its answer
		const toolSession = pokee.createSession({ persistent: true, tools }).id;
		const asked = await run('pokee', { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: toolSession, message: '#client-tool', options: { returnToolCalls: true } });
		expect(asked[0].json.status).toBe('tool_call_requested');
		await run('pokee', { resource: 'toolResult', operation: 'submit', output: '{"status":"shipped"}', options: {} }, { items: [{ json: asked[0].json }] });

		pokee.putFile('reports/summary.txt', 'Q3 was fine.\n');
		await run(
			'pokee',
			{ resource: 'file', operation: 'upload', sessionId: sid, path: 'reports/data.bin', binaryPropertyName: 'data' },
			{ items: [{ json: {}, binary: { data: { data: Buffer.from('abc').toString('base64'), mimeType: 'application/octet-stream', fileName: 'x.bin' } } }] },
		);
		await run('pokee', { resource: 'file', operation: 'list', sessionId: sid, folder: 'reports', recursive: true });
		await run('pokee', { resource: 'file', operation: 'download', sessionId: sid, path: 'reports/summary.txt', binaryPropertyName: 'data' });
		await run('pokee', { resource: 'file', operation: 'downloadMany', sessionId: sid, folder: 'reports', pattern: '*.txt', recursive: false, binaryPropertyName: 'data' });
		await run('pokee', { resource: 'file', operation: 'delete', sessionId: sid, path: 'reports/summary.txt' });

		await run(
			'pokee',
			{ resource: 'skill', operation: 'install', skillName: 'demo-skill', binaryPropertyName: 'data' },
			{ items: [{ json: {}, binary: { data: { data: zip.toString('base64'), mimeType: 'application/zip', fileName: 'd.zip' } } }] },
		);
		await run('pokee', { resource: 'skill', operation: 'list' });
		await run('pokee', { resource: 'skill', operation: 'delete', skillName: 'demo-skill' });
		await run('pokee', { resource: 'usage', operation: 'get' });

		await run('pokee', { resource: 'response', operation: 'create', inputType: 'text', input: '#long', model: '', tools: '[]', reasoningEffort: 'minimal', stream: true, options: {} });
		await run('pokee', { resource: 'response', operation: 'create', inputType: 'text', input: 'hi', model: 'pokee-isaac', tools: '[]', reasoningEffort: 'high', stream: false, options: {} });
		const weather = [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } }];
		await run('pokee', { resource: 'response', operation: 'create', inputType: 'items', inputItems: JSON.stringify([{ role: 'user', content: 'use get_weather for Paris' }]), model: '', tools: JSON.stringify(weather), reasoningEffort: 'minimal', stream: false, options: {} });

		await run('pokee', { resource: 'session', operation: 'delete', sessionId: sid });
		await run('pokee', { resource: 'session', operation: 'deleteMany', idleOnly: true, olderThan: '1h' });

		for (const [resource, operation] of declaredOperations('pokee')) expectMatches('pokee', resource, operation);
	});

	test('Poke: every operation', async () => {
		await run('poke', { resource: 'message', operation: 'send', message: 'hi', options: {} });
		const hook = (await run('poke', { resource: 'webhook', operation: 'create', condition: 'c', action: 'a' }))[0].json;
		await run('poke', { resource: 'webhook', operation: 'fire', dataSource: 'parameter', webhookUrl: hook.webhookUrl, webhookToken: hook.webhookToken, data: '{"a":1}', options: {} });
		for (const [resource, operation] of declaredOperations('poke')) expectMatches('poke', resource, operation);
	});

	test('the fields users map from a turn are in the Send, Resume and Submit schemas', () => {
		for (const op of [['message', 'send'], ['message', 'resume'], ['toolResult', 'submit']]) {
			const { properties } = readSchema('pokee', ...op);
			for (const key of ['text', 'session_id', 'response_id', 'status', 'tool_call', 'tool_uses', 'usage']) {
				expect([op.join('.'), key, key in properties]).toEqual([op.join('.'), key, true]);
			}
			expect(Object.keys(properties.tool_call.properties)).toEqual(expect.arrayContaining(['call_id', 'name']));
		}
	});
});
