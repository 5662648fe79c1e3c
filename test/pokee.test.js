'use strict';
/**
 * The Pokee node, run by n8n's real engine against the loopback fake Pokee API: every
 * operation, the stream under each kind of misbehaviour, and bad input (with proof that
 * nothing was sent).
 */
const crypto = require('node:crypto');
const { runNode, binaryBytes } = require('./harness/n8n');
const { until } = require('./harness/wait');
const { allText } = require('./harness/secrets');
const { expectedText, makeZip, deckFile, DEFAULT_KEY } = require('./fakes/fakePokee');
const { useFakePokee } = require('./harness/fakes');

const fake = useFakePokee({ eventDelayMs: 1, deckMs: 300, maxSessions: 1000 });

const creds = (over = {}) => ({ pokeeApi: { apiKey: DEFAULT_KEY, baseUrl: fake.baseUrl, ...over } });

const pokee = (parameters, extra = {}) => runNode({ type: 'pokee', parameters, credentials: creds(), ...extra });

/** A persistent session, made in the fake directly: nothing in its request log. */
async function newSession(body = {}) {
	return fake.createSession({ persistent: true, ...body }).id;
}

/** Message → Send; `params` are more node parameters, `run` options of the harness run. */
const send = (sessionId, message, { params = {}, options = {}, run = {} } = {}) =>
	pokee({ resource: 'message', operation: 'send', sessionMode: 'existing', sessionId, message, options, ...params }, run);

/** What the fake's turn really emitted, folded the way an unbroken stream reads. */
const turnText = (rid) => fake.turns.get(rid).text();

const sent = (method, pathPattern) => fake.requests.filter((r) => r.method === method && pathPattern.test(r.path));


describe('Message → Send', () => {
	test('streams a turn: text, status, usage, ids; one request with an Idempotency-Key', async () => {
		const sid = await newSession();
		const { items, error } = await send(sid, 'Say hello');
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		const out = items[0].json;
		expect(out).toMatchObject({ session_id: sid, status: 'completed', text: 'Hello from Pokee.', tool_uses: [] });
		expect(out.response_id).toMatch(/^msg_[0-9a-f]{24}$/);
		expect(out.usage).toEqual({ input_tokens: 3, output_tokens: 3 });
		expect(out.events).toBeUndefined();
		expect(items[0].pairedItem).toEqual({ item: 0 });
		const posts = sent('POST', /\/messages$/);
		expect(posts).toHaveLength(1);
		expect(posts[0].json).toEqual({ message: 'Say hello' });
		expect(posts[0].headers['idempotency-key']).toMatch(/^n8n-[0-9a-f]{32}$/);
		expect(posts[0].headers.authorization).toBe(`Bearer ${DEFAULT_KEY}`);
	});

	test('thinking, server-side tool uses (in order, with results) and a long multi-byte answer', async () => {
		const sid = await newSession();
		const thinking = (await send(sid, '#thinking please')).items[0].json;
		expect(thinking.thinking).toBe('Let me think about this — carefully 🙂');
		expect(thinking.text).toBe('Hello from Pokee.');

		const tools = (await send(sid, '#tools search')).items[0].json;
		expect(tools.tool_uses).toEqual([
			{
				id: 'toolu_1',
				name: 'web_search',
				input: { query: 'pokee enterprise api' },
				result: 'Pokee Enterprise API — agent sessions with streamed turns.',
				is_error: false,
			},
		]);

		const long = (await send(sid, '#long')).items[0].json;
		expect(long.text).toBe(expectedText('#long'));
		expect(long.text).toBe(turnText(long.response_id));
	});

	test('raw events on request: every event in order, unknown types kept, otherwise ignored', async () => {
		const sid = await newSession();
		const { items } = await send(sid, '#unknown-events', { options: { includeRawEvents: true } });
		const out = items[0].json;
		expect(out.text).toBe('Hello from Pokee.');
		const types = out.events.map((e) => e.event);
		expect(types).toContain('agent.progress');
		expect(types).toContain('x.custom');
		expect(out.events.map((e) => e.id)).toEqual(types.map((_, n) => n));
		expect(types).toEqual(fake.turns.get(out.response_id).events.map((e) => e.type));
	});

	test('message.error → NodeApiError with the agent error; continueOnFail gives an error item', async () => {
		const sid = await newSession();
		const { error } = await send(sid, '#error');
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe('Pokee agent error: Agent crashed: scripted failure');

		const soft = await send(sid, '#error', { run: { continueOnFail: true } });
		expect(soft.error).toBeUndefined();
		expect(soft.items[0].json.error).toBe('Pokee agent error: Agent crashed: scripted failure');
		expect(soft.items[0].pairedItem).toEqual({ item: 0 });
	});

	test('new session per item with create options', async () => {
		const { items, error } = await pokee(
			{
				resource: 'message',
				operation: 'send',
				sessionMode: 'new',
				message: '={{ $json.q }}',
				sessionOptions: {
					persistent: true,
					ttl: 600,
					model: 'pokee-isaac',
					metadata: '{"job":"n8n"}',
					readPaths: 'projects/acme, shared',
					writePaths: 'projects/acme/output',
				},
			},
			{ items: [{ json: { q: 'one' } }, { json: { q: 'two' } }] },
		);
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.status)).toEqual(['completed', 'completed']);
		expect(items[0].json.session_id).not.toBe(items[1].json.session_id);
		const creates = sent('POST', /^\/v1\/sessions$/);
		expect(creates).toHaveLength(2);
		expect(creates[0].json).toEqual({
			persistent: true,
			ttl: 600,
			model: 'pokee-isaac',
			metadata: { job: 'n8n' },
			file_access: { read: ['projects/acme', 'shared'], write: ['projects/acme/output'] },
		});
	});

	test('Wait for Completion off: returns the response id at once, the turn runs on', async () => {
		const sid = await newSession();
		const { items } = await send(sid, '#slow:30', { params: { waitForCompletion: false } });
		expect(items[0].json).toMatchObject({ session_id: sid, status: 'in_progress' });
		const rid = items[0].json.response_id;
		expect(fake.turns.get(rid).done).toBe(false);
		await until(() => fake.turns.get(rid).done, 'the detached turn');
		expect(turnText(rid)).toBe('Hello from Pokee.');
	});

	test('busy session (409): waits until idle then sends; option to fail instead', async () => {
		const sid = await newSession();
		const first = await send(sid, '#slow:100', { params: { waitForCompletion: false } });
		const { items, error } = await send(sid, 'after');
		expect(error).toBeUndefined();
		expect(items[0].json.text).toBe('Hello from Pokee.');
		expect(fake.turns.get(first.items[0].json.response_id).done).toBe(true);
		expect(sent('POST', /\/messages$/).length).toBeGreaterThanOrEqual(3); // 1st, a 409, the retry
		expect(sent('GET', new RegExp(`/v1/sessions/${sid}$`)).length).toBeGreaterThanOrEqual(1);

		await send(sid, '#slow:100', { params: { waitForCompletion: false } });
		const failing = await send(sid, 'again', { options: { ifBusy: 'fail' } });
		expect(failing.error.message).toMatch(/^Pokee API error \(409\): /);
		expect(failing.error.description).toMatch(/busy/);
	});

	test('idempotency: resets before the response headers never start a second turn', async () => {
		const sid = await newSession();
		const before = fake.turnsStarted;
		fake.fault({ method: 'POST', path: /\/messages$/, kind: 'reset', times: 2 });
		const { items, error } = await send(sid, '#long');
		expect(error).toBeUndefined();
		expect(fake.turnsStarted - before).toBe(1);
		const posts = sent('POST', /\/messages$/);
		expect(posts).toHaveLength(3);
		expect(new Set(posts.map((p) => p.headers['idempotency-key'])).size).toBe(1);
		expect(items[0].json.text).toBe(expectedText('#long'));
	});

	test.each([
		{ name: 'a dropped connection mid-stream', fault: { kind: 'dropAfter', events: 5 } },
		{
			name: 'two drops, the second on the resume',
			fault: { kind: 'dropAfter', events: 40 },
			second: { path: /\/events$/, kind: 'dropAfter', events: 7 },
		},
		{ name: 'bytes split anywhere, inside UTF-8 characters too', fault: { kind: 'split', every: 'random' } },
		{ name: 'one byte at a time', fault: { kind: 'split', every: 1 } },
		{ name: 'CRLF line endings', fault: { kind: 'crlf' } },
		{ name: 'comment lines', fault: { kind: 'comments' } },
	])('output identical to an unbroken stream: $name', async ({ fault, second }) => {
		const sid = await newSession();
		fake.fault({ method: 'POST', path: /\/messages$/, ...fault });
		if (second) fake.fault(second);
		const { items, error } = await send(sid, '#long', { options: { includeRawEvents: true } });
		expect(error).toBeUndefined();
		const out = items[0].json;
		expect(out.status).toBe('completed');
		expect(out.text).toBe(expectedText('#long'));
		const truth = fake.turns.get(out.response_id).events;
		expect(out.events.map((e) => [e.id, e.event])).toEqual(truth.map((e, n) => [n, e.type]));
		if (fault.kind === 'dropAfter') {
			const resumes = sent('GET', /\/events$/);
			expect(resumes.length).toBeGreaterThanOrEqual(1);
			expect(resumes[0].headers['last-event-id']).toBe(String(fault.events - 1));
		}
	});

	test('a stream that ends without a terminal event is an error, not a partial success', async () => {
		const sid = await newSession();
		fake.fault({ method: 'POST', path: /\/messages$/, kind: 'noTerminal' });
		const { error } = await send(sid, 'hi');
		expect(error.message).toBe('Pokee: the event stream ended without a terminal event');
		expect(sent('GET', /\/events$/).length).toBe(3);
		// the item failed: the turn is not left running unseen
		expect(sent('POST', /\/cancel$/)).toHaveLength(1);
	});

	test.each([
		['non-JSON data', '#malformed', /^Pokee sent a malformed "text.delta" event \(id 2\): its data is not a JSON object$/],
		['a missing field', '#missing-fields', /^Pokee sent a malformed "text.delta" event \(id 2\): the "content" field is missing or not a string$/],
	])('malformed event (%s) → clear error naming the event', async (_name, message, expected) => {
		const sid = await newSession();
		const { error } = await send(sid, message);
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toMatch(expected);
		expect(sent('POST', /\/cancel$/)).toHaveLength(1);
	});

	test('time limit: a server that stops sending → clear timeout error and the turn is cancelled', async () => {
		const sid = await newSession();
		fake.fault({ method: 'POST', path: /\/messages$/, kind: 'stall' });
		const { error } = await send(sid, '#slow:20', { options: { timeLimit: 1 } });
		expect(error.message).toBe('The turn did not finish within the time limit of 1 s (item 0)');
		expect(error.description).toMatch(/cancelled on the server/);
		const cancels = sent('POST', /\/cancel$/);
		expect(cancels).toHaveLength(1);
	});

	test('stopping the execution cancels the running turn on the server', async () => {
		const sid = await newSession();
		let rid;
		const result = await send(sid, '#slow:200', {
			run: { onStart: (stop) => {
				until(() => {
					const turn = [...fake.turns.values()].find((t) => t.sessionId === sid);
					rid = turn && turn.rid;
					return turn && turn.events.length >= 2;
				}, 'turn start').then(stop);
			} },
		});
		expect(result.status).toBe('canceled');
		await until(() => sent('POST', /\/cancel$/).length === 1, 'the cancel request');
		expect(sent('POST', /\/cancel$/)[0].path).toBe(`/v1/sessions/${sid}/responses/${rid}/cancel`);
		await until(() => fake.turns.get(rid).done, 'the cancelled turn to end');
		expect(fake.turns.get(rid).events.at(-1).type).toBe('message.cancelled');
	});

	test('while n8n streams (chat), text deltas are forwarded as chunks as they arrive', async () => {
		const sid = await newSession();
		const { items, chunks } = await send(sid, '#long', { run: { streaming: true } });
		const deltas = chunks.filter((c) => c.type === 'item').map((c) => c.content);
		expect(deltas.join('')).toBe(items[0].json.text);
		expect(deltas).toHaveLength(200);
		expect(chunks[0].type).toBe('begin');
		expect(chunks.at(-1).type).toBe('end');
	});
});

describe('Message → Resume and Cancel', () => {
	test('resume re-attaches to a detached turn and returns the whole turn', async () => {
		const sid = await newSession();
		const started = (await send(sid, '#slow:10', { params: { waitForCompletion: false } })).items[0].json;
		const { items, error } = await pokee({
			resource: 'message',
			operation: 'resume',
			sessionId: sid,
			responseId: started.response_id,
			options: {},
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ status: 'completed', text: 'Hello from Pokee.', response_id: started.response_id });
	});

	test('resume after a given event id returns only the rest', async () => {
		const sid = await newSession();
		const done = (await send(sid, '#long')).items[0].json;
		const { items } = await pokee({
			resource: 'message',
			operation: 'resume',
			sessionId: sid,
			responseId: done.response_id,
			lastEventId: '101',
			options: {},
		});
		expect(sent('GET', /\/events$/)[0].headers['last-event-id']).toBe('101');
		expect(items[0].json.text).toBe(expectedText('#long').split('\n').slice(100).join('\n'));
	});

	test('cancel: 202 cancelling while running, then already_complete', async () => {
		const sid = await newSession();
		const started = (await send(sid, '#slow:200', { params: { waitForCompletion: false } })).items[0].json;
		const params = { resource: 'message', operation: 'cancel', sessionId: sid, responseId: started.response_id };
		const first = await pokee(params);
		expect(first.items[0].json).toMatchObject({ status: 'cancelling', response_id: started.response_id });
		const second = await pokee(params);
		expect(second.items[0].json.status).toBe('already_complete');
	});

	test('resume of an unknown turn → NodeApiError 404 with the API message', async () => {
		const sid = await newSession();
		const { error } = await pokee({ resource: 'message', operation: 'resume', sessionId: sid, responseId: 'msg_nope', options: {} });
		expect(error.httpCode).toBe('404');
		expect(error.message).toMatch(/^Pokee API error \(404\): /);
	});
});

describe('client-side session tools', () => {
	const tools = [
		{
			type: 'function',
			name: 'lookup_order',
			description: 'Find an order',
			parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
		},
	];

	test('the call comes out to the workflow, Tool Result → Submit finishes the turn', async () => {
		const sid = await newSession({ tools });
		const asked = (await send(sid, '#client-tool', { options: { returnToolCalls: true } })).items[0].json;
		expect(asked.status).toBe('tool_call_requested');
		expect(asked.tool_call).toEqual({
			call_id: expect.stringMatching(/^call_/),
			name: 'lookup_order',
			input: { order_id: 'example' },
			arguments_json: '{"order_id":"example"}',
		});
		expect(typeof asked.last_event_id).toBe('number');

		const { items, error } = await pokee(
			{ resource: 'toolResult', operation: 'submit', output: '{"status":"shipped"}', options: {} },
			{ items: [{ json: asked }] },
		);
		expect(error).toBeUndefined();
		const posted = sent('POST', /\/tool_results$/);
		expect(posted[0].json).toEqual({ call_id: asked.tool_call.call_id, output: '{"status":"shipped"}' });
		expect(items[0].json).toMatchObject({ status: 'completed', response_id: asked.response_id, session_id: sid });
		expect(items[0].json.text).toBe('Tool result: {"status":"shipped"}');
	});

	test('without Return Tool Calls the turn is cancelled and the item fails clearly', async () => {
		const sid = await newSession({ tools });
		const { error } = await send(sid, '#client-tool');
		expect(error.message).toBe('The agent asked for the client tool "lookup_order", and Return Tool Calls is off (item 0)');
		expect(sent('POST', /\/cancel$/)).toHaveLength(1);
	});
});

describe('Session operations', () => {
	test('create, get, get many (limit, busy/idle filter), delete', async () => {
		const created = await pokee({
			resource: 'session',
			operation: 'create',
			sessionOptions: { persistent: true, ttl: 120, metadata: '{"team":"ops"}', tools: '[]' },
		});
		const session = created.items[0].json;
		expect(session).toMatchObject({ persistent: true, ttl: 120, metadata: { team: 'ops' }, busy: false });
		expect(sent('POST', /^\/v1\/sessions$/)[0].json).toEqual({ persistent: true, ttl: 120, metadata: { team: 'ops' } });

		const got = await pokee({ resource: 'session', operation: 'get', sessionId: session.id });
		expect(got.items[0].json.id).toBe(session.id);

		await send(session.id, '#slow:200', { params: { waitForCompletion: false } });
		const busy = await pokee({ resource: 'session', operation: 'getMany', returnAll: true, state: 'busy' });
		expect(busy.items.map((i) => i.json.id)).toContain(session.id);
		expect(busy.items.every((i) => i.json.busy === true)).toBe(true);
		const idle = await pokee({ resource: 'session', operation: 'getMany', returnAll: true, state: 'idle' });
		expect(idle.items.map((i) => i.json.id)).not.toContain(session.id);
		const limited = await pokee({ resource: 'session', operation: 'getMany', returnAll: false, limit: 2, state: 'all' });
		expect(limited.items).toHaveLength(2);

		const waited = await pokee({ resource: 'session', operation: 'waitUntilIdle', sessionId: session.id, pollInterval: 1, timeLimit: 30 });
		expect(waited.items[0].json).toMatchObject({ id: session.id, busy: false, metadata: { team: 'ops' } });

		const deleted = await pokee({ resource: 'session', operation: 'delete', sessionId: session.id });
		expect(deleted.items[0].json).toEqual({ id: session.id, deleted: true });
		const gone = await pokee({ resource: 'session', operation: 'get', sessionId: session.id });
		expect(gone.error.httpCode).toBe('404');
	});

	test('wait until idle reports the deck job progress metadata when done', async () => {
		const sid = await newSession();
		await send(sid, '#deck build it', { params: { waitForCompletion: false } });
		const { items } = await pokee({ resource: 'session', operation: 'waitUntilIdle', sessionId: sid, pollInterval: 1, timeLimit: 30 });
		expect(items[0].json.metadata.temasek_status).toBe('done');
	});

	test('delete many sends idle-only and the age as query parameters', async () => {
		const { items, error } = await pokee({ resource: 'session', operation: 'deleteMany', idleOnly: true, olderThan: '1h30m' });
		expect(error).toBeUndefined();
		expect(typeof items[0].json.deleted).toBe('number');
		const [req] = sent('DELETE', /^\/v1\/sessions$/);
		expect(req.query).toEqual({ status: 'idle', older_than: '1h30m' });
	});
});

describe('File operations', () => {
	test('upload from a binary property, list, download (bytes, name, MIME), download many, delete', async () => {
		const sid = await newSession();
		const bytes = crypto.randomBytes(200_000);
		const up = await pokee(
			{ resource: 'file', operation: 'upload', sessionId: sid, path: 'reports/q3 data.bin', binaryPropertyName: 'data' },
			{ items: [{ json: {}, binary: { data: { data: bytes.toString('base64'), mimeType: 'application/octet-stream', fileName: 'x.bin' } } }] },
		);
		expect(up.error).toBeUndefined();
		expect(up.items[0].json).toMatchObject({ path: 'reports/q3 data.bin', size: bytes.length });
		expect(sent('PUT', /files\//)[0].path).toBe(`/v1/sessions/${sid}/files/reports/q3%20data.bin`);
		expect(fake.files.get('reports/q3 data.bin').data.equals(bytes)).toBe(true);

		fake.putFile('reports/summary.txt', 'Q3 was fine.\n');
		fake.putFile('reports/deck.pptx', Buffer.from('PK-not-really'));
		const listed = await pokee({ resource: 'file', operation: 'list', sessionId: sid, folder: 'reports', recursive: false });
		expect(listed.items.map((i) => i.json.path).sort()).toEqual(['reports/deck.pptx', 'reports/q3 data.bin', 'reports/summary.txt']);

		const down = await pokee({ resource: 'file', operation: 'download', sessionId: sid, path: 'reports/q3 data.bin', binaryPropertyName: 'file' });
		expect(down.error).toBeUndefined();
		const binary = down.items[0].binary.file;
		expect(binary.fileName).toBe('q3 data.bin');
		expect(binary.mimeType).toBe('application/octet-stream');
		expect(binary.id).toMatch(/^filesystem/); // streamed into the filesystem store, not inline
		expect((await binaryBytes(binary)).equals(bytes)).toBe(true);

		const many = await pokee({ resource: 'file', operation: 'downloadMany', sessionId: sid, folder: 'reports', pattern: '*.txt', recursive: false, binaryPropertyName: 'data' });
		expect(many.items.map((i) => i.json.path)).toEqual(['reports/summary.txt']);
		expect(many.items[0].binary.data.mimeType).toBe('text/plain');

		const del = await pokee({ resource: 'file', operation: 'delete', sessionId: sid, path: 'reports/summary.txt' });
		expect(del.items[0].json).toEqual({ path: 'reports/summary.txt', deleted: true });
		expect(fake.files.has('reports/summary.txt')).toBe(false);
	});

	test('upload of a binary that n8n keeps in its filesystem store is streamed from there', async () => {
		const sid = await newSession();
		const original = crypto.randomBytes(300_000);
		fake.putFile('in/source.bin', original);
		const down = await pokee({ resource: 'file', operation: 'download', sessionId: sid, path: 'in/source.bin', binaryPropertyName: 'data' });
		expect(down.items[0].binary.data.id).toBeDefined();
		const up = await pokee(
			{ resource: 'file', operation: 'upload', sessionId: sid, path: 'out/copy.bin', binaryPropertyName: 'data' },
			{ items: [{ json: {}, binary: down.items[0].binary }] },
		);
		expect(up.error).toBeUndefined();
		expect(fake.files.get('out/copy.bin').data.equals(original)).toBe(true);
		expect(sent('PUT', /copy\.bin$/)[0].headers['content-type']).toBe('application/octet-stream');
	});

	test('the deck job output: download the .pptx, bytes equal to what the fake wrote', async () => {
		const sid = await newSession();
		await send(sid, '#deck');
		const { items } = await pokee({ resource: 'file', operation: 'downloadMany', sessionId: sid, folder: 'output', pattern: '*.pptx', recursive: false, binaryPropertyName: 'data' });
		const deck = deckFile(sid);
		const mine = items.find((i) => i.json.path === deck.path);
		expect(mine.binary.data.mimeType).toBe('application/vnd.openxmlformats-officedocument.presentationml.presentation');
		expect(mine.binary.data.fileName).toBe(deck.path.split('/').pop());
		expect((await binaryBytes(mine.binary.data)).equals(deck.data)).toBe(true);
	});

	test('out-of-scope path → 403 with the API message', async () => {
		const sid = await newSession({ file_access: { read: ['projects/acme'], write: ['projects/acme/output'] } });
		const { error } = await pokee({ resource: 'file', operation: 'download', sessionId: sid, path: 'secret/plans.txt', binaryPropertyName: 'data' });
		expect(error.httpCode).toBe('403');
		expect(error.message).toBe("Pokee API error (403): 'secret/plans.txt' not in session scope");
	});

	test('a folder given to Download is reported as a folder', async () => {
		const sid = await newSession();
		fake.putFile('somewhere/inside.txt', 'x');
		const { error } = await pokee({ resource: 'file', operation: 'download', sessionId: sid, path: 'somewhere', binaryPropertyName: 'data' });
		expect(error.message).toBe('Pokee: "somewhere" is a folder, not a file (item 0)');
	});

	test('without Accept-Ranges, JSON files still download whole; only a listing counts as a folder', async () => {
		const sid = await newSession();
		const object = Buffer.from(JSON.stringify({ quarter: 'Q3', rows: Array.from({ length: 5000 }, (_, i) => i) }));
		const array = Buffer.from(JSON.stringify([3, 1, 4, 1, 5, 9, 2, 6]));
		fake.putFile('data/report.json', object);
		fake.putFile('data/numbers.json', array);
		fake.acceptRanges = false;
		try {
			for (const [path, bytes] of [['data/report.json', object], ['data/numbers.json', array]]) {
				const { items, error } = await pokee({ resource: 'file', operation: 'download', sessionId: sid, path, binaryPropertyName: 'data' });
				expect(error).toBeUndefined();
				expect(items[0].binary.data.mimeType).toBe('application/json');
				expect((await binaryBytes(items[0].binary.data)).equals(bytes)).toBe(true);
			}
			const { error } = await pokee({ resource: 'file', operation: 'download', sessionId: sid, path: 'data', binaryPropertyName: 'data' });
			expect(error.message).toBe('Pokee: "data" is a folder, not a file (item 0)');
		} finally {
			fake.acceptRanges = true;
		}
	});
});

describe('Skills, usage, stateless responses', () => {
	test('install from a zip binary, list, delete', async () => {
		const zip = makeZip([
			{ name: 'SKILL.md', data: '# Quarterly report\nDo the thing.\n' },
			{ name: 'run.py', data: 'print(1)\n' },
		]);
		const installed = await pokee(
			{ resource: 'skill', operation: 'install', skillName: 'quarterly-report', binaryPropertyName: 'data' },
			{ items: [{ json: {}, binary: { data: { data: zip.toString('base64'), mimeType: 'application/zip', fileName: 'q.zip' } } }] },
		);
		expect(installed.error).toBeUndefined();
		expect(installed.items[0].json).toMatchObject({ name: 'quarterly-report', files: ['SKILL.md', 'run.py'] });
		expect(sent('POST', /^\/v1\/skills\//)[0].headers['content-type']).toBe('application/zip');

		const listed = await pokee({ resource: 'skill', operation: 'list' });
		expect(listed.items.map((i) => i.json.name)).toContain('quarterly-report');
		const deleted = await pokee({ resource: 'skill', operation: 'delete', skillName: 'quarterly-report' });
		expect(deleted.items[0].json).toEqual({ name: 'quarterly-report', deleted: true });
	});

	test('a bad zip gets the API message', async () => {
		const zip = makeZip([{ name: 'README.md', data: 'no skill here' }]);
		const { error } = await pokee(
			{ resource: 'skill', operation: 'install', skillName: 'broken', binaryPropertyName: 'data' },
			{ items: [{ json: {}, binary: { data: { data: zip.toString('base64'), mimeType: 'application/zip' } } }] },
		);
		expect(error.httpCode).toBe('400');
		expect(error.message).toMatch(/SKILL\.md/);
	});

	test('usage', async () => {
		const { items } = await pokee({ resource: 'usage', operation: 'get' });
		expect(items[0].json.rate_limit.buckets.session_turn.windows[0].name).toBe('hour');
		expect(items[0].json.credits.mode).toBe('soft');
	});

	test('stateless response, streamed and not, with reasoning and tools', async () => {
		const streamed = await pokee({ resource: 'response', operation: 'create', inputType: 'text', input: '#long', model: '', tools: '[]', reasoningEffort: 'minimal', stream: true, options: {} });
		expect(streamed.error).toBeUndefined();
		expect(streamed.items[0].json).toMatchObject({ status: 'completed', text: expectedText('#long') });
		expect(streamed.items[0].json.id).toMatch(/^resp_/);
		expect(sent('POST', /^\/v1\/responses$/)[0].headers['idempotency-key']).toMatch(/^n8n-/);

		const plain = await pokee({ resource: 'response', operation: 'create', inputType: 'text', input: 'hi', model: 'pokee-isaac', tools: '[]', reasoningEffort: 'high', stream: false, options: {} });
		expect(plain.items[0].json).toMatchObject({ object: 'response', status: 'completed', text: 'Hello from Pokee.' });
		expect(plain.items[0].json.output.some((o) => o.type === 'reasoning')).toBe(true);
		expect(sent('POST', /^\/v1\/responses$/)[1].json).toEqual({ input: 'hi', model: 'pokee-isaac', reasoning: { effort: 'high' }, stream: false });

		const tool = [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } }];
		const called = await pokee({ resource: 'response', operation: 'create', inputType: 'items', inputItems: JSON.stringify([{ role: 'user', content: 'use get_weather for Paris' }]), model: '', tools: JSON.stringify(tool), reasoningEffort: 'minimal', stream: false, options: {} });
		expect(called.items[0].json.function_calls[0]).toMatchObject({ type: 'function_call', name: 'get_weather' });
	});

	test('a streamed response survives a dropped connection', async () => {
		fake.fault({ method: 'POST', path: /^\/v1\/responses$/, kind: 'dropAfter', events: 20 });
		const { items, error } = await pokee({ resource: 'response', operation: 'create', inputType: 'text', input: '#long', model: '', tools: '[]', reasoningEffort: 'minimal', stream: true, options: {} });
		expect(error).toBeUndefined();
		expect(items[0].json.text).toBe(expectedText('#long'));
		expect(sent('GET', /^\/v1\/responses\/.+\/events$/)).toHaveLength(1);
	});
});

describe('API errors and secrets', () => {
	test('401 → invalid key with a hint; the key never appears', async () => {
		const { error } = await runNode({
			type: 'pokee',
			parameters: { resource: 'usage', operation: 'get' },
			credentials: creds({ apiKey: 'pk_acme_wrongwrongwrong999' }),
		});
		expect(error.message).toBe('Pokee: invalid API key');
		expect(error.description).toMatch(/pk_<tenant>_<token>/);
		expect(allText(error)).not.toContain('pk_acme_wrongwrongwrong999');
	});

	test('GETs are retried after 5xx; a create is not', async () => {
		fake.fault({ method: 'GET', path: /^\/v1\/usage$/, kind: 'status', status: 503, times: 2 });
		const ok = await pokee({ resource: 'usage', operation: 'get' });
		expect(ok.error).toBeUndefined();
		expect(sent('GET', /^\/v1\/usage$/)).toHaveLength(3);

		fake.clearRequests();
		fake.fault({ method: 'POST', path: /^\/v1\/sessions$/, kind: 'status', status: 500, body: { error: 'internal_error', message: 'db down' } });
		const failed = await pokee({ resource: 'session', operation: 'create', sessionOptions: {} });
		expect(failed.error.message).toBe('Pokee API error (500): db down');
		expect(sent('POST', /^\/v1\/sessions$/)).toHaveLength(1);
	});

	test('402 in hard credit mode', async () => {
		const sid = await newSession();
		fake.setCredits({ mode: 'hard', balance: 0 });
		try {
			const { error } = await send(sid, 'hi');
			expect(error.httpCode).toBe('402');
			expect(error.description).toMatch(/out of credits/);
		} finally {
			fake.setCredits({ mode: 'soft', balance: 100000 });
		}
	});
});

describe('bad input → NodeOperationError naming field and item, nothing sent', () => {
	const SID = 'sess_000000000000';
	const bin = { data: { data: Buffer.from('x').toString('base64'), mimeType: 'text/plain' } };
	const cases = [
		['empty message', { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: SID, message: '  ', options: {} }, /^Message must not be empty \(item 0\)$/],
		['empty session id', { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: ' ', message: 'x', options: {} }, /^Session ID must not be empty \(item 0\)$/],
		['metadata not JSON', { resource: 'session', operation: 'create', sessionOptions: { metadata: '{oops' } }, /^Metadata is not valid JSON \(item 0\)$/],
		['metadata an array', { resource: 'session', operation: 'create', sessionOptions: { metadata: '[1]' } }, /^Metadata must be a JSON object \(item 0\)$/],
		['tools not JSON', { resource: 'session', operation: 'create', sessionOptions: { tools: '[{' } }, /^Session Tools is not valid JSON \(item 0\)$/],
		['tools without a name', { resource: 'session', operation: 'create', sessionOptions: { tools: '[{"type":"function"}]' } }, /^Session Tools entry 0 needs a "name" of 1–64 characters \(item 0\)$/],
		['ttl zero', { resource: 'session', operation: 'create', sessionOptions: { ttl: 0 } }, /^TTL must be a positive whole number \(item 0\)$/],
		['ttl fractional', { resource: 'session', operation: 'create', sessionOptions: { ttl: 1.5 } }, /^TTL must be a positive whole number \(item 0\)$/],
		['new-session options checked before anything', { resource: 'message', operation: 'send', sessionMode: 'new', message: 'x', sessionOptions: { readPaths: '../etc' }, options: {} }, /^File Access: Read Paths must not contain "\.\." segments \(item 0\)$/],
		['absolute file path', { resource: 'file', operation: 'download', sessionId: SID, path: '/etc/passwd', binaryPropertyName: 'data' }, /^File Path must be relative to the workspace \(no leading "\/"\) \(item 0\)$/],
		['file path with ..', { resource: 'file', operation: 'delete', sessionId: SID, path: 'output/../../x' }, /^File Path must not contain "\.\." segments \(item 0\)$/],
		['folder with ..', { resource: 'file', operation: 'list', sessionId: SID, folder: '..', recursive: false }, /^Folder must not contain "\.\." segments \(item 0\)$/],
		['backslash path', { resource: 'file', operation: 'upload', sessionId: SID, path: 'a\\b.txt', binaryPropertyName: 'data' }, /^File Path must not contain backslashes or control characters \(item 0\)$/],
		['pattern with a slash', { resource: 'file', operation: 'downloadMany', sessionId: SID, folder: 'output', pattern: 'a/*.pptx', recursive: false, binaryPropertyName: 'data' }, /^File Name Pattern must be a file name pattern without "\/" \(item 0\)$/],
		['missing binary property', { resource: 'file', operation: 'upload', sessionId: SID, path: 'in/x.txt', binaryPropertyName: 'nothere' }, /^Input Binary Field "nothere" is not on the input item \(item 0\)$/],
		['skill name with capitals', { resource: 'skill', operation: 'install', skillName: 'MySkill', binaryPropertyName: 'data' }, /^Skill Name must be 1–64 characters/],
		['skill name reserved', { resource: 'skill', operation: 'delete', skillName: 'custom-x' }, /^Skill Name must not start with the reserved prefix "custom-" \(item 0\)$/],
		['skill name too long', { resource: 'skill', operation: 'delete', skillName: 'a'.repeat(65) }, /^Skill Name must be 1–64 characters/],
		['bad duration', { resource: 'session', operation: 'deleteMany', idleOnly: true, olderThan: '90 minutes' }, /^Inactive For At Least must be a duration such as 90s, 2h or 1h30m \(item 0\)$/],
		['input items not JSON', { resource: 'response', operation: 'create', inputType: 'items', inputItems: '[{', tools: '[]', stream: false, options: {} }, /^Input Items is not valid JSON \(item 0\)$/],
		['input items empty', { resource: 'response', operation: 'create', inputType: 'items', inputItems: '[]', tools: '[]', stream: false, options: {} }, /^Input Items must not be empty \(item 0\)$/],
		['response tools invalid', { resource: 'response', operation: 'create', inputType: 'text', input: 'x', tools: '{"a":1}', stream: false, options: {} }, /^Tools must be a JSON array \(item 0\)$/],
		['time limit zero', { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: SID, message: 'x', options: { timeLimit: 0 } }, /^Time Limit must be a positive whole number \(item 0\)$/],
		['tool output empty', { resource: 'toolResult', operation: 'submit', sessionId: SID, responseId: 'msg_1', callId: 'call_1', output: ' ', lastEventId: '', options: {} }, /^Output must not be empty \(item 0\)$/],
		['negative event id', { resource: 'message', operation: 'resume', sessionId: SID, responseId: 'msg_1', lastEventId: '-3', options: {} }, /^Last Event ID must be a whole number of 0 or more \(item 0\)$/],
	];
	test.each(cases)('%s', async (_name, parameters, expected) => {
		const { error } = await pokee(parameters, { items: [{ json: {}, binary: bin }] });
		expect(error).toBeDefined();
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toMatch(expected);
		expect(fake.requests).toHaveLength(0);
	});

	test('ids and paths are percent-encoded: no value reaches another endpoint', async () => {
		// ("/", "." and ".." are refused before sending: test/honesty.test.js)
		const { error } = await pokee({ resource: 'session', operation: 'get', sessionId: 'skills?x=1#%41' });
		expect(error.httpCode).toBe('404');
		expect(fake.requests[0].path).toBe('/v1/sessions/skills%3Fx%3D1%23%2541');
	});

	test('a non-https Base URL is refused before sending', async () => {
		const { error } = await runNode({
			type: 'pokee',
			parameters: { resource: 'usage', operation: 'get' },
			credentials: creds({ baseUrl: 'http://tenant.enterprise.pokee.example' }),
		});
		expect(error.message).toBe('The Base URL of the Pokee API credential must use https');
		expect(fake.requests).toHaveLength(0);
	});

	test('with Continue On Fail, a bad credential Base URL gives every item its own {error} item', async () => {
		const { items, error, status } = await runNode({
			type: 'pokee',
			parameters: { resource: 'session', operation: 'get', sessionId: '={{ $json.id }}' },
			credentials: creds({ baseUrl: 'http://tenant.enterprise.pokee.example' }),
			items: [{ json: { id: 's1' } }, { json: { id: 's2' } }, { json: { id: 's3' } }],
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(status).toBe('success');
		expect(items.map((item) => [item.json.error, item.pairedItem])).toEqual(
			[0, 1, 2].map((i) => ['The Base URL of the Pokee API credential must use https', { item: i }]),
		);
		expect(items.every((item) => item.json.id === undefined)).toBe(true);
		expect(fake.requests).toHaveLength(0);
	});
});

describe('SSE decoder contract (readSse)', () => {
	const { PassThrough } = require('node:stream');
	const { readSse } = require('../nodes/Pokee/transport/sse');
	const frame = (id, type, data) => `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

	test('a body that arrived whole (string or bytes) is decoded too; the default type is "message"', async () => {
		for (const body of [frame(1, 'text.delta', { content: 'a' }) + 'data: x\n\n', Buffer.from(frame(1, 'text.delta', { content: 'a' }) + 'data: x\n\n')]) {
			const seen = [];
			await expect(readSse(body, (e) => void seen.push([e.id, e.event, e.data]))).resolves.toBe('ended');
			expect(seen).toEqual([['1', 'text.delta', '{"content":"a"}'], [undefined, 'message', 'x']]);
		}
	});

	test('stopping leaves later chunks unread, and an error after the stop is not unhandled', async () => {
		const body = new PassThrough();
		const seen = [];
		const reading = readSse(body, (e) => {
			seen.push(e.event);
			return e.event === 'message.completed';
		});
		body.write(frame(1, 'text.delta', { content: 'a' }) + frame(2, 'message.completed', {}));
		await expect(reading).resolves.toBe('stopped');
		body.write(frame(3, 'text.delta', { content: 'late' }));
		body.destroy(new Error('ECONNRESET after the stop'));
		await new Promise((r) => setImmediate(r));
		expect(seen).toEqual(['text.delta', 'message.completed']);
	});

	test('a stream that closes before it ended, errors, or is aborted rejects', async () => {
		const closed = new PassThrough();
		const reading = readSse(closed, () => false);
		closed.write(frame(1, 'text.delta', { content: 'a' }));
		closed.destroy();
		await expect(reading).rejects.toThrow('the connection closed before the stream ended');

		const failing = new PassThrough();
		const failed = readSse(failing, () => false);
		failing.destroy(new Error('socket hang up'));
		await expect(failed).rejects.toThrow('socket hang up');

		const controller = new AbortController();
		const stalled = readSse(new PassThrough(), () => false, controller.signal);
		controller.abort();
		await expect(stalled).rejects.toThrow('aborted');
	});

	test('a character split across chunks is joined; an error thrown by the handler rejects', async () => {
		const body = new PassThrough();
		const bytes = Buffer.from(frame(1, 'text.delta', { content: 'é€😀' }));
		const texts = [];
		const reading = readSse(body, (e) => void texts.push(JSON.parse(e.data).content));
		for (let i = 0; i < bytes.length; i += 3) body.write(bytes.subarray(i, i + 3));
		body.end();
		await expect(reading).resolves.toBe('ended');
		expect(texts).toEqual(['é€😀']);

		const bad = new PassThrough();
		const rejected = readSse(bad, () => {
			throw new Error('malformed');
		});
		bad.write(frame(1, 'x', {}));
		await expect(rejected).rejects.toThrow('malformed');
	});

	describe("a pause ('pause' from the handler, with onPause)", () => {
		const ENDS = [
			['LF', '\n'],
			['CRLF', '\r\n'],
			['CR', '\r'],
		];
		const framed = (eol, id, type, data) => [`id: ${id}`, `event: ${type}`, `data: ${JSON.stringify(data)}`, '', ''].join(eol);
		/** Five events in one chunk: created, three text deltas, completed. */
		const burst = (eol) =>
			framed(eol, 0, 'created', {}) +
			[1, 2, 3].map((n) => framed(eol, n, 'delta', { t: n })).join('') +
			framed(eol, 4, 'completed', {});
		/** Reads the body, recording every event: pauses on a delta, stops at 'completed'. */
		const readPausing = (body, record, onPause, signal) =>
			readSse(
				body,
				(e) => {
					record(e);
					if (e.event === 'completed') return true;
					return e.event === 'delta' ? 'pause' : false;
				},
				signal,
				onPause,
			);

		test.each(ENDS)('%s: nothing after the pausing event is parsed until resume; then the rest, in order', async (_name, eol) => {
			const body = new PassThrough();
			const seen = [];
			let resume;
			const reading = readPausing(body, (e) => seen.push(e.id), (r) => (resume = r));
			body.write(burst(eol));
			body.write(framed(eol, 5, 'late', {}));
			await until(() => resume !== undefined);
			// the whole chunk (and a second one) arrived; only the events up to the first delta were parsed
			for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
			expect(seen).toEqual(['0', '1']);
			resume();
			await expect(reading).resolves.toBe('stopped');
			// one pause per read: the later deltas did not pause again
			expect(seen).toEqual(['0', '1', '2', '3', '4']);
		});

		test('the same events, pause or not, for every chunking of the stream', async () => {
			const text = burst('\n');
			const read = async (size, pausing) => {
				const body = new PassThrough();
				const seen = [];
				const reading = readSse(
					body,
					(e) => {
						seen.push([e.id, e.event, e.data]);
						return pausing && e.event === 'delta' ? 'pause' : false;
					},
					undefined,
					pausing ? (resume) => setImmediate(resume) : undefined,
				);
				for (let i = 0; i < text.length; i += size) body.write(text.slice(i, i + size));
				body.end();
				await expect(reading).resolves.toBe('ended');
				return seen;
			};
			const truth = await read(text.length, false);
			expect(truth.map(([id]) => id)).toEqual(['0', '1', '2', '3', '4']);
			for (const size of [1, 2, 7, 40, text.length]) expect(await read(size, true)).toEqual(truth);
		});

		test('the connection closes or errors while paused: the held events are parsed first (a terminal event among them counts)', async () => {
			for (const end of [(b) => b.destroy(), (b) => b.destroy(new Error('socket hang up'))]) {
				const body = new PassThrough();
				const seen = [];
				let paused = false;
				const reading = readPausing(body, (e) => seen.push(e.event), () => (paused = true));
				body.write(burst('\n'));
				await until(() => paused);
				end(body);
				await expect(reading).resolves.toBe('stopped');
				expect(seen).toEqual(['created', 'delta', 'delta', 'delta', 'completed']);
			}
			// held events without a terminal one: the close is still a broken stream
			const body = new PassThrough();
			let paused = false;
			const reading = readSse(body, (e) => (e.event === 'delta' ? 'pause' : false), undefined, () => (paused = true));
			body.write(framed('\n', 0, 'delta', {}) + framed('\n', 1, 'delta', {}));
			await until(() => paused);
			body.destroy();
			await expect(reading).rejects.toThrow('the connection closed before the stream ended');
		});

		test('an abort while paused rejects, and a later resume parses nothing', async () => {
			const body = new PassThrough();
			const controller = new AbortController();
			const seen = [];
			let resume;
			const reading = readPausing(body, (e) => seen.push(e.id), (r) => (resume = r), controller.signal);
			body.write(burst('\n'));
			await until(() => resume !== undefined);
			controller.abort();
			await expect(reading).rejects.toThrow('aborted');
			resume();
			expect(seen).toEqual(['0', '1']);
		});

		test('a body that arrived whole is read through, without a pause', async () => {
			let paused = false;
			const seen = [];
			await expect(
				readSse(burst('\n'), (e) => (seen.push(e.id), e.event === 'delta' ? 'pause' : false), undefined, () => (paused = true)),
			).resolves.toBe('ended');
			expect(paused).toBe(false);
			expect(seen).toEqual(['0', '1', '2', '3', '4']);
		});
	});
});
