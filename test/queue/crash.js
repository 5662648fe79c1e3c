'use strict';
/**
 * Queue mode: a worker SIGKILLed in the middle of a long streamed Pokee turn (the node helper's
 * part of issue 11). Cases for test/queue/run.js (export CASES, workflows()) and a stand-alone
 * runner:
 *
 *   node test/queue/crash.js            (with scripts/env.sh sourced, N8N_DIR set as queue.sh does)
 *   CRASH_SCOPE=execution node test/queue/crash.js   the same with today's default scope: shows
 *                                       the doubled turn the Input Item scope prevents
 *
 * What a case does: a webhook starts a workflow Webhook → Pokee Send (Idempotency Scope: Input
 * Item) with a slow agent turn; the worker running it is found from the workers' own log lines
 * and SIGKILLed; n8n's stalled-job detection fails the execution (timings shortened with
 * QUEUE_WORKER_LOCK_DURATION=5000, QUEUE_WORKER_LOCK_RENEW_TIME=1000,
 * QUEUE_WORKER_STALLED_INTERVAL=2000 on the workers; defaults 60000/10000/30000); then n8n's Retry
 * (POST /rest/executions/<id>/retry as the owner) and the webhook caller re-sending the same
 * request. Counted on the fake: exactly one agent turn, and the re-sent request's answer is that
 * turn's exact text.
 *
 * Cluster changes: the case swaps the suite's workers for two with the short stall timings
 * (c1, c2) and puts w1, w2 (default timings) back when it ends.
 */
const L = require('../e2e/lib');
const { webhookNode, pokeeNode, workflow, runSuite, stopOnSignals } = require('./suite');
const { QueueCluster } = require('./lib');

const STALL_ENV = { QUEUE_WORKER_LOCK_DURATION: '5000', QUEUE_WORKER_LOCK_RENEW_TIME: '1000', QUEUE_WORKER_STALLED_INTERVAL: '2000' };
const SCOPE = process.env.CRASH_SCOPE === 'execution' ? 'execution' : 'input';
// CRASH_DEFAULT_TIMINGS=1 (stand-alone only): n8n's default lock/stalled timings, to measure them;
// the orphan then ends before n8n fails the execution, and the re-send replays it from the buffer
const DEFAULT_TIMINGS = process.env.CRASH_DEFAULT_TIMINGS === '1';
// one agent event every 9 s: the turn (7 events) runs ~60 s, so it is still running when n8n
// has failed the execution (lock 5 s + stalled check ≤ 2 s + n8n's 30 s recheck window)
const SLOW = '#slow:9000';

const sendNode = (id, sessionParams) =>
	pokeeNode(id, 'Send', {
		resource: 'message',
		operation: 'send',
		...sessionParams,
		message: '={{ $json.body.message }}',
		waitForCompletion: true,
		options: { idempotencyScope: SCOPE },
	});

/** The workflows these cases need (imported with the suite's). */
function workflows() {
	const crashNew = workflow('qCrashNew', 'queue: crash-safe turn, new session', [
		webhookNode('qCrashNew', 'q-crash-new'),
		sendNode('qCrashNew', { sessionMode: 'new', sessionOptions: { persistent: true } }),
	]);
	crashNew.settings.errorWorkflow = 'qCrashOnError';
	return [
		crashNew,
		// its error workflow: finds the session (and so the orphaned turn) the failed execution started
		workflow('qCrashOnError', 'queue: find the orphaned turn', [
			{ id: 'qCrashOnError-t', name: 'Error Trigger', type: 'n8n-nodes-base.errorTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			pokeeNode('qCrashOnError', 'Orphans', {
				resource: 'session',
				operation: 'getMany',
				returnAll: true,
				state: 'all',
				metadataFilter: '={{ JSON.stringify({ n8n_workflow_id: $json.workflow.id, n8n_execution_id: $json.execution.id }) }}',
			}),
		]),
		workflow('qCrashExisting', 'queue: crash-safe turn, existing session', [
			webhookNode('qCrashEx', 'q-crash-existing'),
			sendNode('qCrashEx', { sessionMode: 'existing', sessionId: '={{ $json.body.session }}' }),
		]),
	];
}

/** Runs fn with workers that have the short stall timings; puts the suite's workers back after. */
async function withStallWorkers(cluster, fn) {
	const fast = Object.entries(STALL_ENV).every(([k, v]) => cluster.extraEnv?.[k] === v || cluster.workerEnv?.[k] === v);
	if (fast || DEFAULT_TIMINGS) return await fn();
	const original = [...cluster.workers.keys()];
	for (const name of original) await cluster.stopWorker(name);
	await cluster.startWorker('c1', { env: STALL_ENV });
	await cluster.startWorker('c2', { env: STALL_ENV });
	try {
		return await fn();
	} finally {
		for (const name of [...cluster.workers.keys()]) await cluster.stopWorker(name).catch(() => {});
		for (const name of original) await cluster.startWorker(name);
	}
}

/** A webhook answer's body: parsed when it is JSON, else the text. */
function jsonOrText(body) {
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

const turnPosts = (fakes, message) =>
	fakes.pokee.requests.filter((r) => r.method === 'POST' && /\/messages$/.test(r.path) && r.json?.message === message);

/**
 * One crash: starts the workflow by webhook, SIGKILLs the worker running it, waits for n8n to
 * fail the execution. Resolves what happened, for the checks.
 */
async function crashOnce({ report, cluster, fakes }, { workflowId, path, body }) {
	const execs0 = (await cluster.executions(workflowId, { data: false })).map((e) => e.id);
	const turns0 = fakes.pokee.turnsStarted;
	const caller = cluster.webhook('POST', path, body).then((res) => ({ ...res, at: Date.now() }));
	// the turn has started on the fake and a worker runs the execution
	let early;
	caller.then((res) => (early = res));
	await L.waitFor('the agent turn to start', async () => {
		if (early) {
			const es = await cluster.executions(workflowId);
			throw new Error(`the webhook answered before any turn started: HTTP ${early.status} ${early.body.slice(0, 300)}\n${JSON.stringify(es.slice(-1)[0]?.data?.resultData?.error ?? es.slice(-1)[0]?.status)}`);
		}
		return turnPosts(fakes, body.message).length > 0;
	}, { timeoutMs: 60_000, intervalMs: 100 });
	const execution = await L.waitFor('the execution on a worker', async () => {
		const e = (await cluster.executions(workflowId, { data: false })).find((x) => !execs0.includes(x.id));
		const worker = e && cluster.ranBy().get(e.id)?.started[0];
		return worker ? { id: e.id, worker } : undefined;
	}, { timeoutMs: 30_000, intervalMs: 100 });
	await L.sleep(1000); // mid-stream: the worker has read the first events
	const killedAt = Date.now();
	await cluster.killWorker(execution.worker);
	report.info(`execution ${execution.id} ran on ${execution.worker}: SIGKILLed ${execution.worker} 1 s into the turn`);
	const failed = await cluster.waitExecution(execution.id, { timeoutMs: 240_000 });
	const failedAfter = (Date.now() - killedAt) / 1000;
	const answer = await caller;
	return { execution, failed, failedAfter, killedAt, answer, turns: fakes.pokee.turnsStarted - turns0 };
}

/** The turn a message started on the fake (its first POST's answer header is not logged: by message). */
function turnOf(fakes, message) {
	const posts = turnPosts(fakes, message);
	const sessionId = posts[0] && /^\/v1\/sessions\/([^/]+)\/messages$/.exec(posts[0].path)?.[1];
	const turns = [...fakes.pokee.turns.values()].filter((t) => t.sessionId === sessionId);
	return { sessionId, turn: turns[0], turns };
}

const textOf = (turn) => turn.text();

/** Checks shared by both variants, after the crash and before any recovery. */
async function checkCrash({ report, cluster, fakes }, r, message) {
	const error = r.failed.data?.resultData?.error?.message ?? '';
	report.check(
		`n8n failed execution ${r.execution.id} ${r.failedAfter.toFixed(0)} s after the SIGKILL (status ${r.failed.status}: "${error.slice(0, 80)}")`,
		r.failed.status === 'error' || r.failed.status === 'crashed',
		r.failed,
	);
	console.log(`  FIGURE crash: execution failed ${r.failedAfter.toFixed(1)} s after SIGKILL (${DEFAULT_TIMINGS ? "n8n's default timings" : 'lock 5 s, stalled check 2 s'}); webhook caller got HTTP ${r.answer.status} ${(r.answer.at - r.killedAt) / 1000 | 0} s after it`);
	const runData = r.failed.data?.resultData?.runData ?? {};
	report.info(`the failed execution stores run data of: [${Object.keys(runData).join(', ')}]; stack: ${r.failed.data?.executionData?.nodeExecutionStack?.length ?? 'none'} node(s)`);
	const { sessionId, turn } = turnOf(fakes, message);
	report.check(
		`one agent turn started (${r.turns}); ${turn && !turn.done ? 'it is still running on the fake after the execution failed (orphaned)' : 'it ended on the fake before n8n failed the execution'}`,
		r.turns === 1 && turn && (DEFAULT_TIMINGS || !turn.done),
		{ turns: r.turns, done: turn?.done },
	);
	return { sessionId, turn };
}

/** n8n's Retry of the failed execution, as the editor's "Retry with original workflow" sends it. */
async function retry({ report, cluster }, executionId) {
	const res = await cluster.rest('POST', `/rest/executions/${executionId}/retry`, { loadWorkflow: false });
	const retryId = res.body?.data?.id ? String(res.body.data.id) : undefined;
	const message = res.body?.message ?? '';
	report.info(`n8n Retry of ${executionId}: HTTP ${res.status}${retryId ? `, execution ${retryId}` : ''} ${message}`);
	const e = retryId ? await cluster.waitExecution(retryId, { timeoutMs: 240_000 }) : undefined;
	if (e) {
		const ran = Object.keys(e.data?.resultData?.runData ?? {});
		report.info(`retry execution ${retryId}: ${e.status}, nodes run: [${ran.join(', ')}], error: ${e.data?.resultData?.error?.message ?? 'none'}`);
	}
	return { res, retryId, e };
}

/** New Session: the re-sent webhook finds the session by its n8n metadata and reattaches. */
async function crashNewSession(ctx) {
	const { report, cluster, fakes } = ctx;
	await cluster.activate('qCrashNew');
	// n8n 2.x runs an error workflow only when it is published ("... is not active and cannot be executed")
	await cluster.activate('qCrashOnError');
	const message = `crash new ${Date.now()} ${SLOW}`;
	const body = { message, job: 'job-new-1' };
	await withStallWorkers(cluster, async () => {
		const r = await crashOnce(ctx, { workflowId: 'qCrashNew', path: 'q-crash-new', body });
		const { sessionId, turn } = await checkCrash(ctx, r, message);
		const session = fakes.pokee.sessions.get(sessionId);
		report.check(
			`the orphan's session records the execution that started it (metadata n8n_execution_id ${session?.metadata?.n8n_execution_id}, n8n_workflow_id ${session?.metadata?.n8n_workflow_id})`,
			SCOPE === 'execution' || (session?.metadata?.n8n_execution_id === r.execution.id && session?.metadata?.n8n_workflow_id === 'qCrashNew'),
			session?.metadata,
		);

		// n8n ran the workflow's error workflow: Session → Get Many by the n8n metadata found the orphan
		const onError = await L.waitFor('the error workflow to run', async () => {
			const es = await cluster.executions('qCrashOnError');
			const e = es.find((x) => x.mode === 'error' && !['new', 'running'].includes(x.status) && x.data?.resultData?.runData?.['Error Trigger']);
			const trig = e && L.nodeOutput({ data: e.data }, 'Error Trigger')[0]?.json;
			return trig?.execution?.id === r.execution.id ? e : undefined;
		}, { timeoutMs: 60_000, intervalMs: 500 }).catch(() => undefined);
		const found = onError ? L.nodeOutput({ data: onError.data }, 'Orphans').map((i) => i.json) : [];
		if (!onError && SCOPE === 'input') {
			const settings = (await cluster.rest('GET', '/rest/workflows/qCrashNew')).body?.data?.settings;
			const es = await cluster.executions('qCrashOnError', { data: false });
			const lines = cluster.main.log.split('\n').filter((l) => /error ?workflow|ErrorWorkflow|qCrashOnError/i.test(l)).slice(-10);
			report.info(`debug: qCrashNew settings ${JSON.stringify(settings)}; qCrashOnError executions ${JSON.stringify(es)}; main log: ${lines.join(' | ')}`);
		}
		report.check(
			`the error workflow (execution ${onError?.id}, ${onError?.status}) found the orphan's session by metadata: [${found.map((f) => `${f.id} busy=${f.busy}`).join(', ')}]`,
			SCOPE === 'execution' || (onError?.status === 'success' && found.length === 1 && found[0].id === sessionId),
			{ onError: onError && { id: onError.id, status: onError.status, error: onError.data?.resultData?.error }, found },
		);

		const turns1 = fakes.pokee.turnsStarted;
		const rt = await retry(ctx, r.execution.id);
		const sendRan = rt.e?.data?.resultData?.runData?.Send !== undefined;
		report.check(
			`n8n Retry of the failed execution: ${rt.e ? `execution ${rt.retryId} ${rt.e.status}, the Send node ${sendRan ? 'ran' : 'did not run'}` : `refused (HTTP ${rt.res.status})`}; no second turn (${fakes.pokee.turnsStarted - turns1} new)`,
			fakes.pokee.turnsStarted === turns1,
			rt,
		);

		// the webhook caller, answered with an error, sends the same request again
		const sessions0 = fakes.pokee.requests.filter((q) => q.method === 'POST' && q.path === '/v1/sessions').length;
		const again = await cluster.webhook('POST', 'q-crash-new', body);
		const out = jsonOrText(again.body);
		const turns = fakes.pokee.turnsStarted - turns1;
		const newSessions = fakes.pokee.requests.filter((q) => q.method === 'POST' && q.path === '/v1/sessions').length - sessions0;
		report.check(
			`the re-sent webhook (HTTP ${again.status}) reattached: ${turns} new turn(s), ${newSessions} new session(s), the same session and response id`,
			again.status === 200 && turns === 0 && newSessions === 0 && out?.session_id === sessionId && out?.response_id === turn?.rid,
			{ status: again.status, out, turns, newSessions, sessionId, rid: turn?.rid },
		);
		report.check(
			`its answer is the orphaned turn's exact text ("${L.expectedText(message)}"), status ${out?.status}`,
			out?.status === 'completed' && out?.response_id === turn?.rid && out?.text === L.expectedText(message) && out?.text === textOf(turn),
			out,
		);
		const [latest] = (await cluster.executions('qCrashNew', { data: false })).slice(-1);
		report.info(`the re-sent request ran as execution ${latest?.id} on ${cluster.ranBy().get(latest?.id)?.started.join(',')}`);
		console.log(`  FIGURE crash new session: ${fakes.pokee.turnsStarted - turns1 + 1} turn(s) in all for one job`);
	});
}

/** Existing session: the re-sent webhook replays the orphan instead of waiting for it and sending again. */
async function crashExistingSession(ctx) {
	const { report, cluster, fakes } = ctx;
	await cluster.activate('qCrashExisting');
	const session = fakes.pokee.createSession({ persistent: true });
	const message = `crash existing ${Date.now()} ${SLOW}`;
	const body = { message, session: session.id, job: 'job-ex-1' };
	await withStallWorkers(cluster, async () => {
		const r = await crashOnce(ctx, { workflowId: 'qCrashExisting', path: 'q-crash-existing', body });
		const { turn } = await checkCrash(ctx, r, message);
		const turns1 = fakes.pokee.turnsStarted;
		report.check(`the session is busy with the orphan (the next send would wait on 409)`, fakes.pokee.sessions.get(session.id)?.busy === true);
		const t0 = Date.now();
		const running = turn && !turn.done;
		const again = await cluster.webhook('POST', 'q-crash-existing', body);
		report.info(`the re-sent request was answered in ${((Date.now() - t0) / 1000).toFixed(1)} s (the orphan was ${running ? 'still running' : 'finished'} when it was sent)`);
		const out = jsonOrText(again.body);
		const turns = fakes.pokee.turnsStarted - turns1;
		report.check(
			`the re-sent webhook (HTTP ${again.status}) reattached to the orphan on session ${session.id}: ${turns} new turn(s), response ${out?.response_id}`,
			again.status === 200 && turns === 0 && out?.response_id === turn?.rid,
			{ status: again.status, out, turns, rid: turn?.rid },
		);
		report.check(
			`its answer is the orphaned turn's exact text, status ${out?.status}`,
			out?.status === 'completed' && out?.response_id === turn?.rid && out?.text === textOf(turn),
			out,
		);
	});
}

const CASES = {
	crashNew: ['worker SIGKILLed mid-turn (New Session): n8n Retry, the webhook re-sent, one turn', crashNewSession],
	crashExisting: ['worker SIGKILLed mid-turn (existing session): the webhook re-sent, one turn', crashExistingSession],
};

/** Stand-alone: main + 2 workers with the short stall timings, these cases only. */
async function main() {
	await runSuite({
		name: 'queue crash e2e',
		banner: `Idempotency Scope: ${SCOPE}`,
		cases: CASES,
		async setUp(ctx) {
			ctx.cluster = new QueueCluster({ dir: ctx.dir, workers: 2, concurrency: 5, workerEnv: DEFAULT_TIMINGS ? {} : STALL_ENV });
			ctx.report.section('Set up');
			await ctx.cluster.start({ credentials: L.credentialsFor(ctx.fakes), workflows: workflows() });
			ctx.report.check('main and workers up', ctx.cluster.workers.size === 2);
		},
		// a killed worker is replaced, so the next case has two again
		async afterCase({ cluster }) {
			for (let i = 1; cluster.workers.size < 2; i++) {
				if (!cluster.workers.has(`r${i}`)) await cluster.startWorker(`r${i}`, { env: DEFAULT_TIMINGS ? {} : STALL_ENV });
			}
		},
	});
}

if (require.main === module) {
	stopOnSignals('queue crash e2e');
	main();
}
module.exports = { CASES, workflows, STALL_ENV };
