'use strict';
/**
 * Queue-mode end-to-end suite: n8n 2.41.1 main + 2 workers on PostgreSQL + Redis (test/queue/lib.js),
 * the package installed from its tarball, the loopback fakes. Run by scripts/test.sh through
 * scripts/queue.sh --test; prints PASS/FAIL per check and exits 1 when any failed.
 *
 *   bash scripts/queue.sh --test                 the whole suite
 *   bash scripts/queue.sh --test --only=examples,redis   some cases (names: see CASES below)
 *
 * HOW TO ADD A CASE
 *   1. Write `async function myCase(ctx)`; ctx = {report, cluster, fakes, wf, expect}:
 *        report.check(name, ok, detail)    one PASS/FAIL line (detail shown only on failure)
 *        report.info(text)                 a figure or fact worth printing
 *        cluster (QueueCluster, lib.js):   runManually(workflowId, triggerName) → execution id
 *          (the run goes to a worker), webhook(method, path, json), waitExecution(id),
 *          execution(id) / executions(workflowId) (from PostgreSQL, run data decoded),
 *          query(sql, params) (PostgreSQL), ranBy() (execution id → {started: [worker],
 *          finished: [worker]} from the workers' own log lines), startWorker(name, {env,
 *          concurrency}), killWorker(name) (SIGKILL to the worker's process group),
 *          stopWorker(name), workers (Map name → {pid, log, healthPort}), workerMemory(name),
 *          restartMain({signal}), stopMain/startMain, restartRedis({downMs}),
 *          stopRedis/startRedis, rest(method, url, json) (as the owner), activate(workflowId)
 *        fakes.pokee: turnsStarted, requests (every request with body/json), sessions, turns,
 *          files, fault(...); fakes.poke.messages / deliveries
 *   2. Put the workflows it needs in testWorkflows() below (imported once at set-up; ids of at
 *      most 21 characters; webhooks need a webhookId and are registered by activate()).
 *   3. Add it to CASES. Cases run in order, on one cluster; a case that changes the cluster
 *      (kills or adds workers, changes timing env) must leave w1 and w2 running when it ends.
 *      For n8n's stalled-job timing (a SIGKILLed worker), start a worker with
 *      startWorker('w3', {env: {QUEUE_WORKER_LOCK_DURATION: '5000', QUEUE_WORKER_LOCK_RENEW_TIME:
 *      '1000', QUEUE_WORKER_STALLED_INTERVAL: '2000'}}) — each worker reads them itself; see
 *      the header of lib.js for what they mean.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const L = require('../e2e/lib');
const { QueueCluster, resetPeakRss, procMemory } = require('./lib');
const { manualTrigger, webhookNode, pokeeNode, workflow, runSuite, stopOnSignals } = require('./suite');

const EXAMPLES = [
	'poke-send-message.json',
	'poke-webhook-create-fire.json',
	'pokee-ask-question.json',
	'pokee-ai-agent-tool.json',
	'pokee-deck-job.json',
];
const MiB = 1024 * 1024;
/**
 * n8n 2.41's `database` binary mode stores a 256 MiB file but cannot read it back: the pg client
 * receives bytea as hex text, and 2 + 2 × 268,435,456 characters exceed V8's longest string
 * (2^29 − 24 = 536,870,888): pg throws ERR_STRING_TOO_LONG inside its socket handler and the
 * reading node never gets an answer (the worker hangs, the execution stays "running"). The
 * largest file it can read back is 268,435,443 bytes (256 MiB − 13 B). So, in database mode:
 * 256 MiB is stored (Download alone) and n8n's own pg client is shown failing to read that row;
 * the largest readable file, 268,435,443 bytes, is stored and read back by the next node. Past
 * that limit a file must live in a store every instance reads: `filesystem` mode on a folder all
 * instances share (one machine, or a network volume) or s3; the `shared` case reads 256 MiB back
 * that way.
 */
const PG_MAX_READ_BACK = (2 ** 29 - 24 - 2) / 2; // V8's longest string, less pg's "\x", in hex pairs
const BIG = { path: 'exports/big-256mib.bin', size: 256 * MiB };
const READ_BACK = { path: 'exports/big-largest-readable.bin', size: PG_MAX_READ_BACK };
const sizeLabel = (size) => (size % MiB ? `${size.toLocaleString('en')} B (256 MiB − ${256 * MiB - size} B)` : `${size / MiB} MiB`);
const sendNode = (id, message) =>
	pokeeNode(id, 'Send', { resource: 'message', operation: 'send', sessionMode: 'new', sessionOptions: {}, message, waitForCompletion: true, options: {} });
const downloadNode = (id, sessionId, filePath) =>
	pokeeNode(id, 'Download', { resource: 'file', operation: 'download', sessionId, path: filePath, binaryPropertyName: 'data' });

/** The suite's own workflows (besides the examples). `ids.bigSession`: a live session id. */
function testWorkflows(ids = {}) {
	return [
		// chat stream: a webhook answering with n8n's streaming response, fed by sendChunk
		workflow('qStream', 'queue: streamed answer', [webhookNode('qStream', 'q-stream', 'streaming'), sendNode('qStream', '={{ $json.body.message }}')]),
		// Redis restart: webhooks answered at once, the turn queued for a worker
		workflow('qRedis', 'queue: queued turns', [webhookNode('qRedis', 'q-redis', 'onReceived'), sendNode('qRedis', '={{ $json.body.message }}')]),
		// 256 MiB downloaded into the database binary store
		workflow('qBigStore', 'queue: 256 MiB download', [manualTrigger('qBigS'), downloadNode('qBigS', ids.bigSession, BIG.path)]),
		// the largest file the database store reads back, downloaded and read back by a later node
		readBackWorkflow('qBigDownload', 'queue: largest readable download + read back', ids, READ_BACK),
		// 256 MiB downloaded and read back by a later node, on a worker whose binary data mode is
		// `filesystem` on a shared folder
		readBackWorkflow('qBigShared', 'queue: 256 MiB download + read back, shared filesystem store', ids, BIG),
	];
}

/** Manual trigger → File → Download of `file` → n8n's Read/Write Files from Disk writing it to ids.outFile. */
function readBackWorkflow(id, name, ids, file) {
	return workflow(id, name, [
		manualTrigger(id),
		downloadNode(id, ids.bigSession, file.path),
		{
			// a later node reading the stored binary back
			id: `${id}-h`,
			name: 'Write',
			type: 'n8n-nodes-base.readWriteFile',
			typeVersion: 1.1,
			position: [480, 0],
			parameters: { operation: 'write', fileName: ids.outFile, dataPropertyName: 'data', options: {} },
		},
	]);
}

async function sha256File(file) {
	const hash = crypto.createHash('sha256');
	for await (const chunk of fs.createReadStream(file)) hash.update(chunk);
	return hash.digest('hex');
}

// ----- cases -----------------------------------------------------------------------------------

/** Every example, run as the editor runs it; the worker's own log says it ran it. */
async function examples({ report, cluster, fakes, wf }) {
	for (const file of EXAMPLES) {
		const w = wf[file];
		const trigger = w.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger').name;
		const turns0 = fakes.pokee.turnsStarted;
		const id = await cluster.runManually(w.id, trigger);
		const e = await cluster.waitExecution(id);
		const ran = cluster.ranBy().get(id);
		report.check(`${file}: execution ${id} succeeded (PostgreSQL: status ${e.status})`, e.status === 'success', () => e.data?.resultData?.error);
		report.check(
			`${file}: run by exactly one worker, per its log (${ran?.started.join(',')}), never by the main`,
			ran?.started.length === 1 && ran.finished.length === 1 && ran.started[0] === ran.finished[0] && !/started execution/.test(cluster.main.log),
			ran,
		);
		const last = (node) => L.nodeOutput({ data: e.data }, node)[0]?.json;
		if (file === 'pokee-ask-question.json') {
			const msg = w.nodes.find((n) => n.name === 'Ask Pokee').parameters.message;
			report.check(`${file}: the answer is the agent's text`, last('Ask Pokee')?.text === L.expectedText(msg), last('Ask Pokee'));
		}
		if (file === 'poke-send-message.json') report.check(`${file}: Poke answered success`, last('Send message to Poke')?.success === true);
		if (/^pokee/.test(file)) {
			const turns = fakes.pokee.turnsStarted - turns0;
			report.check(`${file}: exactly one agent turn on the fake (${turns})`, turns === 1);
		}
		report.info(`${file}: execution ${id} on ${ran?.started[0]}`);
		wf.ran[file] = { id, worker: ran?.started[0], data: e.data };
	}
}

/** A streamed answer (sendChunk) from a worker reaches the webhook caller as it is produced. */
async function chatStream({ report, cluster, fakes }) {
	await cluster.activate('qStream');
	const message = 'Stream this from a worker #slow:250';
	const turns0 = fakes.pokee.turnsStarted;
	const chunks = [];
	const t0 = Date.now();
	const status = await new Promise((resolve, reject) => {
		const req = require('node:http').request(
			`${cluster.baseUrl}/webhook/q-stream`,
			{ method: 'POST', headers: { 'Content-Type': 'application/json' } },
			(res) => {
				res.setEncoding('utf8');
				res.on('data', (c) => chunks.push({ at: Date.now() - t0, text: c }));
				res.on('end', () => resolve(res.statusCode));
			},
		);
		req.on('error', reject);
		req.end(JSON.stringify({ message }));
	});
	const lines = chunks.map((c) => c.text).join('').split('\n').filter(Boolean);
	const parsed = lines.map((l) => {
		try {
			return JSON.parse(l);
		} catch {
			return { unparsed: l };
		}
	});
	const items = parsed.filter((p) => p.type === 'item');
	const text = items.map((p) => p.content).join('');
	report.check(`HTTP ${status}; the streamed items spell the agent's text "${L.expectedText(message)}"`, status === 200 && text === L.expectedText(message), parsed);
	const itemChunks = chunks.filter((c) => /"type":"item"/.test(c.text));
	const spread = itemChunks.length ? itemChunks.at(-1).at - itemChunks[0].at : 0;
	report.check(
		`the deltas arrived as they were produced (${itemChunks.length} chunks over ${spread} ms, the agent spacing them 250 ms), not at the end`,
		itemChunks.length >= 3 && spread >= 400,
		chunks,
	);
	const [e] = (await cluster.executions('qStream')).slice(-1);
	const ran = e && cluster.ranBy().get(e.id);
	report.check(`execution ${e?.id} ran on a worker (${ran?.started.join(',')}), one turn on the fake`, ran?.started.length === 1 && fakes.pokee.turnsStarted - turns0 === 1, { ran, turns: fakes.pokee.turnsStarted - turns0 });
}

/**
 * Runs `workflowId` (a File → Download of `file`, and with `readBack` a later node writing it to
 * ids.outFile) on a worker; checks success, where the binary went (`store`: 'database' or
 * 'filesystem'), the read-back copy's sha256, and the worker's peak RSS growth (VmHWM reset
 * before the run) against `bound` × the file. Resolves {execution, binary, want}.
 */
async function bigRun({ report, cluster, fakes, ids }, { file, workflowId, readBack, store, bound }) {
	const label = `${sizeLabel(file.size)}${store === 'filesystem' ? ', shared filesystem store' : ''}`;
	fakes.pokee.putLargeFile(file.path, file.size);
	const want = fakes.pokee.fileSha256(file.path);
	const before = {};
	for (const [name, w] of cluster.workers) {
		resetPeakRss(w.pid);
		before[name] = procMemory(w.pid);
	}
	const t0 = Date.now();
	const id = await cluster.runManually(workflowId, 'Start');
	const e = await cluster.waitExecution(id, { timeoutMs: 600_000 });
	const seconds = (Date.now() - t0) / 1000;
	const worker = cluster.ranBy().get(id)?.started[0];
	const after = worker && procMemory(cluster.worker(worker).pid);
	report.check(`${label}: execution ${id} succeeded on a worker (${worker})`, e.status === 'success' && !!worker, () => e.data?.resultData?.error);
	const binary = L.nodeOutput({ data: e.data }, 'Download')[0]?.binary?.data;
	report.check(`${label}: the binary is in the ${store} store (id ${binary?.id?.slice(0, 24)}…)`, binary?.id?.startsWith(store) === true, binary);
	if (readBack) {
		const outFile = ids.outFile;
		const written = fs.existsSync(outFile) ? await sha256File(outFile) : undefined;
		report.check(`${label}: the next node read it back from the ${store} store and wrote it out: sha256 matches the fake's file`, written === want, { written, want });
		fs.rmSync(outFile, { force: true });
	}
	if (after) {
		const growth = (after.hwmKiB - before[worker].rssKiB) / 1024;
		const line = `${label}${readBack ? ' + read back' : ''}: worker ${worker} RSS ${Math.round(before[worker].rssKiB / 1024)} MiB before, peak (VmHWM) ${Math.round(after.hwmKiB / 1024)} MiB, after ${Math.round(after.rssKiB / 1024)} MiB: peak growth ${growth.toFixed(0)} MiB (${(growth / (file.size / MiB)).toFixed(1)}× the file), ${seconds.toFixed(1)} s`;
		console.log(`  FIGURE ${line}`);
		report.check(`${label}: worker RSS growth bounded by ${bound}× the file (${growth.toFixed(0)} MiB)`, growth < bound * (file.size / MiB));
	}
	return { execution: e, binary, want };
}

/**
 * File → Download into the `database` binary store (n8n 2.41's queue-mode default): 256 MiB stored
 * (PostgreSQL's own sha256 of the row), and n8n's pg client failing to read that row back; the
 * largest readable file (READ_BACK) stored and read back by the next node.
 * n8n's database mode holds the whole file in memory: storing, binaryToBuffer's copy and the
 * query's parameter (~3× seen); reading back, the hex bytes from the socket and the hex string
 * (2× the file each) and the decoded copy (4.5–7.2× seen on fresh workers). Linear in the file, set
 * by n8n's binary store, not by the node: bounds 6× and 9×.
 */
async function bigDownload(ctx) {
	const { report, cluster } = ctx;
	for (const [file, workflowId, readBack] of [[BIG, 'qBigStore', false], [READ_BACK, 'qBigDownload', true]]) {
		const { binary, want } = await bigRun(ctx, { file, workflowId, readBack, store: 'database', bound: readBack ? 9 : 6 });
		const fileId = binary?.id?.split(':')[1] ?? '';
		const [row] = await cluster.query(
			`SELECT "fileSize" AS size, octet_length(data) AS stored, encode(sha256(data), 'hex') AS sha256 FROM binary_data WHERE "fileId" = $1`,
			[fileId],
		);
		report.check(
			`${sizeLabel(file.size)}: PostgreSQL's binary_data holds exactly the fake's file (${row?.stored} bytes, sha256 computed by PostgreSQL)`,
			Number(row?.stored) === file.size && Number(row?.size) === file.size && row?.sha256 === want,
			{ row, want },
		);
		if (!readBack) {
			const error = await readRowWithN8nPg(cluster, fileId);
			report.check(
				`${sizeLabel(file.size)}: n8n's own pg client cannot read the row back (the limit is n8n's, not the node's): ${error}`,
				/ERR_STRING_TOO_LONG|longer than 0x1fffffe8/.test(error),
				error,
			);
		}
	}
}

/**
 * SELECT of a binary_data row with n8n's pg client, as n8n's database store reads it; resolves the
 * error that stopped it ('read' when it worked, 'no answer' after 120 s). pg throws the error
 * from inside its socket handler, where no promise sees it: it reaches the process as an
 * uncaught exception (n8n's worker logs it and goes on, the reading node never answered), so it
 * is caught there for the duration of the attempt.
 */
async function readRowWithN8nPg(cluster, fileId) {
	const client = await cluster.pgClient();
	let onUncaught;
	try {
		return await new Promise((resolve) => {
			const timer = setTimeout(() => resolve('no answer'), 120_000);
			const done = (what) => (clearTimeout(timer), resolve(what));
			const describe = (error) => `${error.code ?? ''} ${error.message}`.trim();
			onUncaught = (error) => done(`uncaught in pg's socket handler: ${describe(error)}`);
			process.on('uncaughtException', onUncaught);
			client.on('error', (error) => done(describe(error)));
			client.query('SELECT data FROM binary_data WHERE "fileId" = $1', [fileId]).then(
				() => done('read'),
				(error) => done(describe(error)),
			);
		});
	} finally {
		process.off('uncaughtException', onUncaught);
		// the connection is stuck in a half-parsed message: close its socket
		client.connection?.stream?.destroy();
		await client.end().catch(() => {});
	}
}

/**
 * Past the database store's limit: the workers stopped, one worker started with binary data mode
 * `filesystem` on a folder every instance could share (here: one machine); 256 MiB downloaded and
 * read back by the next node. The filesystem store streams to and from disk, so the bound is 1×.
 * The usual workers are put back afterwards (afterCase).
 */
async function sharedDownload(ctx) {
	const { cluster, dir } = ctx;
	for (const name of [...cluster.workers.keys()]) await cluster.stopWorker(name);
	await cluster.startWorker('f1', {
		env: { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem', N8N_BINARY_DATA_STORAGE_PATH: path.join(dir, 'binary-shared') },
	});
	await bigRun(ctx, { file: BIG, workflowId: 'qBigShared', readBack: true, store: 'filesystem', bound: 1 });
}

/**
 * The Pokee Trigger (deck example) on the main, its state in PostgreSQL: turns that finish while
 * the main is down fire once after it restarts; a restart with nothing new fires nothing.
 */
async function triggerAcrossRestarts({ report, cluster, fakes, wf }) {
	const w = wf['pokee-deck-job.json'];
	const triggerNode = 'When a Pokee turn finishes';
	const listRequests = () => fakes.pokee.requests.filter((r) => r.method === 'GET' && r.path === '/v1/sessions').length;
	const triggerRuns = async () => (await cluster.executions(w.id, { data: false })).filter((e) => e.mode === 'trigger');
	const state = async () => {
		const [row] = await cluster.query('SELECT "staticData" FROM workflow_entity WHERE id = $1', [w.id]);
		const data = typeof row?.staticData === 'string' ? JSON.parse(row.staticData) : row?.staticData;
		return data?.[`node:${triggerNode}`];
	};
	/**
	 * Restarts the main (running `whileDown` while it is stopped) and waits for its activation
	 * poll (one more session list on the fake) and for the executions it starts to end.
	 */
	const restartAndPoll = async (whileDown, expectRuns = 0) => {
		const lists = listRequests();
		const runsBefore = (await triggerRuns()).length;
		await cluster.stopMain();
		await whileDown?.();
		await cluster.startMain();
		await L.waitFor('the activation poll', () => listRequests() > lists, { timeoutMs: 60_000 });
		// the executions the poll should start (then 3 s more, for any it should not)
		await L.waitFor(`${expectRuns} new trigger execution(s)`, async () => (await triggerRuns()).length - runsBefore >= expectRuns, { timeoutMs: 60_000 }).catch(() => {});
		await L.sleep(3000);
		await L.waitFor('trigger executions to end', async () => (await triggerRuns()).every((r) => !['new', 'running'].includes(r.status)), { timeoutMs: 90_000 });
	};
	/** A deck turn of a new session tagged job=quarterly-deck, run to its end on the fake. */
	const deckTurn = async (text) => {
		const s = fakes.pokee.createSession({ persistent: true, metadata: { job: 'quarterly-deck' } });
		await fetch(`${fakes.pokee.baseUrl}/v1/sessions/${s.id}/messages`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${L.POKEE_KEY}`, 'Content-Type': 'application/json', Accept: 'text/event-stream' },
			body: JSON.stringify({ message: `${text} #deck` }),
		}).then((r) => r.text());
		await L.waitFor('the deck turn to finish', () => !fakes.pokee.sessions.get(s.id)?.busy);
		return s;
	};
	const sessionsOf = async (runs) => {
		const out = [];
		for (const r of runs) {
			const e = await cluster.execution(r.id);
			out.push(...L.nodeOutput({ data: e.data }, 'Deck sessions only').map((i) => i.json.session_id));
		}
		return out;
	};

	await cluster.activate(w.id);
	const baseline = await L.waitFor('the baseline in PostgreSQL', state, { timeoutMs: 60_000 });
	report.check('published on the main; the activation poll stored its baseline in PostgreSQL (workflow_entity.staticData)', !!baseline, baseline);
	const runs0 = (await triggerRuns()).length;

	// a deck turn that finishes while the main is down
	let s;
	await restartAndPoll(async () => (s = await deckTurn('Deck while n8n is down')), 1);
	const fired = (await triggerRuns()).slice(runs0);
	const e = fired[0] && (await cluster.execution(fired[0].id));
	const items = e ? L.nodeOutput({ data: e.data }, 'Deck sessions only') : [];
	const ran = e && cluster.ranBy().get(e.id);
	report.check(
		`after the restart: exactly one trigger execution (${e?.id}, ${e?.status}) with the one deck turn finished while the main was down`,
		fired.length === 1 && e.status === 'success' && items.length === 1 && items[0].json.session_id === s.id,
		{ fired, items: items.map((i) => i.json) },
	);
	report.check(`that execution ran on a worker (${ran?.started.join(',')})`, ran?.started.length === 1);
	const deck = L.deckFile(s.id);
	report.check('it carries the deck (.pptx) as binary', items[0]?.binary?.deck?.fileName === deck.path.split('/').pop(), items[0]?.binary);

	// nothing new: a restart fires nothing
	await restartAndPoll();
	const runs2 = (await triggerRuns()).slice(runs0);
	report.check(`a main restart with nothing new: no further trigger execution (${runs2.length} in all)`, runs2.length === 1, runs2);

	// another turn while down: exactly that one fires, the first is not repeated
	let s2;
	await restartAndPoll(async () => (s2 = await deckTurn('Second deck while n8n is down')), 1);
	const runs3 = (await triggerRuns()).slice(runs0);
	const seen = await sessionsOf(runs3);
	report.check(
		`another turn finished while the main was down fires once; nothing repeated (sessions seen: ${seen.length})`,
		runs3.length === 2 && seen.length === 2 && seen[0] === s.id && seen[1] === s2.id,
		{ runs3, seen },
	);
	report.info(`session list requests (polls) so far: ${listRequests()}`);
}

/**
 * Redis restarted while executions wait in its queue: every queued turn runs once (counted on the
 * fake), or n8n's error says what happened; nothing runs twice.
 */
async function redisRestart({ report, cluster, fakes }) {
	await cluster.activate('qRedis');
	const n = 24;
	const tag = `redis-${Date.now()}`;
	const turns0 = fakes.pokee.turnsStarted;
	const execs0 = (await cluster.executions('qRedis', { data: false })).length;
	// 2 workers × concurrency 5 = 10 at a time; each turn takes ~1.5 s: most wait in the queue
	const answers = await Promise.all(
		Array.from({ length: n }, (_, i) => cluster.webhook('POST', 'q-redis', { message: `${tag} #${i} #slow:250` })),
	);
	report.check(`${n} webhook calls accepted (HTTP 200 each)`, answers.every((a) => a.status === 200), answers.map((a) => a.status));
	const waiting = await cluster.query(`SELECT count(*)::int AS n FROM execution_entity WHERE "workflowId" = 'qRedis' AND status = 'new'`);
	await cluster.restartRedis({ downMs: 2000 });
	report.info(`Redis restarted (2 s down) with ${waiting[0].n} executions still waiting`);
	const all = await L.waitFor('every execution to end', async () => {
		const es = (await cluster.executions('qRedis', { data: false })).slice(execs0);
		return es.length >= n && es.every((e) => !['new', 'running', 'waiting'].includes(e.status)) ? es : undefined;
	}, { timeoutMs: 300_000, intervalMs: 1000 }).catch(async (error) => {
		const es = (await cluster.executions('qRedis', { data: false })).slice(execs0);
		report.check('every execution ended', false, { error: error.message, statuses: es.map((e) => `${e.id}:${e.status}`) });
		return es;
	});
	const ok = all.filter((e) => e.status === 'success');
	const sends = fakes.pokee.requests.filter((r) => r.method === 'POST' && /\/messages$/.test(r.path) && String(r.json?.message ?? '').startsWith(tag));
	const perMessage = new Map();
	for (const r of sends) perMessage.set(r.json.message, (perMessage.get(r.json.message) ?? 0) + 1);
	const turns = fakes.pokee.turnsStarted - turns0;
	const starts = all.map((e) => cluster.ranBy().get(e.id)?.started.length ?? 0);
	report.check(`${n} executions, ${ok.length} succeeded; statuses: ${[...new Set(all.map((e) => e.status))].join(', ')}`, all.length === n, all.map((e) => `${e.id}:${e.status}`));
	report.check(`agent turns on the fake: ${turns} for ${ok.length} successful executions, none doubled (each message sent at most once)`, turns === ok.length && [...perMessage.values()].every((c) => c === 1), { turns, perMessage: [...perMessage] });
	report.check(`no execution started twice by the workers (${starts.filter((s) => s > 1).length} did)`, starts.every((s) => s <= 1), starts);
	const failed = all.filter((e) => e.status !== 'success');
	for (const f of failed) {
		const e = await cluster.execution(f.id);
		const message = e.data?.resultData?.error?.message ?? '(no error stored)';
		report.info(`execution ${f.id}: ${f.status}: ${message}`);
		report.check(`execution ${f.id} (${f.status}) states n8n's error`, message !== '(no error stored)', e.data?.resultData);
	}
	console.log(`  FIGURE redis restart: ${n} queued, ${ok.length} succeeded, ${turns} turns, ${failed.length} failed`);
}

const CASES = {
	examples: ['every example run by a worker', examples],
	stream: ['chat stream (sendChunk) relayed from a worker', chatStream],
	download: ['File → Download of 256 MiB in the database binary store', bigDownload],
	shared: ['File → Download of 256 MiB read back by a later node, filesystem store shared by the instances', sharedDownload],
	trigger: ['Pokee Trigger on the main, state in PostgreSQL, across main restarts', triggerAcrossRestarts],
	redis: ['Redis restarted while executions are queued', redisRestart],
	// the node helper's worker-SIGKILL cases (Message → Send, Idempotency Scope: Input Item)
	...require('./crash').CASES,
};

async function main() {
	await runSuite({
		name: 'queue e2e',
		banner: `n8n 2.41.1 on Node ${process.version}`,
		cases: CASES,
		async setUp(ctx) {
			const { dir, report, fakes } = ctx;
			const outDir = path.join(dir, 'out');
			fs.mkdirSync(outDir, { recursive: true });
			// the Write node may write only there (n8n's default is ~/.n8n-files)
			ctx.cluster = new QueueCluster({ dir, workers: 2, concurrency: 5, env: { N8N_RESTRICT_FILE_ACCESS_TO: outDir } });
			ctx.ids = { bigSession: fakes.pokee.createSession({ persistent: true, ttl: 86400 }).id, outFile: path.join(outDir, 'big.bin') };
			ctx.wf = { ran: {} };
			for (const file of EXAMPLES) ctx.wf[file] = L.readExample(file);
			report.section('Set up: PostgreSQL, Redis, package, credentials, workflows, main + 2 workers');
			const t0 = Date.now();
			await ctx.cluster.start({
				// QUEUE_PACKAGE_FROM=sources: built from the TypeScript sources into the user folders
				// (leaves dist/ alone); default: the npm-packed tarball of dist/, as n8n installs it
				packageFrom: process.env.QUEUE_PACKAGE_FROM === 'sources' ? 'sources' : 'tarball',
				credentials: L.credentialsFor(fakes),
				workflows: [...EXAMPLES.map((f) => ctx.wf[f]), ...testWorkflows(ctx.ids), ...require('./crash').workflows()],
			});
			report.check(`PostgreSQL ${ctx.cluster.pgVersion} (Debian), Redis, main and workers w1, w2 up`, ctx.cluster.workers.size === 2);
			console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
		},
		async afterCase({ cluster }) {
			// put back the usual workers where a case replaced them (e.g. shared: f1 instead of w1, w2)
			for (const name of [...cluster.workers.keys()]) if (!/^w\d+$/.test(name)) await cluster.stopWorker(name).catch(() => {});
			for (const name of ['w1', 'w2']) if (!cluster.workers.has(name)) await cluster.startWorker(name);
		},
		finish({ cluster }) {
			console.log('\nwhich worker ran what:');
			for (const [id, r] of [...cluster.ranBy()].sort((a, b) => a[0] - b[0])) console.log(`  execution ${id}: ${r.started.join(',')}`);
		},
	});
}

if (require.main === module) {
	stopOnSignals('queue e2e');
	main();
}
module.exports = { CASES, testWorkflows };
