'use strict';
/**
 * No item succeeds for work that did not happen (issue 16, items 1, 3, 4, 8, 10, 11, 12c): run
 * by n8n's real engine against the loopback fakes, asserting on what the fakes stored and
 * received. Binaries are in n8n's filesystem mode (the harness's default), so uploads are
 * streams read from n8n's store.
 */
const crypto = require('node:crypto');
const { NodeApiError } = require('n8n-workflow');
const { runNode, runPoll, declaredOperations } = require('./harness/n8n');
const { makeZip, DEFAULT_KEY } = require('./fakes/fakePokee');
const { useFakePokee } = require('./harness/fakes');

const fake = useFakePokee({ eventDelayMs: 1, maxSessions: 1000 });

const pokeeCreds = () => ({ pokeeApi: { apiKey: DEFAULT_KEY, baseUrl: fake.baseUrl } });
const pokee = (parameters, extra = {}) => runNode({ type: 'pokee', parameters, credentials: pokeeCreds(), ...extra });
const pollTrigger = (parameters, staticData, mode = 'trigger') =>
	runPoll({ parameters, credentials: pokeeCreds(), staticData, mode });

/** A persistent session, made in the fake directly: nothing in its request log. */
const newSession = (body = {}) => fake.createSession({ persistent: true, ...body }).id;
const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');
const sent = (method, pattern) => fake.requests.filter((r) => r.method === method && pattern.test(r.path));

/**
 * A binary property as n8n holds it in filesystem mode: the file is put in the fake and
 * downloaded through the node, so the item carries a binary id, not the bytes.
 */
async function storedBinary(sid, path, data) {
	fake.putFile(path, data);
	const down = await pokee({ resource: 'file', operation: 'download', sessionId: sid, path, binaryPropertyName: 'data' });
	expect(down.error).toBeUndefined();
	const binary = down.items[0].binary.data;
	expect(binary.id).toMatch(/^filesystem/); // a stream when read back, not base64 in the item
	fake.clearRequests();
	return binary;
}

// ---------------------------------------------------------------------------------------------
// Item 1: a retried upload sends the whole file again

describe('a retried upload sends the whole body (filesystem binary mode, 6 MB)', () => {
	const faults = {
		'429 (Retry-After: 0)': (path) => ({ method: 'PUT', path, kind: 'status', status: 429, headers: { 'retry-after': '0' } }),
		'503 (Retry-After: 0)': (path) => ({ method: 'PUT', path, kind: 'status', status: 503, headers: { 'retry-after': '0' } }),
		'a reset after the server stored it': (path) => ({ method: 'PUT', path, kind: 'reset' }),
		'a reset before the server processed it': (path) => ({ method: 'PUT', path, kind: 'reset', beforeProcessing: true }),
	};
	for (const [name, fault] of Object.entries(faults)) {
		test(`File → Upload after ${name}: the server stores every byte (sha256), both attempts carried the whole file`, async () => {
			const sid = newSession();
			const original = crypto.randomBytes(6 * 1024 * 1024);
			const binary = await storedBinary(sid, 'in/big.bin', original);
			fake.fault(fault('/v1/sessions/' + sid + '/files/out/big.bin'));
			const { items, error } = await pokee(
				{ resource: 'file', operation: 'upload', sessionId: sid, path: 'out/big.bin', binaryPropertyName: 'data' },
				{ items: [{ json: {}, binary: { data: binary } }] },
			);
			expect(error).toBeUndefined();
			expect(items[0].json).toMatchObject({ path: 'out/big.bin', size: original.length });
			expect(fake.fileSha256('out/big.bin')).toBe(sha256(original));
			const puts = sent('PUT', /\/files\/out\/big\.bin$/);
			expect(puts).toHaveLength(2);
			for (const put of puts) expect(sha256(put.body)).toBe(sha256(original));
		});
	}

	test('Skill → Install after a 429 and a 503: each attempt sends the whole zip, the skill is installed', async () => {
		const sid = newSession();
		const zip = makeZip([
			{ name: 'SKILL.md', data: '# Big skill\n' },
			{ name: 'data.bin', data: crypto.randomBytes(3 * 1024 * 1024) },
		]);
		const binary = await storedBinary(sid, 'in/skill.zip', zip);
		fake.fault({ method: 'POST', path: '/v1/skills/big-skill', kind: 'status', status: 429, headers: { 'retry-after': '0' } });
		fake.fault({ method: 'POST', path: '/v1/skills/big-skill', kind: 'status', status: 503, headers: { 'retry-after': '0' } });
		const { items, error } = await pokee(
			{ resource: 'skill', operation: 'install', skillName: 'big-skill', binaryPropertyName: 'data' },
			{ items: [{ json: {}, binary: { data: binary } }] },
		);
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name: 'big-skill', files: ['SKILL.md', 'data.bin'] });
		expect(fake.skills.get('big-skill')).toMatchObject({ files: ['SKILL.md', 'data.bin'] });
		const posts = sent('POST', /^\/v1\/skills\/big-skill$/);
		expect(posts).toHaveLength(3);
		for (const post of posts) expect(sha256(post.body)).toBe(sha256(zip));
	});
});

// ---------------------------------------------------------------------------------------------
// Item 3: a redirect is an error naming where it points, for every operation

const { startFakePoke } = require('./fakes/fakePoke');

const ELSEWHERE = 'https://api.elsewhere.example/v1/moved';
let poke;
let hook; // a webhook registered on the Poke fake directly
const pokeCreds = () => ({ pokeApi: { apiKey: poke.v2Key, baseUrl: poke.apiUrl } });

/** Parameters (and input items) that get each operation as far as its first request. */
function operationRun(type, resource, operation, sid) {
	const zip = makeZip([{ name: 'SKILL.md', data: '# Skill\n' }]);
	const file = (data, mimeType) => ({ items: [{ json: {}, binary: { data: { data: data.toString('base64'), mimeType, fileName: 'f' } } }] });
	const table = {
		'poke message.send': [{ message: 'hi', options: {} }],
		'poke webhook.create': [{ condition: 'c', action: 'a' }],
		'poke webhook.fire': [{ webhookUrl: hook.webhookUrl, webhookToken: hook.webhookToken, dataSource: 'parameter', data: '{"x":1}', options: {} }],
		'pokee session.create': [{ sessionOptions: {} }],
		'pokee session.delete': [{ sessionId: sid }],
		'pokee session.deleteMany': [{ idleOnly: true, olderThan: '1h' }],
		'pokee session.get': [{ sessionId: sid }],
		'pokee session.getMany': [{ returnAll: true, state: 'all', metadataFilter: '{}' }],
		'pokee session.waitUntilIdle': [{ sessionId: sid, pollInterval: 1, timeLimit: 30 }],
		'pokee message.cancel': [{ sessionId: sid, responseId: 'msg_000000000000000000000001' }],
		'pokee message.resume': [{ sessionId: sid, responseId: 'msg_000000000000000000000001', options: {} }],
		'pokee message.send': [{ sessionMode: 'existing', sessionId: sid, message: 'hi', options: {} }],
		'pokee toolResult.submit': [
			{ sessionId: sid, responseId: 'msg_000000000000000000000001', callId: 'call_1', output: '{"ok":true}', lastEventId: '', options: {} },
		],
		'pokee file.delete': [{ sessionId: sid, path: 'a.txt' }],
		'pokee file.download': [{ sessionId: sid, path: 'a.txt', binaryPropertyName: 'data' }],
		'pokee file.downloadMany': [{ sessionId: sid, folder: '', pattern: '*', recursive: false, binaryPropertyName: 'data' }],
		'pokee file.list': [{ sessionId: sid, folder: '', recursive: false }],
		'pokee file.upload': [{ sessionId: sid, path: 'a.txt', binaryPropertyName: 'data' }, file(Buffer.from('hello'), 'text/plain')],
		'pokee skill.delete': [{ skillName: 'my-skill' }],
		'pokee skill.install': [{ skillName: 'my-skill', binaryPropertyName: 'data' }, file(zip, 'application/zip')],
		'pokee skill.list': [{}],
		'pokee usage.get': [{}],
		'pokee response.create': [{ inputType: 'text', input: 'hi', model: '', tools: '[]', reasoningEffort: 'minimal', stream: false, options: {} }],
	};
	const entry = table[`${type} ${resource}.${operation}`];
	if (!entry) throw new Error(`no parameters for ${type} ${resource}.${operation}: add them to the table`);
	return { parameters: { resource, operation, ...entry[0] }, extra: entry[1] ?? {} };
}

describe('a redirect (3xx) is an error naming the Location, never a success, for every operation', () => {
	beforeAll(async () => {
		poke = await startFakePoke();
		const res = await fetch(`${poke.apiUrl}/api-keys/webhook`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${poke.v2Key}`, 'Content-Type': 'application/json' },
			body: JSON.stringify({ condition: 'honesty', action: 'count' }),
		});
		hook = await res.json();
	});
	afterAll(async () => {
		await poke.close();
	});
	beforeEach(() => poke.reset());

	const cases = ['pokee', 'poke'].flatMap((type) => declaredOperations(type).map(([resource, operation]) => [type, resource, operation]));

	test.each(cases)('%s %s.%s: 302 and 307 fail the item (and with Continue On Fail give an error item)', async (type, resource, operation) => {
		const sid = newSession();
		for (const status of [302, 307]) {
			for (const continueOnFail of [false, true]) {
				const target = type === 'poke' ? poke : fake;
				target.clearFaults();
				target.fault({ kind: 'status', status, headers: { location: ELSEWHERE }, body: { moved: true }, times: 100 });
				const { parameters, extra } = operationRun(type, resource, operation, sid);
				const credentials = type === 'poke' ? pokeCreds() : pokeeCreds();
				const { items, error } = await runNode({ type, parameters, credentials, continueOnFail, ...extra });
				target.clearFaults();
				const label = `${type} ${resource}.${operation} ${status} continueOnFail=${continueOnFail}`;
				const expected = new RegExp(`redirects to ${ELSEWHERE.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(${status}\\): set the (Base )?URL to that host`);
				if (continueOnFail) {
					expect([label, error]).toEqual([label, undefined]);
					expect([label, items.length]).toEqual([label, 1]);
					expect([label, items[0].json.error]).toEqual([label, expect.stringMatching(expected)]);
					expect([label, items[0].pairedItem]).toEqual([label, { item: 0 }]);
				} else {
					expect([label, items]).toEqual([label, []]);
					expect([label, error?.message]).toEqual([label, expect.stringMatching(expected)]);
					expect([label, error?.httpCode]).toEqual([label, String(status)]);
				}
				// the redirect was answered, so a request was made, and none went anywhere else
				expect([label, target.requests.length > 0]).toEqual([label, true]);
			}
		}
	});

	test.each(cases)('%s %s.%s: only a 2xx answer is a success (400, 404 and 500 fail the item with the API\'s message)', async (type, resource, operation) => {
		const sid = newSession();
		for (const status of [400, 404, 500]) {
			const target = type === 'poke' ? poke : fake;
			target.clearFaults();
			const message = `injected ${status} for ${operation}`;
			// Retry-After 0: retried requests (GET, PUT, DELETE, keyed POST) are retried at once
			target.fault({ kind: 'status', status, headers: { 'retry-after': '0' }, body: { error: 'x', message }, times: 100 });
			const { parameters, extra } = operationRun(type, resource, operation, sid);
			const credentials = type === 'poke' ? pokeCreds() : pokeeCreds();
			const { items, error } = await runNode({ type, parameters, credentials, continueOnFail: true, ...extra });
			target.clearFaults();
			const label = `${type} ${resource}.${operation} ${status}`;
			expect([label, error]).toEqual([label, undefined]);
			expect([label, items.length]).toEqual([label, 1]);
			expect([label, Object.keys(items[0].json).sort()]).toEqual([label, expect.arrayContaining(['error'])]);
			expect([label, items[0].json.error]).toEqual([label, expect.stringContaining(`(${status})`)]);
			expect([label, items[0].json.error]).toEqual([label, expect.stringContaining(message)]);
			expect([label, items[0].pairedItem]).toEqual([label, { item: 0 }]);
			expect([label, target.requests.length > 0]).toEqual([label, true]);
		}
	});

	test('the Pokee Trigger: a 302 on the session list fails the poll naming the Location; no state stored', async () => {
		newSession();
		const staticData = {};
		fake.fault({ method: 'GET', path: '/v1/sessions', kind: 'status', status: 302, headers: { location: ELSEWHERE } });
		const { result, error } = await pollTrigger({ event: 'sessionCreated', watch: 'all' }, staticData);
		expect(result).toBeUndefined();
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(`Pokee API: the Base URL redirects to ${ELSEWHERE} (302): set the Base URL to that host`);
		expect(staticData).toEqual({});
	});

	test('a relative Location is named as an absolute URL', async () => {
		fake.fault({ method: 'GET', path: '/v1/usage', kind: 'status', status: 301, headers: { location: '/v2/usage' } });
		const { error } = await pokee({ resource: 'usage', operation: 'get' });
		expect(error.message).toBe(`Pokee API: the Base URL redirects to ${fake.baseUrl}/v2/usage (301): set the Base URL to that host`);
		expect(sent('GET', /usage/)).toHaveLength(1);
	});
});

// ---------------------------------------------------------------------------------------------
// Item 4: one session's failing output does not hold back the trigger

describe('Pokee Trigger: a failure for one event is on its item', () => {
	test('two sessions finish, listing one answers 403: both events come, the good one with its file; the next poll emits nothing', async () => {
		fake.sessions.clear(); // "all sessions" = this test's
		const a = newSession();
		const b = newSession();
		const parameters = { event: 'turnFinished', watch: 'all', options: { includeListing: true, downloadPattern: '*.txt' } };
		const staticData = {};
		expect((await pollTrigger(parameters, staticData)).result).toBeNull(); // baseline

		// both finish a turn; the tenant's output folder holds one new file
		const sessionA = fake.sessions.get(a);
		const sessionB = fake.sessions.get(b);
		sessionA.last_activity += 5;
		sessionB.last_activity += 5;
		fake.putFile('output/result.txt', 'the result');
		fake.fault({ method: 'GET', path: `/v1/sessions/${a}/files`, kind: 'status', status: 403, body: { error: 'forbidden', message: "'output' not in session scope" } });

		const { result, error } = await pollTrigger(parameters, staticData);
		expect(error).toBeUndefined();
		const items = result[0];
		expect(items.map((i) => i.json.session_id)).toEqual([a, b]);
		expect(items[0].json.error).toEqual(
			expect.objectContaining({ message: "Pokee API error (403): 'output' not in session scope", status: 403 }),
		);
		expect(items[0].binary).toBeUndefined();
		expect(items[1].json.error).toBeUndefined();
		expect(items[1].json.downloaded_files).toEqual([expect.objectContaining({ path: 'output/result.txt' })]);
		expect(items[1].binary.data).toBeDefined();
		expect(sent('GET', new RegExp(`^/v1/sessions/${b}/files/output/result\\.txt$`))).toHaveLength(1);

		expect((await pollTrigger(parameters, staticData)).result).toBeNull();
	});
});

// ---------------------------------------------------------------------------------------------
// Item 8: list answers that are not lists

describe('a list answer that is not a JSON array is an error, not an empty list', () => {
	test.each([
		['File → List', { resource: 'file', operation: 'list', folder: 'output', recursive: false }, /\/files$/, /^Pokee: the listing of "output" is not a JSON array$/],
		[
			'File → Download Many',
			{ resource: 'file', operation: 'downloadMany', folder: 'output', pattern: '*', recursive: false, binaryPropertyName: 'data' },
			/\/files$/,
			/^Pokee: the listing of "output" is not a JSON array$/,
		],
		['Skill → List', { resource: 'skill', operation: 'list' }, /^\/v1\/skills$/, /^Pokee: the skill list is not a JSON array$/],
		['Session → Get Many', { resource: 'session', operation: 'getMany', returnAll: true, state: 'all', metadataFilter: '{}' }, /^\/v1\/sessions$/, /^Pokee: the session list is not a JSON array$/],
	])('%s', async (_name, parameters, path, message) => {
		const sid = newSession();
		fake.putFile('output/x.txt', 'x');
		fake.fault({ method: 'GET', path, kind: 'status', status: 200, body: { items: [{ name: 'x.txt', type: 'file' }] } });
		const { items, error } = await pokee({ sessionId: sid, ...parameters });
		expect(items).toEqual([]);
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toMatch(message);
		expect(error.description).toMatch(/Check the Base URL/);
		// nothing was downloaded on the strength of it
		expect(sent('GET', /\/files\/output\/x\.txt$/)).toHaveLength(0);
	});
});

// ---------------------------------------------------------------------------------------------
// Item 10: the file name pattern is matched in linear time

const { globMatch } = require('../nodes/Pokee/helpers/validate');

describe('file name patterns', () => {
	test('File → Download Many with *a*a*a*a*a*a*b over long names: the right file, without backtracking', async () => {
		const sid = newSession();
		const long = 'a'.repeat(100);
		for (let i = 0; i < 3; i++) fake.putFile(`names/${long}${'_'.repeat(i)}a`, 'no');
		fake.putFile(`names/${long}b`, 'yes');
		const { items, error } = await pokee({
			resource: 'file',
			operation: 'downloadMany',
			sessionId: sid,
			folder: 'names',
			pattern: '*a*a*a*a*a*a*b',
			recursive: false,
			binaryPropertyName: 'data',
		});
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.path)).toEqual([`names/${long}b`]);
		expect(sent('GET', /\/files\/names\//)).toHaveLength(1);
	});

	test('worse patterns against long names give the right answers', () => {
		const name = 'a'.repeat(5000);
		expect(globMatch('*a*a*a*a*a*a*a*a*a*a*a*a*b', name)).toBe(false);
		expect(globMatch('*a*a*a*a*a*a*a*a*a*a*a*a*', name)).toBe(true);
		expect(globMatch('*?*?*?*?*?*?*?*?*?*?*?*?b', name)).toBe(false);
		expect(globMatch(`${'*a'.repeat(200)}*b`, `${name}b`)).toBe(true);
	});

	test('agrees with the documented rules: * any run, ? one character, neither crosses "/", the rest literal', () => {
		const cases = [
			['*.pptx', 'deck.pptx', true],
			['*.pptx', 'deck.pptx.bak', false],
			['*.pptx', '.pptx', true],
			['deck-?.pptx', 'deck-1.pptx', true],
			['deck-?.pptx', 'deck-12.pptx', false],
			['*', '', true],
			['?', '', false],
			['a*b*c', 'abc', true],
			['a*b*c', 'aXbYbZc', true],
			['a*b*c', 'aXbYc?', false],
			['*', 'a/b', false],
			['a?b', 'a/b', false],
			['a*', 'a/b', false],
			['[ab].txt', '[ab].txt', true],
			['[ab].txt', 'a.txt', false],
			['(x)+.txt', '(x)+.txt', true],
			['*.*', 'no-dot', false],
			['**', 'x', true],
			['*x', 'xxx', true],
		];
		for (const [pattern, name, want] of cases) expect([pattern, name, globMatch(pattern, name)]).toEqual([pattern, name, want]);
	});
});

// ---------------------------------------------------------------------------------------------
// Item 11: "." and ".." never reach a URL path

describe('"." and ".." (plain or percent-encoded) and "/" are refused in IDs, before any request', () => {
	const bad = ['.', '..', '%2e', '%2E', '%2e%2E', '.%2e', '%252e%252e', 'a/b', '%2F', '..%2f..'];
	const operations = [
		['Session → Get', (id) => ({ resource: 'session', operation: 'get', sessionId: id }), 'Session ID'],
		['Session → Delete', (id) => ({ resource: 'session', operation: 'delete', sessionId: id }), 'Session ID'],
		['Session → Wait Until Idle', (id) => ({ resource: 'session', operation: 'waitUntilIdle', sessionId: id, pollInterval: 1, timeLimit: 30 }), 'Session ID'],
		['Message → Send', (id) => ({ resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: id, message: 'hi', options: {} }), 'Session ID'],
		['File → List', (id) => ({ resource: 'file', operation: 'list', sessionId: id, folder: '', recursive: false }), 'Session ID'],
		['File → Delete', (id) => ({ resource: 'file', operation: 'delete', sessionId: id, path: 'a.txt' }), 'Session ID'],
		['Message → Resume (Response ID)', (id) => ({ resource: 'message', operation: 'resume', sessionId: 'sess_1', responseId: id, options: {} }), 'Response ID'],
		['Message → Cancel (Response ID)', (id) => ({ resource: 'message', operation: 'cancel', sessionId: 'sess_1', responseId: id }), 'Response ID'],
		[
			'Tool Result → Submit (Call ID)',
			(id) => ({ resource: 'toolResult', operation: 'submit', sessionId: 'sess_1', responseId: 'msg_1', callId: id, output: '{}', lastEventId: '', options: {} }),
			'Call ID',
		],
		['Skill → Delete (Skill Name)', (id) => ({ resource: 'skill', operation: 'delete', skillName: id }), 'Skill Name'],
	];
	test.each(operations)('%s', async (_name, parameters, field) => {
		for (const id of bad) {
			const { items, error } = await pokee(parameters(id));
			expect([id, items]).toEqual([id, []]);
			expect([id, error?.name]).toEqual([id, 'NodeOperationError']);
			expect([id, error.message]).toEqual([id, expect.stringMatching(new RegExp(`^${field} must .*\\(item 0\\)$`))]);
		}
		expect(fake.requests).toEqual([]);
	});

	test('a session ID of ".." with Continue On Fail: an error item, no request', async () => {
		const { items, error } = await pokee({ resource: 'session', operation: 'delete', sessionId: '..' }, { continueOnFail: true });
		expect(error).toBeUndefined();
		expect(items).toEqual([{ json: expect.objectContaining({ error: expect.stringMatching(/^Session ID must not be "\." or "\.\." .*\(item 0\)$/) }), pairedItem: { item: 0 } }]);
		expect(fake.requests).toEqual([]);
	});

	test('File → Download Many: a listed name ".." is refused, nothing is requested with it', async () => {
		const sid = newSession();
		fake.fault({ method: 'GET', path: `/v1/sessions/${sid}/files`, kind: 'status', status: 200, body: [{ name: '..', type: 'file', size: 1 }] });
		const { items, error } = await pokee({ resource: 'file', operation: 'downloadMany', sessionId: sid, folder: '', pattern: '*', recursive: false, binaryPropertyName: 'data' });
		expect(items).toEqual([]);
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe('Pokee: the listing of "/" has an entry whose name must not be "." or ".." (or their percent-encoded forms) (item 0)');
		expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/sessions/${sid}/files`]);
	});

	test('File → List (recursive): a listed folder "." or "a/b" is refused instead of followed', async () => {
		const sid = newSession();
		for (const name of ['.', 'a/b', '%2e%2e']) {
			fake.clearRequests();
			fake.fault({ method: 'GET', path: `/v1/sessions/${sid}/files`, kind: 'status', status: 200, body: [{ name, type: 'directory' }], times: 100 });
			const { error } = await pokee({ resource: 'file', operation: 'list', sessionId: sid, folder: 'top', recursive: true });
			fake.clearFaults();
			expect([name, error?.message]).toEqual([name, expect.stringMatching(/^Pokee: the listing of "top" has an entry whose name must not/)]);
			expect([name, fake.requests.length]).toEqual([name, 1]);
		}
	});

	test('File → List (recursive): a folder nested without end stops at 32 levels with an error', async () => {
		const sid = newSession();
		fake.fault({ method: 'GET', path: `/v1/sessions/${sid}/files`, kind: 'status', status: 200, body: [{ name: 'd', type: 'directory' }], times: 1000 });
		const { error } = await pokee({ resource: 'file', operation: 'list', sessionId: sid, folder: '', recursive: true });
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toMatch(/^Pokee: the folder "d(\/d){31}" is nested deeper than 32 levels \(item 0\)$/);
		expect(fake.requests).toHaveLength(32);
	});
});

// ---------------------------------------------------------------------------------------------
// Item 12c: metadata keys and session IDs are own properties, never inherited members

describe('metadata matching uses own properties only', () => {
	test('Session → Get Many: a filter on "__proto__", "constructor" or "toString" matches only sessions that have that key', async () => {
		const plain = newSession({ metadata: { team: 'ops' } });
		const withKeys = newSession({ metadata: { constructor: 'x', toString: 'y' } });
		const filter = async (metadataFilter) => {
			const { items, error } = await pokee({ resource: 'session', operation: 'getMany', returnAll: true, state: 'all', metadataFilter });
			expect(error).toBeUndefined();
			return items.map((i) => i.json.id).filter((id) => id === plain || id === withKeys);
		};
		expect(await filter('{"__proto__": {}}')).toEqual([]);
		expect(await filter('{"constructor": {}}')).toEqual([]);
		expect(await filter('{"constructor": "x"}')).toEqual([withKeys]);
		expect(await filter('{"toString": "y"}')).toEqual([withKeys]);
	});

	test('Trigger (Metadata Changed) on keys "constructor, toString": no sample for sessions without them; a real change fires', async () => {
		fake.sessions.clear(); // "all sessions" = this test's
		const parameters = { event: 'metadataChanged', watch: 'all', metadataKeys: 'constructor, toString' };
		newSession({ metadata: { team: 'ops' } });
		const manual = await pollTrigger(parameters, {}, 'manual');
		expect(manual.error).toBeUndefined();
		expect(manual.result).toBeNull();

		const staticData = {};
		expect((await pollTrigger(parameters, staticData)).result).toBeNull();
		const s = newSession({ metadata: { constructor: 'draft' } });
		const created = (await pollTrigger(parameters, staticData)).result[0];
		expect(created.map((i) => [i.json.session_id, i.json.changes])).toEqual([[s, { constructor: { old: null, new: 'draft' } }]]);
		fake.setMetadata(s, { constructor: 'final' });
		const changed = (await pollTrigger(parameters, JSON.parse(JSON.stringify(staticData)))).result[0];
		expect(changed.map((i) => i.json.changes)).toEqual([{ constructor: { old: 'draft', new: 'final' } }]);
	});

	test('Trigger (Session Created / Ended): sessions with the IDs "constructor" and "__proto__" are seen like any other', async () => {
		fake.sessions.clear(); // "all sessions" = this test's
		const add = (id) => {
			// the fake's own record, under another ID
			const record = fake.sessions.get(fake.createSession({ persistent: true }).id);
			fake.sessions.delete(record.id);
			record.id = id;
			fake.sessions.set(id, record);
		};
		const createdState = {};
		const endedState = {};
		expect((await pollTrigger({ event: 'sessionCreated', watch: 'all' }, createdState)).result).toBeNull();
		add('constructor');
		add('__proto__');
		const created = (await pollTrigger({ event: 'sessionCreated', watch: 'all' }, createdState)).result;
		expect(created[0].map((i) => i.json.session_id).sort()).toEqual(['__proto__', 'constructor']);

		expect((await pollTrigger({ event: 'sessionEnded', watch: 'all' }, endedState)).result).toBeNull();
		const stored = JSON.parse(JSON.stringify(endedState));
		expect(Object.keys(stored.state.sessions).sort()).toEqual(expect.arrayContaining(['__proto__', 'constructor']));
		fake.sessions.delete('constructor');
		fake.sessions.delete('__proto__');
		const ended = (await pollTrigger({ event: 'sessionEnded', watch: 'all' }, stored)).result;
		expect(ended[0].map((i) => i.json.session_id).sort()).toEqual(['__proto__', 'constructor']);
	});
});
