'use strict';
/**
 * The Pokee Trigger, polled by n8n's real PollContext against the loopback fake Pokee API, over
 * several polls per test: every event, the turn that starts and finishes between two polls,
 * baseline, manual mode, API errors (state untouched, event emitted once later), restarts and
 * one list request per poll however many sessions there are.
 *
 * Each test gets its own fake, so "all sessions" means the sessions that test created.
 */
const { NodeApiError } = require('n8n-workflow');
const { runPoll, binaryBytes } = require('./harness/n8n');
const { startFakePokee, deckFile, DEFAULT_KEY: KEY } = require('./fakes/fakePokee');

const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

let fake;
beforeEach(async () => {
	fake = await startFakePokee({ maxSessions: 2000, eventDelayMs: 1, deckMs: 300 });
});
afterEach(async () => {
	await fake.close();
});

const creds = () => ({ pokeeApi: { apiKey: KEY, baseUrl: fake.baseUrl } });

function api(method, path, body) {
	return fetch(`${fake.baseUrl}${path}`, {
		method,
		headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
}

/** A persistent session, made in the fake directly (throws where the API would refuse it). */
async function newSession(body = {}) {
	return fake.createSession({ persistent: true, ...body }).id;
}

/** Starts a turn; fetch resolves on the response headers, when the session is already busy. */
async function startTurn(id, message = 'hello') {
	const res = await api('POST', `/v1/sessions/${id}/messages`, { message });
	expect(res.status).toBe(200);
	expect(fake.sessions.get(id).busy).toBe(true);
	return res;
}

/** Reads a turn's stream to its end: the session is idle again afterwards. */
async function finishTurn(res) {
	expect(await res.text()).toContain('event: message.completed');
}

const runTurn = async (id, message) => finishTurn(await startTurn(id, message));

const poll = (parameters, staticData, mode = 'trigger') =>
	runPoll({ parameters, credentials: creds(), staticData, mode });

/** The emitted items of a poll (null = none), failing the test on a poll error. */
async function emitted(parameters, staticData, mode) {
	const { result, error } = await poll(parameters, staticData, mode);
	if (error) throw error;
	return result === null ? [] : result[0];
}

const listRequests = () => fake.requests.filter((r) => r.method === 'GET' && r.path === '/v1/sessions');
const jsonOf = (items) => items.map((i) => i.json);
/** A status fault for one poll: a 5xx outlasts the node's 3 retries (Retry-After: 0, no wait). */
const failing = (method, path, status = 500) =>
	fake.fault({ method, path, kind: 'status', status, headers: { 'retry-after': '0' }, times: status >= 500 ? 4 : 1 });

const TURN = { event: 'turnFinished', watch: 'all' };
const META = { event: 'metadataChanged', watch: 'all', metadataKeys: '' };
const CREATED = { event: 'sessionCreated', watch: 'all' };
const ENDED = { event: 'sessionEnded', watch: 'all' };

describe('baseline', () => {
	test('the first poll records a baseline and emits nothing, for every event', async () => {
		const a = await newSession({ metadata: { temasek_status: 'done' } });
		await runTurn(a);
		for (const parameters of [TURN, META, CREATED, ENDED]) {
			const staticData = {};
			const { result, error } = await poll(parameters, staticData);
			expect(error).toBeUndefined();
			expect(result).toBeNull();
			expect(staticData.state.sessions[a]).toBeDefined();
			// and a second poll with nothing new emits nothing either
			expect(await emitted(parameters, staticData)).toEqual([]);
		}
	});
});

describe('Turn Finished', () => {
	test('a turn busy at one poll and idle at the next fires once', async () => {
		const a = await newSession();
		await newSession(); // idle throughout: never fires
		const staticData = {};
		expect(await emitted(TURN, staticData)).toEqual([]);

		const res = await startTurn(a, '#slow:100 take your time');
		expect(await emitted(TURN, staticData)).toEqual([]); // still running
		expect(staticData.state.sessions[a].b).toBe(true); // this poll did see it busy
		await finishTurn(res);

		const items = await emitted(TURN, staticData);
		expect(jsonOf(items)).toEqual([
			expect.objectContaining({ event: 'turnFinished', session_id: a, busy: false, last_activity: fake.sessions.get(a).last_activity }),
		]);
		expect(items[0].json.session).toEqual(expect.objectContaining({ id: a, busy: false }));
		expect(await emitted(TURN, staticData)).toEqual([]); // not twice
	});

	test('a turn that starts and finishes between two polls fires (busy is never observed)', async () => {
		const a = await newSession();
		const b = await newSession();
		const staticData = {};
		await emitted(TURN, staticData);
		expect(staticData.state.sessions[a].b).toBe(false);

		await runTurn(a);
		const items = await emitted(TURN, staticData);
		expect(staticData.state.sessions[a].b).toBe(false); // idle at both polls
		expect(jsonOf(items)).toEqual([expect.objectContaining({ event: 'turnFinished', session_id: a })]);
		expect(await emitted(TURN, staticData)).toEqual([]);

		// two more turns on each session between two polls: one event per session
		await runTurn(a);
		await runTurn(b);
		await runTurn(a);
		expect(jsonOf(await emitted(TURN, staticData)).map((j) => j.session_id)).toEqual([a, b]);
		expect(await emitted(TURN, staticData)).toEqual([]);
	});

	test('a session created since the last poll fires only once it has finished a turn', async () => {
		const staticData = {};
		await emitted(TURN, staticData);
		await newSession(); // no turn: never fires
		const busyOne = await newSession();
		await runTurn(busyOne);
		expect(jsonOf(await emitted(TURN, staticData)).map((j) => j.session_id)).toEqual([busyOne]);
		expect(await emitted(TURN, staticData)).toEqual([]);
	});

	test('with the output listing (an empty list while the folder does not exist)', async () => {
		const a = await newSession();
		const staticData = {};
		const parameters = { ...TURN, options: { includeListing: true } };
		await emitted(parameters, staticData);
		await runTurn(a);
		let items = await emitted(parameters, staticData);
		expect(items).toHaveLength(1);
		expect(items[0].json.output_files).toEqual([]);
		expect(items[0].binary).toBeUndefined();

		fake.putFile('output/report.txt', 'report');
		await runTurn(a);
		items = await emitted(parameters, staticData);
		expect(items[0].json.output_files).toEqual([
			expect.objectContaining({ name: 'report.txt', type: 'file', path: 'output/report.txt', size: 6 }),
		]);
	});

	test('downloads the files this turn wrote that match the pattern, as binary', async () => {
		// an older deck of another session and a non-matching file share the tenant's output folder
		const other = await newSession();
		await runTurn(other, '#deck');
		fake.putFile('output/notes.txt', 'notes');
		const a = await newSession();
		const staticData = {};
		const parameters = { ...TURN, options: { includeListing: true, downloadPattern: '*.pptx' } };
		await emitted(parameters, staticData);

		await runTurn(a, '#deck build the Temasek deck');
		fake.putFile('output/z-appendix.pptx', 'appendix'); // written after the deck, before the poll
		fake.clearRequests();
		const items = await emitted(parameters, staticData);
		expect(items).toHaveLength(1);
		const [item] = items;
		const deck = deckFile(a);
		const deckName = deck.path.split('/').pop();
		expect(item.json.session_id).toBe(a);
		expect(item.json.output_files.map((f) => f.name)).toEqual([deckFile(other).path.split('/').pop(), deckName, 'notes.txt', 'z-appendix.pptx'].sort());
		expect(item.json.downloaded_files).toEqual([
			{ path: deck.path, binaryProperty: 'data', mimeType: PPTX, size: deck.data.length },
			{ path: 'output/z-appendix.pptx', binaryProperty: 'data_1', mimeType: PPTX, size: 8 },
		]);
		expect(Object.keys(item.binary)).toEqual(['data', 'data_1']);
		expect(item.binary.data.fileName).toBe(deckName);
		expect(item.binary.data.mimeType).toBe(PPTX);
		expect((await binaryBytes(item.binary.data)).equals(deck.data)).toBe(true);
		expect((await binaryBytes(item.binary.data_1)).toString()).toBe('appendix');
		// one list of sessions, one of the folder, one download per file
		expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
			'GET /v1/sessions',
			`GET /v1/sessions/${a}/files`,
			`GET /v1/sessions/${a}/files/${deck.path}`,
			`GET /v1/sessions/${a}/files/output/z-appendix.pptx`,
		]);
		expect(await emitted(parameters, staticData)).toEqual([]);
	});

	test("downloads skip the session's earlier files, and keep a running turn's files even if last_activity moves mid-turn", async () => {
		const a = await newSession();
		const staticData = {};
		const parameters = { ...TURN, options: { downloadPattern: '*.pptx' } };
		await runTurn(a);
		fake.putFile('output/old.pptx', 'from an earlier turn');
		await runTurn(a);
		await emitted(parameters, staticData);

		const res = await startTurn(a, '#slow:100');
		fake.putFile('output/mid.pptx', 'written early in the turn');
		// an API may count any turn progress as activity: the record moves past the file's time
		fake.sessions.get(a).last_activity = fake.files.get('output/mid.pptx').modified + 0.001;
		expect(await emitted(parameters, staticData)).toEqual([]);
		await finishTurn(res);

		const [item] = await emitted(parameters, staticData);
		expect(item.json.downloaded_files.map((f) => f.path)).toEqual(['output/mid.pptx']);
		expect((await binaryBytes(item.binary.data)).toString()).toBe('written early in the turn');

		// the next turn writes nothing: nothing to download, the event still comes
		await runTurn(a);
		const [next] = await emitted(parameters, staticData);
		expect(next.json.downloaded_files).toEqual([]);
		expect(next.binary).toBeUndefined();

		// manual mode samples the session's files since its creation
		const [sample] = await emitted(parameters, {}, 'manual');
		expect(sample.json.downloaded_files.map((f) => f.path)).toEqual(['output/mid.pptx', 'output/old.pptx']);
	});

	test('a custom binary property name', async () => {
		const a = await newSession();
		const staticData = {};
		const parameters = { ...TURN, options: { downloadPattern: 'deck-*', binaryPropertyName: 'deck' } };
		await emitted(parameters, staticData);
		await runTurn(a, '#deck');
		const [item] = await emitted(parameters, staticData);
		expect(Object.keys(item.binary)).toEqual(['deck']);
		expect(item.json.output_files).toBeUndefined();
		expect((await binaryBytes(item.binary.deck)).equals(deckFile(a).data)).toBe(true);
	});
});

describe('Metadata Changed', () => {
	test('any key: old and new values, once', async () => {
		const a = await newSession({ metadata: { stage: 'draft' } });
		const b = await newSession();
		const staticData = {};
		await emitted(META, staticData);

		fake.setMetadata(a, { stage: 'review' });
		fake.setMetadata(b, { owner: 'ops' });
		const items = await emitted(META, staticData);
		expect(jsonOf(items)).toEqual([
			expect.objectContaining({ event: 'metadataChanged', session_id: a, changes: { stage: { old: 'draft', new: 'review' } } }),
			expect.objectContaining({ event: 'metadataChanged', session_id: b, changes: { owner: { old: null, new: 'ops' } } }),
		]);
		expect(items[0].json.metadata).toEqual({ stage: 'review' });
		expect(await emitted(META, staticData)).toEqual([]);

		// setting a value it already has is no change
		fake.setMetadata(a, { stage: 'review' });
		expect(await emitted(META, staticData)).toEqual([]);
	});

	test('listed keys only: temasek_status through a #deck job; other keys do not fire', async () => {
		const a = await newSession({ metadata: { temasek_status: 'queued', owner: 'ops' } });
		const staticData = {};
		const parameters = { ...META, metadataKeys: 'temasek_status, colour' };
		await emitted(parameters, staticData);

		fake.setMetadata(a, { owner: 'finance', note: 'x' });
		expect(await emitted(parameters, staticData)).toEqual([]);

		await runTurn(a, '#deck');
		const items = await emitted(parameters, staticData);
		expect(jsonOf(items)).toEqual([
			expect.objectContaining({ session_id: a, changes: { temasek_status: { old: 'queued', new: 'done' } } }),
		]);
		expect(await emitted(parameters, staticData)).toEqual([]);

		fake.setMetadata(a, { colour: 'blue' });
		expect(jsonOf(await emitted(parameters, staticData))[0].changes).toEqual({ colour: { old: null, new: 'blue' } });
	});
});

describe('Session Created / Session Ended', () => {
	test('Session Created fires once per new session', async () => {
		await newSession();
		const staticData = {};
		await emitted(CREATED, staticData);
		const b = await newSession({ metadata: { team: 'x' } });
		const c = await newSession();
		const items = await emitted(CREATED, staticData);
		expect(jsonOf(items)).toEqual([
			expect.objectContaining({ event: 'sessionCreated', session_id: b, metadata: { team: 'x' } }),
			expect.objectContaining({ event: 'sessionCreated', session_id: c }),
		]);
		expect(await emitted(CREATED, staticData)).toEqual([]);
	});

	test('Session Ended fires for deleted and expired sessions, once', async () => {
		const a = await newSession();
		const b = await newSession();
		const c = await newSession();
		const staticData = {};
		await emitted(ENDED, staticData);
		expect((await api('DELETE', `/v1/sessions/${a}`)).status).toBe(204);
		fake.expireSession(c);
		const items = await emitted(ENDED, staticData);
		expect(jsonOf(items)).toEqual([
			expect.objectContaining({ event: 'sessionEnded', session_id: a }),
			expect.objectContaining({ event: 'sessionEnded', session_id: c }),
		]);
		expect(await emitted(ENDED, staticData)).toEqual([]);
		expect(Object.keys(staticData.state.sessions)).toEqual([b]);
	});
});

describe('watch', () => {
	test('given session IDs: only those fire, with one list request per poll', async () => {
		const a = await newSession();
		const b = await newSession();
		const c = await newSession();
		const turn = { event: 'turnFinished', watch: 'ids', sessionIds: ` ${a} ,${c}` };
		const ended = { event: 'sessionEnded', watch: 'ids', sessionIds: `${a},${c}` };
		const turnState = {};
		const endedState = {};
		await emitted(turn, turnState);
		await emitted(ended, endedState);
		expect(Object.keys(turnState.state.sessions).sort()).toEqual([a, c].sort());

		await runTurn(a);
		await runTurn(b);
		fake.clearRequests();
		expect(jsonOf(await emitted(turn, turnState)).map((j) => j.session_id)).toEqual([a]);
		expect(listRequests()).toHaveLength(1);
		expect(fake.requests).toHaveLength(1);

		fake.expireSession(b); // not watched
		expect(await emitted(ended, endedState)).toEqual([]);
		fake.expireSession(a);
		expect(jsonOf(await emitted(ended, endedState)).map((j) => j.session_id)).toEqual([a]);
	});

	test('300 sessions: exactly one request per poll, for every event', async () => {
		const ids = [];
		for (let i = 0; i < 300; i++) ids.push(await newSession({ metadata: { n: i } }));
		const states = { TURN: {}, META: {}, CREATED: {}, ENDED: {} };
		const params = { TURN, META, CREATED, ENDED };
		fake.clearRequests();
		for (const name of Object.keys(states)) await emitted(params[name], states[name]);
		expect(fake.requests).toHaveLength(4);

		const turned = [ids[7], ids[150], ids[299]];
		await Promise.all(turned.map((id) => runTurn(id)));
		fake.setMetadata(ids[42], { n: 'changed' });
		const added = await newSession();
		await api('DELETE', `/v1/sessions/${ids[0]}`);

		const expected = { TURN: turned, META: [ids[42]], CREATED: [added], ENDED: [ids[0]] };
		for (const name of Object.keys(states)) {
			fake.clearRequests();
			const items = await emitted(params[name], states[name]);
			expect(jsonOf(items).map((j) => j.session_id)).toEqual(expected[name]);
			expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/sessions']);
		}
	});
});

describe('manual mode (Fetch Test Event)', () => {
	test('returns the most recent matching session and leaves the stored state alone', async () => {
		const a = await newSession({ metadata: { temasek_status: 'done' } });
		const b = await newSession();
		await runTurn(a);
		await runTurn(b);
		const newest = await newSession({ metadata: { colour: 'red' } }); // no turn yet

		// before activation: no state is created
		const empty = {};
		let items = await emitted(TURN, empty, 'manual');
		expect(jsonOf(items)).toEqual([expect.objectContaining({ event: 'turnFinished', session_id: b, sample: true })]);
		expect(empty).toEqual({});

		// with a stored state: byte-for-byte the same afterwards, and the next poll still fires
		const staticData = {};
		await emitted(TURN, staticData);
		await runTurn(a);
		const before = JSON.stringify(staticData);
		items = await emitted(TURN, staticData, 'manual');
		expect(jsonOf(items)).toEqual([expect.objectContaining({ session_id: a, sample: true })]);
		expect(JSON.stringify(staticData)).toBe(before);
		expect(jsonOf(await emitted(TURN, staticData)).map((j) => j.session_id)).toEqual([a]);

		items = await emitted({ ...META, metadataKeys: 'temasek_status' }, {}, 'manual');
		expect(jsonOf(items)).toEqual([
			expect.objectContaining({ session_id: a, changes: { temasek_status: { old: null, new: 'done' } }, sample: true }),
		]);
		items = await emitted(CREATED, {}, 'manual');
		expect(jsonOf(items)).toEqual([expect.objectContaining({ session_id: newest, sample: true })]);
	});

	test('with no matching session: nothing', async () => {
		await newSession();
		const staticData = {};
		const { result, error } = await poll({ ...META, metadataKeys: 'temasek_status' }, staticData, 'manual');
		expect(error).toBeUndefined();
		expect(result).toBeNull();
		expect(staticData).toEqual({});
	});
});

describe('a failed session list leaves the state as it was (the next poll catches up); a failure for one event is on its item', () => {
	test('500 on the session list', async () => {
		const a = await newSession();
		const staticData = {};
		await emitted(TURN, staticData);
		await runTurn(a);
		const before = JSON.stringify(staticData);

		failing('GET', '/v1/sessions');
		const { result, error } = await poll(TURN, staticData);
		expect(result).toBeUndefined();
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Pokee API error (500): injected 500');
		expect(error.httpCode).toBe('500');
		expect(JSON.stringify(staticData)).toBe(before);

		expect(jsonOf(await emitted(TURN, staticData)).map((j) => j.session_id)).toEqual([a]);
		expect(await emitted(TURN, staticData)).toEqual([]);
	});

	test('an error before the first poll stores no baseline', async () => {
		await newSession();
		const staticData = {};
		failing('GET', '/v1/sessions', 401);
		const { error } = await poll(CREATED, staticData);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Pokee: invalid API key');
		expect(staticData).toEqual({});
	});

	test('a session list that is not a JSON array is an error, not "every session ended"', async () => {
		const a = await newSession();
		const staticData = {};
		await emitted(ENDED, staticData);
		const before = JSON.stringify(staticData);
		fake.fault({ method: 'GET', path: '/v1/sessions', kind: 'status', status: 200, body: { sessions: [] } });
		const { result, error } = await poll(ENDED, staticData);
		expect(result).toBeUndefined();
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/session list/i);
		expect(JSON.stringify(staticData)).toBe(before);
		expect(await emitted(ENDED, staticData)).toEqual([]);
		fake.expireSession(a);
		expect(jsonOf(await emitted(ENDED, staticData)).map((j) => j.session_id)).toEqual([a]);
	});

	test('a bad Output Folder fails the poll before any request, naming the field and no item', async () => {
		const { error } = await poll({ ...TURN, options: { includeListing: true, outputFolder: '/etc' } }, {});
		expect(error.message).toBe('Output Folder must be relative to the workspace (no leading "/")');
		expect(fake.requests).toHaveLength(0);
	});

	test('500 on a download: the event comes with the error on its item, the other event with its file; state saved', async () => {
		const a = await newSession();
		const b = await newSession();
		const staticData = {};
		const parameters = { ...TURN, options: { downloadPattern: '*.pptx' } };
		await emitted(parameters, staticData);
		await runTurn(a);
		await runTurn(b, '#deck');

		// the folder is the tenant's: a's listing has b's deck too, and its download fails for a only
		failing('GET', new RegExp(`^/v1/sessions/${a}/files/output/deck-`));
		const items = await emitted(parameters, staticData);
		expect(jsonOf(items).map((j) => j.session_id)).toEqual([a, b]);
		expect(items[0].json.error).toEqual(expect.objectContaining({ message: 'Pokee API error (500): injected 500', status: 500 }));
		expect(items[0].binary).toBeUndefined();
		expect(items[1].json.error).toBeUndefined();
		expect((await binaryBytes(items[1].binary.data)).equals(deckFile(b).data)).toBe(true);
		expect(await emitted(parameters, staticData)).toEqual([]);
	});

	test('403 on the folder listing: the event comes with the error on its item, once', async () => {
		const a = await newSession();
		const staticData = {};
		const parameters = { ...TURN, options: { includeListing: true } };
		await emitted(parameters, staticData);
		await runTurn(a);
		failing('GET', `/v1/sessions/${a}/files`, 403);
		const items = await emitted(parameters, staticData);
		expect(jsonOf(items)).toEqual([expect.objectContaining({ session_id: a, error: expect.objectContaining({ status: 403 }) })]);
		expect(items[0].json.output_files).toBeUndefined();
		expect(await emitted(parameters, staticData)).toEqual([]);
	});
});

describe('state lives in static data only', () => {
	test('survives a restart (a deep copy, as another queue-mode worker would load it)', async () => {
		const a = await newSession();
		const b = await newSession();
		const persisted = {};
		await emitted(TURN, persisted);
		const res = await startTurn(a, '#slow:100');
		let stored = JSON.parse(JSON.stringify(persisted));
		expect(await emitted(TURN, stored)).toEqual([]); // saw a busy
		stored = JSON.parse(JSON.stringify(stored));
		await finishTurn(res);
		await runTurn(b);

		// an unrelated workflow polling in the same process shares nothing with this one
		const unrelated = {};
		expect(await emitted(TURN, unrelated)).toEqual([]);

		const worker2 = JSON.parse(JSON.stringify(stored));
		expect(jsonOf(await emitted(TURN, worker2)).map((j) => j.session_id)).toEqual([a, b]);
		const worker3 = JSON.parse(JSON.stringify(worker2));
		expect(await emitted(TURN, worker3)).toEqual([]);
		expect(await emitted(TURN, unrelated)).toEqual([]);
	});

	test('changing the Event re-baselines', async () => {
		const a = await newSession();
		const staticData = {};
		await emitted(TURN, staticData);
		await runTurn(a);
		fake.setMetadata(a, { stage: 'x' });
		expect(await emitted(META, staticData)).toEqual([]); // baseline for the new event
		fake.setMetadata(a, { stage: 'y' });
		expect(jsonOf(await emitted(META, staticData))[0].changes).toEqual({ stage: { old: 'x', new: 'y' } });
		await runTurn(a);
		expect(await emitted(TURN, staticData)).toEqual([]); // back: a new baseline again
		expect(await emitted(TURN, staticData)).toEqual([]);
	});

	test('changing the watched keys or session IDs re-baselines instead of inventing events', async () => {
		const a = await newSession({ metadata: { stage: 'x', owner: 'ops' } });
		const b = await newSession();
		const staticData = {};
		await emitted({ ...META, metadataKeys: 'stage' }, staticData);
		expect(await emitted({ ...META, metadataKeys: 'owner' }, staticData)).toEqual([]);
		fake.setMetadata(a, { owner: 'finance' });
		expect(jsonOf(await emitted({ ...META, metadataKeys: 'owner' }, staticData))[0].changes).toEqual({
			owner: { old: 'ops', new: 'finance' },
		});

		const ended = {};
		await emitted({ ...ENDED, watch: 'ids', sessionIds: `${a},${b}` }, ended);
		// no longer watching b is not b ending
		expect(await emitted({ ...ENDED, watch: 'ids', sessionIds: a }, ended)).toEqual([]);
		const created = {};
		await emitted({ ...CREATED, watch: 'ids', sessionIds: a }, created);
		// starting to watch b is not b being created
		expect(await emitted({ ...CREATED, watch: 'ids', sessionIds: `${a},${b}` }, created)).toEqual([]);
	});
});
