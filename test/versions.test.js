'use strict';
/**
 * Node version 2 of the Pokee node (resource locators with From list, Get Many limits, Output,
 * Time Limit, response_id keys) beside version 1, which keeps 0.1.0's parameters and outputs.
 * Everything runs through n8n's engine against the loopback fake Pokee API.
 */
const { runNode, runListSearch } = require('./harness/n8n');
const { until } = require('./harness/wait');
const { DEFAULT_KEY } = require('./fakes/fakePokee');
const { useFakePokee } = require('./harness/fakes');

const fake = useFakePokee({ eventDelayMs: 1, deckMs: 300, maxSessions: 1000 });
const creds = () => ({ pokeeApi: { apiKey: DEFAULT_KEY, baseUrl: fake.baseUrl } });
const pokee = (typeVersion, parameters, extra = {}) => runNode({ type: 'pokee', typeVersion, parameters, credentials: creds(), ...extra });
const listSearch = (method, filter, parameters = {}) => runListSearch({ type: 'pokee', method, filter, parameters, credentials: creds() });
const rl = (value, mode = 'list') => ({ __rl: true, mode, value });
const sent = (method, pathPattern) => fake.requests.filter((r) => r.method === method && pathPattern.test(r.path));

describe('From list: listSearch against the fake', () => {
	test('searchSessions lists the tenant\'s sessions (GET /v1/sessions), newest first, narrowed by the search text', async () => {
		const a = fake.createSession({ persistent: true, metadata: { job: 'alpha' } }).id;
		const b = fake.createSession({ persistent: true, metadata: { job: 'beta' } }).id;
		fake.clearRequests();
		const all = await listSearch('searchSessions');
		const values = all.results.map((r) => r.value);
		expect(values).toEqual(expect.arrayContaining([a, b]));
		expect(all.results.find((r) => r.value === a).name).toContain('job=alpha');
		expect(sent('GET', /^\/v1\/sessions$/)).toHaveLength(1);
		const beta = await listSearch('searchSessions', 'BETA');
		expect(beta.results.map((r) => r.value)).toEqual([b]);
	});
});

describe('Session as a resource locator (version 2)', () => {
	test('Session → Get with a session picked From list or By ID', async () => {
		const sid = fake.createSession({ persistent: true }).id;
		for (const mode of ['list', 'id']) {
			fake.clearRequests();
			const { items, error } = await pokee(2, { resource: 'session', operation: 'get', sessionId: rl(sid, mode) });
			expect(error).toBeUndefined();
			expect(items[0].json.id).toBe(sid);
			expect(sent('GET', new RegExp(`^/v1/sessions/${sid}$`))).toHaveLength(1);
		}
	});

	test('a bad session is named as its field is labelled: "Session" in version 2, "Session ID" in version 1; nothing is sent', async () => {
		const cases = [
			[{ resource: 'session', operation: 'get' }, '  '],
			[{ resource: 'session', operation: 'delete' }, '..'],
			[{ resource: 'message', operation: 'send', sessionMode: 'existing', message: 'hi', options: {} }, ' '],
			[{ resource: 'file', operation: 'list', folder: '', recursive: false }, 'a/b'],
		];
		for (const [parameters, id] of cases) {
			for (const [typeVersion, sessionId, label] of [[2, rl(id, 'id'), 'Session'], [1, id, 'Session ID']]) {
				const { error } = await pokee(typeVersion, { ...parameters, sessionId });
				expect([parameters.operation, typeVersion, error?.message]).toEqual([
					parameters.operation,
					typeVersion,
					expect.stringMatching(new RegExp(`^${label} must .*\\(item 0\\)$`)),
				]);
			}
		}
		expect(fake.requests).toHaveLength(0);
	});
});

describe('From list for skills and files', () => {
	test('searchSkills lists GET /v1/skills by name; Skill → Delete takes a skill picked from it', async () => {
		for (const name of ['alpha-report', 'beta-report']) fake.skills.set(name, { name, files: ['SKILL.md'], total_bytes: 1, skill_md_size: 1, modified: 1 });
		const { results } = await listSearch('searchSkills', 'beta');
		expect(results).toEqual([{ name: 'beta-report', value: 'beta-report' }]);
		const { items, error } = await pokee(2, { resource: 'skill', operation: 'delete', skillName: rl('beta-report') });
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({ name: 'beta-report', deleted: true });
		expect(fake.skills.has('beta-report')).toBe(false);
		expect(fake.skills.has('alpha-report')).toBe(true);
	});

	test('searchFiles lists the files the chosen session sees (folders walked); File → Download takes one picked from it', async () => {
		const sid = fake.createSession({ persistent: true }).id;
		fake.putFile('output/v2-report.txt', 'the report');
		fake.putFile('notes/v2-other.md', 'other');
		fake.clearRequests();
		const { results } = await listSearch('searchFiles', 'v2-', { sessionId: rl(sid) });
		expect(results.map((r) => r.value).sort()).toEqual(['notes/v2-other.md', 'output/v2-report.txt']);
		expect(sent('GET', new RegExp(`^/v1/sessions/${sid}/files$`)).length).toBeGreaterThan(1);
		// no session chosen yet: an empty list, no request
		fake.clearRequests();
		expect(await listSearch('searchFiles', '', { sessionId: rl('') })).toEqual({ results: [] });
		expect(fake.requests).toHaveLength(0);

		const { items, error } = await pokee(2, {
			resource: 'file',
			operation: 'download',
			sessionId: rl(sid),
			path: rl('output/v2-report.txt'),
			binaryPropertyName: 'data',
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ session_id: sid, path: 'output/v2-report.txt' });
		expect(items[0].binary.data.fileName).toBe('v2-report.txt');
	});
});

describe('Get Many: Return All and Limit (version 2), Filters', () => {
	test('File → Get Many: Limit caps the listing, Return All gives it whole; version 1 has no limit', async () => {
		const sid = fake.createSession({ persistent: true }).id;
		for (const n of [1, 2, 3]) fake.putFile(`limits/f${n}.txt`, 'x');
		const list = (typeVersion, more) => pokee(typeVersion, { resource: 'file', operation: 'list', sessionId: typeVersion === 1 ? sid : rl(sid), folder: 'limits', recursive: false, ...more });
		expect((await list(2, { limit: 2 })).items).toHaveLength(2);
		expect((await list(2, { returnAll: true })).items).toHaveLength(3);
		// version 1 ignores a limit it never had
		expect((await list(1, { limit: 2 })).items).toHaveLength(3);
		const bad = await list(2, { limit: 0 });
		expect(bad.error.message).toMatch(/^Limit must be a positive whole number \(item 0\)$/);
	});

	test('Skill → Get Many: Limit caps the list (version 2)', async () => {
		for (const name of ['s-one', 's-two', 's-three']) fake.skills.set(name, { name, files: ['SKILL.md'], total_bytes: 1, skill_md_size: 1, modified: 1 });
		const many = await pokee(2, { resource: 'skill', operation: 'list', limit: 2 });
		expect(many.items).toHaveLength(2);
		const all = await pokee(2, { resource: 'skill', operation: 'list', returnAll: true });
		expect(all.items.length).toBe(fake.skills.size);
		expect((await pokee(1, { resource: 'skill', operation: 'list' })).items.length).toBe(fake.skills.size);
	});

	test('Session → Get Many: State and Metadata in the Filters collection (version 2); version 1 keeps its top-level filters', async () => {
		const tag = `t${Date.now()}`;
		const a = fake.createSession({ persistent: true, metadata: { tag } }).id;
		fake.createSession({ persistent: true, metadata: { tag: 'other' } });
		const v2 = await pokee(2, { resource: 'session', operation: 'getMany', returnAll: true, filters: { state: 'idle', metadata: JSON.stringify({ tag }) } });
		expect(v2.items.map((i) => i.json.id)).toEqual([a]);
		const v1 = await pokee(1, { resource: 'session', operation: 'getMany', returnAll: true, state: 'idle', metadataFilter: JSON.stringify({ tag }) });
		expect(v1.items.map((i) => i.json.id)).toEqual([a]);
		const bad = await pokee(2, { resource: 'session', operation: 'getMany', filters: { metadata: '[1]' } });
		expect(bad.error.message).toMatch(/^Filters: Metadata must be a JSON object \(item 0\)$/);
		expect(bad.error.message).not.toMatch(/undefined/);
	});
});

describe('Output and keys (version 2)', () => {
	const TURN_SIMPLIFIED = ['response_id', 'session_id', 'status', 'text'];

	test('Message → Send: Simplified by default, Raw as in version 1, Selected Fields; the same keys without Wait for Completion', async () => {
		const sid = fake.createSession({ persistent: true }).id;
		const send = (typeVersion, more) =>
			pokee(typeVersion, { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: typeVersion === 1 ? sid : rl(sid), message: 'Say hello', options: {}, ...more });
		const simplified = await send(2);
		expect(simplified.error).toBeUndefined();
		expect(Object.keys(simplified.items[0].json).sort()).toEqual(TURN_SIMPLIFIED);
		expect(simplified.items[0].json).toMatchObject({ session_id: sid, status: 'completed', text: 'Hello from Pokee.' });

		const raw = await send(2, { outputShape: 'raw' });
		const v1 = await send(1);
		expect(Object.keys(raw.items[0].json).sort()).toEqual(Object.keys(v1.items[0].json).sort());
		expect(raw.items[0].json.usage).toEqual({ input_tokens: 3, output_tokens: 3 });

		const selected = await send(2, { outputShape: 'fields', outputFields: 'text, usage' });
		expect(selected.items[0].json).toEqual({ text: 'Hello from Pokee.', usage: { input_tokens: 3, output_tokens: 3 } });

		const noWait = await send(2, { waitForCompletion: false });
		expect(noWait.error).toBeUndefined();
		expect(Object.keys(noWait.items[0].json).sort()).toEqual(TURN_SIMPLIFIED);
		expect(noWait.items[0].json).toMatchObject({ status: 'in_progress', text: '', response_id: expect.stringMatching(/^msg_/) });
		await until(() => fake.sessions.get(sid).busy === false);
		const noWaitRaw = await send(2, { waitForCompletion: false, outputShape: 'raw' });
		expect(Object.keys(noWaitRaw.items[0].json).sort()).toEqual(Object.keys(raw.items[0].json).sort());
		await until(() => fake.sessions.get(sid).busy === false);

		const none = await send(2, { outputShape: 'fields', outputFields: ' , ' });
		expect(none.error.message).toMatch(/^Fields must name at least one field \(item 0\)$/);
	});

	test('Response → Create names the response response_id (version 2), id in version 1', async () => {
		const create = (typeVersion, more) => pokee(typeVersion, { resource: 'response', operation: 'create', inputType: 'text', input: 'Say hello', options: {}, ...more });
		const v2 = await create(2);
		expect(v2.error).toBeUndefined();
		expect(Object.keys(v2.items[0].json).sort()).toEqual(['function_calls', 'response_id', 'status', 'text']);
		expect(v2.items[0].json.response_id).toEqual(expect.any(String));
		const raw = await create(2, { outputShape: 'raw' });
		expect(raw.items[0].json.id).toBeUndefined();
		expect(raw.items[0].json).toMatchObject({ response_id: expect.any(String), output: expect.any(Array) });
		const v1 = await create(1);
		expect(v1.items[0].json.id).toEqual(expect.any(String));
		expect(v1.items[0].json.response_id).toBeUndefined();
		const unstreamed = await create(2, { stream: false });
		expect(unstreamed.items[0].json).toMatchObject({ response_id: expect.any(String), status: 'completed' });
	});
});

describe('Time Limit default', () => {
	const { turnOptions } = require('../nodes/Pokee/actions/message/turnOptions');
	const { nodeType } = require('./harness/n8n');

	test('version 2 defaults to 5400 s (the API\'s 90 minutes), version 1 keeps 900 s', () => {
		expect(turnOptions({ typeVersion: 2 }, {}, 0).timeLimitSeconds).toBe(5400);
		expect(turnOptions({ typeVersion: 1 }, {}, 0).timeLimitSeconds).toBe(900);
		expect(turnOptions({ typeVersion: 2 }, { timeLimit: 60 }, 0).timeLimitSeconds).toBe(60);
		// and the editor shows those defaults, per version, for every turn operation
		const collections = nodeType('pokee').description.properties.filter((p) => p.name === 'options' && p.options.some((o) => o.name === 'timeLimit'));
		const byVersion = (v) => collections.filter((p) => JSON.stringify(p.displayOptions.show['@version']) === JSON.stringify(v));
		expect(byVersion([1]).map((p) => p.options.find((o) => o.name === 'timeLimit').default)).toEqual([900, 900, 900, 900]);
		expect(byVersion([{ _cnd: { gte: 2 } }]).map((p) => p.options.find((o) => o.name === 'timeLimit').default)).toEqual([5400, 5400, 5400, 5400]);
	});
});

describe('output schemas of version 2 (nodes/Pokee/__schema__/v2.0.0)', () => {
	const fs = require('node:fs');
	const path = require('node:path');
	const Ajv = require('ajv');
	const { readOutputSchema } = require('../scripts/output-schemas');
	const { declaredOperations } = require('./harness/n8n');
	const dir = (v) => path.resolve(__dirname, '..', 'nodes', 'Pokee', '__schema__', v);
	const ajv = new Ajv({ allErrors: true, nullable: true });

	test('one per operation; only the turns (Send, Resume, Submit) and Response → Create differ from version 1', () => {
		const TURNS = ['message/send', 'message/resume', 'toolResult/submit'];
		for (const [resource, operation] of declaredOperations('pokee')) {
			const name = `${resource}/${operation}`;
			const v1 = readOutputSchema(path.join(dir('v1.0.0'), `${name}.json`));
			const v2 = readOutputSchema(path.join(dir('v2.0.0'), `${name}.json`));
			expect(ajv.validateSchema(v2)).toBe(true);
			if (TURNS.includes(name) || name === 'response/create') {
				expect(v2).not.toEqual(v1);
				expect(Object.keys(v2.properties)).toContain('response_id');
			} else {
				// unchanged: a reference to version 1's file ({"sameAs": "../v1.0.0/..."}), resolved by the build
				expect(v2).toEqual(v1);
				expect(JSON.parse(fs.readFileSync(path.join(dir('v2.0.0'), `${name}.json`), 'utf8')).sameAs).toMatch(/^\.\.\/v1\.0\.0\//);
			}
		}
	});

	test('the default (Simplified) outputs of the turn operations and Response → Create match them, every key declared', async () => {
		const sid = fake.createSession({ persistent: true }).id;
		const check = (name, items) => {
			const schema = readOutputSchema(path.join(dir('v2.0.0'), `${name}.json`));
			for (const { json } of items) {
				expect(ajv.validate(schema, json)).toBe(true);
				expect(Object.keys(json).filter((k) => !schema.properties[k])).toEqual([]);
			}
		};
		const sent = await pokee(2, { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: rl(sid), message: 'Say hello', options: {} });
		check('message/send', sent.items);
		const resumed = await pokee(2, { resource: 'message', operation: 'resume', sessionId: rl(sid), responseId: sent.items[0].json.response_id, options: {} });
		check('message/resume', resumed.items);
		const created = await pokee(2, { resource: 'response', operation: 'create', inputType: 'text', input: 'Say hello', options: {} });
		check('response/create', created.items);
	});
});
