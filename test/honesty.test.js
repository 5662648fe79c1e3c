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
