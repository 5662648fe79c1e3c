'use strict';
/**
 * Node version 2 of the Pokee node (resource locators with From list, Get Many limits, Output,
 * Time Limit, response_id keys) beside version 1, which keeps 0.1.0's parameters and outputs.
 * Everything runs through n8n's engine against the loopback fake Pokee API.
 */
const { runNode, runListSearch } = require('./harness/n8n');
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
});
