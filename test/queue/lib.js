'use strict';
/**
 * n8n in queue mode, for the queue-mode e2e suite (test/queue/run.js), scripts/queue.sh and the
 * queue benchmark (bench/lib/queue.js): PostgreSQL + Redis + one n8n main + N `n8n worker`s,
 * everything on 127.0.0.1 ports of our own, all data in one temporary folder.
 *
 * Built on test/e2e/lib.js (N8n, run/stop with process groups, fakes, signIn): every process is
 * a child started through lib.run, so lib.cleanup() (and the shell wrappers' EXIT traps, through
 * $E2E_PID_FILE) stop them all.
 *
 * - PostgreSQL: Debian's (`/usr/lib/postgresql/<v>/bin`, newest installed). It refuses to run as
 *   root, so as root initdb and postgres run as the `postgres` system user (runuser); otherwise
 *   as the current user. fsync off (test data), TCP only (no Unix socket).
 * - Redis: Debian's `redis-server`, append-only file on (so a restarted Redis keeps its queue, as
 *   a production Redis would), no RDB snapshots.
 * - n8n: each process has its own user folder (the community package installed into each, as on
 *   separate machines), the same N8N_ENCRYPTION_KEY, DB_* and QUEUE_BULL_REDIS_*; distinct HTTP,
 *   task-broker and worker health ports. EXECUTIONS_MODE=queue; binary data mode is left at
 *   n8n 2.41's queue-mode default, `database` (n8n-core/dist/binary-data/binary-data.config.js:
 *   `mode ??= executions.mode === 'queue' ? 'database' : 'filesystem'`), and stated explicitly.
 *   OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true, so runs started from the REST API (the editor's
 *   "Execute workflow") go to the workers too.
 * - Which worker ran what: each worker is named (w1, w2, …) by us; n8n logs
 *   "Worker started execution <id> (job <n>)" / "Worker finished execution <id> (job <n>)"
 *   (n8n/dist/scaling/job-processor.js) on the worker that ran it; ranBy() reads those lines.
 *   (n8n's own worker id, instanceSettings.hostId, is "worker-<random nanoid>" outside Docker and
 *   cannot be set, so the name is ours.)
 *
 * Timing knobs (env of the workers and the main; names from @n8n/config ScalingModeConfig):
 *   QUEUE_WORKER_LOCK_DURATION (ms, default 60000): how long a job's lock lives without renewal;
 *   QUEUE_WORKER_LOCK_RENEW_TIME (ms, default 10000): how often a live worker renews it;
 *   QUEUE_WORKER_STALLED_INTERVAL (ms, default 30000): how often a worker checks for jobs whose
 *     lock expired (stalled). A SIGKILLed worker's job is detected after lock duration +
 *     up to one stalled interval; with n8n's maxStalledCount 0 the job then fails
 *     ("... failed to be processed too many times"). Pass e.g. {QUEUE_WORKER_LOCK_DURATION:
 *     '5000', QUEUE_WORKER_LOCK_RENEW_TIME: '1000', QUEUE_WORKER_STALLED_INTERVAL: '2000'} as
 *     `env` to make that fast in a test.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const L = require('../e2e/lib');

// the pinned n8n (scripts/env.sh exports it; its pg and flatted modules read the database)
const N8N_DIR = process.env.N8N_DIR || path.resolve(__dirname, '../../.cache/n8n-2.41.1');
const ENCRYPTION_KEY = 'n8n-nodes-poke-queue-test-only-key';
/** The instance owner for REST calls (test-only values). */
const OWNER = { email: 'queue@example.com', firstName: 'Queue', lastName: 'Owner', password: 'Queue-pass-1234' };

/** Debian's PostgreSQL binaries folder (the newest version installed). */
function postgresBin() {
	const base = '/usr/lib/postgresql';
	const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => /^\d+$/.test(v)) : [];
	versions.sort((a, b) => Number(b) - Number(a));
	const dir = versions.map((v) => path.join(base, v, 'bin')).find((d) => fs.existsSync(path.join(d, 'postgres')));
	if (!dir) throw new Error('PostgreSQL not found under /usr/lib/postgresql (apt-get install -y postgresql)');
	return dir;
}

const isRoot = () => process.getuid?.() === 0;
/** A command as the postgres system user when we are root (PostgreSQL refuses root). */
const asPostgres = (cmd, args) => (isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);

class QueueCluster {
	/**
	 * @param {object} o
	 * @param {string} o.dir        a fresh folder for everything (the caller removes it)
	 * @param {number} [o.workers]  how many workers start() starts (default 2)
	 * @param {number} [o.concurrency] each worker's --concurrency (default 5)
	 * @param {object} [o.env]      extra env for every n8n process (e.g. the timing knobs above)
	 * @param {object} [o.workerEnv] extra env for the workers only
	 * @param {(line: string, who: string) => void} [o.onLine] sees every n8n log line
	 */
	constructor({ dir, workers = 2, concurrency = 5, env = {}, workerEnv = {}, onLine } = {}) {
		this.dir = dir;
		this.workerCount = workers;
		this.concurrency = concurrency;
		this.extraEnv = env;
		this.workerEnv = workerEnv;
		this.onLine = onLine;
		this.workers = new Map(); // name -> {n8n, proc, log, pid, healthPort}
		this.runs = []; // {worker, executionId, event: 'started'|'finished', at}
		this.pg = undefined;
		this.redis = undefined;
	}

	// ----- PostgreSQL ------------------------------------------------------------------------

	async startPostgres() {
		const bin = postgresBin();
		this.pgVersion = path.basename(path.dirname(bin));
		const data = path.join(this.dir, 'postgres');
		if (!this.pgPort) {
			this.pgPort = await L.freePort();
			fs.mkdirSync(data, { mode: 0o700 });
			if (isRoot()) {
				fs.chmodSync(this.dir, 0o711); // the postgres user must reach its folder
				execFileSync('chown', ['postgres:postgres', data]);
			}
			const [cmd, args] = asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
			const init = await L.run(cmd, args);
			if (init.code !== 0) throw new Error(`initdb failed:\n${L.tail(init.stdout + init.stderr)}`);
		}
		const [cmd, args] = asPostgres(path.join(bin, 'postgres'), [
			'-D', data, '-p', String(this.pgPort), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=',
			'-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
		]);
		let log = '';
		const proc = L.run(cmd, args, { onLine: (l) => (log += `${l}\n`) });
		this.pg = { proc, child: proc.child, log: () => log };
		await L.waitFor('PostgreSQL to accept connections', async () => {
			if (proc.child.exitCode !== null) throw new Error(`postgres exited:\n${L.tail(log)}`);
			try {
				await this.query('SELECT 1', [], 'postgres');
				return true;
			} catch {
				return false;
			}
		}, { timeoutMs: 60_000, intervalMs: 200 });
		const exists = await this.query("SELECT 1 FROM pg_database WHERE datname = 'n8n'", [], 'postgres');
		if (!exists.length) await this.query('CREATE DATABASE n8n', [], 'postgres');
	}

	async stopPostgres() {
		// SIGINT = PostgreSQL's "fast" shutdown (SIGTERM would wait for clients to disconnect)
		if (this.pg) await L.stop(this.pg.child, 'SIGINT');
		this.pg = undefined;
	}

	/** A connected client of n8n's own `pg` module on the cluster's PostgreSQL (the caller ends it). */
	async pgClient(database = 'n8n') {
		const { Client } = require(path.join(N8N_DIR, 'node_modules/pg'));
		const client = new Client({ host: '127.0.0.1', port: this.pgPort, user: 'postgres', database });
		await client.connect();
		return client;
	}

	/** Rows of a query on n8n's PostgreSQL database (with n8n's own `pg` client). */
	async query(sql, params = [], database = 'n8n') {
		const client = await this.pgClient(database);
		try {
			return (await client.query(sql, params)).rows;
		} finally {
			await client.end().catch(() => {});
		}
	}

	/** Executions of a workflow (all when omitted), oldest first, with their run data decoded. */
	async executions(workflowId, { data = true } = {}) {
		const { parse } = require(path.join(N8N_DIR, 'node_modules/flatted'));
		const rows = await this.query(
			`SELECT e.id, e.status, e.mode, e.finished, e."workflowId", e."retryOf", e."startedAt", e."stoppedAt"
			 ${data ? ', d.data' : ''}
			 FROM execution_entity e ${data ? 'LEFT JOIN execution_data d ON d."executionId" = e.id' : ''}
			 ${workflowId ? 'WHERE e."workflowId" = $1' : ''} ORDER BY e.id`,
			workflowId ? [workflowId] : [],
		);
		return rows.map((r) => ({ ...r, id: String(r.id), data: data && r.data ? parse(r.data) : undefined }));
	}

	async execution(id) {
		const { parse } = require(path.join(N8N_DIR, 'node_modules/flatted'));
		const [row] = await this.query(
			`SELECT e.id, e.status, e.mode, e."workflowId", e."retryOf", d.data FROM execution_entity e
			 LEFT JOIN execution_data d ON d."executionId" = e.id WHERE e.id = $1`,
			[Number(id)],
		);
		return row && { ...row, id: String(row.id), data: row.data ? parse(row.data) : undefined };
	}

	/** Waits until execution `id` has ended (not new/running/waiting); resolves it. */
	waitExecution(id, { timeoutMs = 120_000 } = {}) {
		return L.waitFor(`execution ${id} to end`, async () => {
			const e = await this.execution(id);
			return e && !['new', 'running', 'waiting', 'unknown'].includes(e.status) ? e : undefined;
		}, { timeoutMs, intervalMs: 300 });
	}

	// ----- Redis -----------------------------------------------------------------------------

	async startRedis() {
		const data = path.join(this.dir, 'redis');
		fs.mkdirSync(data, { recursive: true });
		this.redisPort ??= await L.freePort();
		let log = '';
		const proc = L.run('redis-server', [
			'--port', String(this.redisPort), '--bind', '127.0.0.1', '--dir', data, '--daemonize', 'no',
			'--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'yes',
		], { onLine: (l) => (log += `${l}\n`) });
		this.redis = { proc, child: proc.child, log: () => log };
		await L.waitFor('Redis to accept connections', async () => {
			if (proc.child.exitCode !== null) throw new Error(`redis-server exited:\n${L.tail(log)}`);
			return /Ready to accept connections/.test(log);
		}, { timeoutMs: 30_000, intervalMs: 100 });
	}

	/** SIGTERM: Redis writes its append-only file and exits (n8n sees the connection drop). */
	async stopRedis(signal = 'SIGTERM') {
		if (this.redis) await L.stop(this.redis.child, signal);
		this.redis = undefined;
	}

	/** Stops Redis, waits `downMs`, starts it again on the same port with the same data. */
	async restartRedis({ downMs = 1000, signal = 'SIGTERM' } = {}) {
		await this.stopRedis(signal);
		await L.sleep(downMs);
		await this.startRedis();
	}

	// ----- n8n -------------------------------------------------------------------------------

	/** The environment every n8n process of the cluster shares. */
	env() {
		return {
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			EXECUTIONS_MODE: 'queue',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.pgPort),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(this.redisPort),
			N8N_DEFAULT_BINARY_DATA_MODE: 'database',
			// n8n 3.0 removes it (manual executions always go to the workers there): harmless to set
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			N8N_LOG_LEVEL: 'info',
			N8N_RUNNERS_BROKER_PORT: '', // each process sets its own below
			...this.extraEnv,
		};
	}

	/**
	 * Sets up the database and every user folder: installs the package (once, copied to the other
	 * folders), imports credentials and workflows through the main's CLI. `packageFrom`: 'tarball'
	 * (scripts/n8n-install-package.sh: npm pack of dist/, built first if missing) or 'sources'.
	 */
	async prepare({ credentials = [], workflows = [], packageFrom = 'tarball' } = {}) {
		this.mainPort ??= await L.freePort();
		this.main = new L.N8n(path.join(this.dir, 'main'), { env: this.env() });
		fs.mkdirSync(this.main.userFolder, { recursive: true });
		if (packageFrom === 'sources') {
			// built from the TypeScript sources into the user folder only (bench/lib/n8nPackage.js)
			await require('../../bench/lib/n8nPackage').installPackage(this.main.userFolder);
		} else {
			// npm pack of the built package, as n8n installs a community package
			await this.main.installPackage();
		}
		if (credentials.length) await this.main.importCredentials(credentials);
		if (workflows.length) await this.main.importWorkflow(workflows);
	}

	/** A worker's user folder: the main's installed package copied in. */
	workerFolder(name) {
		const folder = path.join(this.dir, name);
		if (!fs.existsSync(folder)) {
			fs.mkdirSync(path.join(folder, '.n8n'), { recursive: true });
			fs.cpSync(path.join(this.main.dataDir, 'nodes'), path.join(folder, '.n8n', 'nodes'), { recursive: true });
		}
		return folder;
	}

	async startMain() {
		this.main.env = { ...this.env(), N8N_RUNNERS_BROKER_PORT: String(await L.freePort()) };
		await this.main.start({ port: this.mainPort, onLine: (l) => this.onLine?.(l, 'main') });
		this.baseUrl = `http://127.0.0.1:${this.mainPort}`;
		this.cookie = await this.main.signIn(OWNER);
	}

	/** SIGTERM (n8n shuts down gracefully) or SIGKILL; then starts it again on the same port. */
	async restartMain({ signal = 'SIGTERM' } = {}) {
		await this.stopMain(signal);
		await this.startMain();
	}

	async stopMain(signal = 'SIGTERM') {
		await this.main.stopServer(signal);
	}

	/** Starts worker `name` (default w1, w2, …); resolves once its health endpoint answers. */
	async startWorker(name = `w${this.workers.size + 1}`, { concurrency = this.concurrency, env = {} } = {}) {
		const folder = this.workerFolder(name);
		const healthPort = await L.freePort();
		const w = { name, healthPort, log: '', concurrency };
		const proc = L.run(L.N8N_RUN, [folder, 'worker', `--concurrency=${concurrency}`], {
			env: {
				...this.env(),
				...this.workerEnv,
				...env,
				N8N_RUNNERS_BROKER_PORT: String(await L.freePort()),
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(healthPort),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			},
			onLine: (line) => {
				w.log += `${line}\n`;
				const m = /Worker (started|finished) execution (\d+) \(job (\w+)\)/.exec(line);
				if (m) this.runs.push({ worker: name, event: m[1], executionId: m[2], job: m[3], at: Date.now() });
				this.onLine?.(line, name);
			},
		});
		w.proc = proc;
		w.child = proc.child;
		w.pid = proc.child.pid;
		this.workers.set(name, w);
		await L.waitFor(`worker ${name} to be ready`, async () => {
			if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`worker ${name} exited:\n${L.tail(w.log)}`);
			return (await L.httpRequest('GET', `http://127.0.0.1:${healthPort}/healthz/readiness`)).status === 200;
		}, { timeoutMs: 120_000, intervalMs: 300 });
		return w;
	}

	/**
	 * The PID of the worker's n8n node process itself (the child leads a process group made of
	 * scripts/n8n-run.sh, which execs n8n, and n8n's task-runner child: exec keeps the PID).
	 */
	workerPid(name) {
		return this.worker(name).pid;
	}

	worker(name) {
		const w = this.workers.get(name);
		if (!w) throw new Error(`no worker ${name}`);
		return w;
	}

	/** SIGKILL to the worker's n8n process and its task runner (the whole group), like a crash. */
	async killWorker(name, signal = 'SIGKILL') {
		const w = this.worker(name);
		await L.stop(w.child, signal);
		this.workers.delete(name);
		return w;
	}

	/** Graceful stop (SIGTERM: n8n waits up to QUEUE_WORKER_TIMEOUT s for running jobs). */
	stopWorker(name) {
		return this.killWorker(name, 'SIGTERM');
	}

	/** Memory of a worker's n8n process from /proc: {rssKiB, hwmKiB} (VmRSS, VmHWM). */
	workerMemory(name) {
		return procMemory(this.workerPid(name));
	}

	/** Which worker started/finished which execution, from the workers' own log lines. */
	ranBy() {
		const map = new Map();
		for (const r of this.runs) {
			const e = map.get(r.executionId) ?? { started: [], finished: [] };
			e[r.event].push(r.worker);
			map.set(r.executionId, e);
		}
		return map;
	}

	/** Starts PostgreSQL, Redis, prepares the folders, starts the main and the workers. */
	async start({ credentials, workflows, packageFrom } = {}) {
		await this.startPostgres();
		await this.startRedis();
		await this.prepare({ credentials, workflows, packageFrom });
		await this.startMain();
		for (let i = 1; i <= this.workerCount; i++) await this.startWorker(`w${i}`);
	}

	/** Stops everything: workers, main, Redis, PostgreSQL. */
	async close() {
		await Promise.allSettled([...this.workers.values()].map((w) => L.stop(w.child)));
		this.workers.clear();
		if (this.main) await this.main.stopServer().catch(() => {});
		await this.stopRedis().catch(() => {});
		await this.stopPostgres().catch(() => {});
	}

	// ----- REST ------------------------------------------------------------------------------

	/** A call to the main's REST API as the owner; resolves {status, body (parsed when JSON)}. */
	async rest(method, url, json) {
		const res = await L.httpRequest(method, `${this.baseUrl}${url}`, json, { Cookie: this.cookie, 'browser-id': 'queue-test' });
		let body = res.body;
		try {
			body = JSON.parse(res.body);
		} catch {
			// not JSON
		}
		return { status: res.status, headers: res.headers, body };
	}

	/**
	 * Runs a workflow as the editor's "Execute workflow" does (POST /rest/workflows/<id>/run); with
	 * OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true the main enqueues it for a worker. Resolves the id.
	 */
	async runManually(workflowId, triggerName) {
		const res = await this.rest('POST', `/rest/workflows/${workflowId}/run`, {
			...(triggerName ? { triggerToStartFrom: { name: triggerName } } : {}),
		});
		const id = res.body?.data?.executionId;
		if (res.status !== 200 || !id) throw new Error(`running ${workflowId}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
		return String(id);
	}

	/** Publishes (activates) a workflow through the REST API, so the main registers its webhooks/triggers. */
	async activate(workflowId) {
		const wf = await this.rest('GET', `/rest/workflows/${workflowId}`);
		const versionId = wf.body?.data?.versionId;
		const res = await this.rest('POST', `/rest/workflows/${workflowId}/activate`, { versionId });
		if (res.status !== 200) throw new Error(`activating ${workflowId}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
		// n8n 2.41 publishes in the background ("in_progress"); webhooks answer 404 until it is done
		return await L.waitFor(`${workflowId} to be published`, async () => {
			const st = (await this.rest('GET', `/rest/workflows/${workflowId}/publication-status`)).body?.data;
			if (st?.status === 'in_progress') return undefined;
			if (!st?.liveVersionId) throw new Error(`publishing ${workflowId}: ${JSON.stringify(st)}`);
			return st;
		}, { timeoutMs: 60_000, intervalMs: 250 });
	}

	/** Calls a production webhook on the main. */
	webhook(method, webhookPath, json, headers = {}) {
		return L.httpRequest(method, `${this.baseUrl}/webhook/${webhookPath}`, json, headers);
	}
}

function procMemory(pid) {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
	return { rssKiB: kb('VmRSS'), hwmKiB: kb('VmHWM') };
}

/** Resets a process's VmHWM to its current RSS (Linux: write 5 to /proc/<pid>/clear_refs). */
function resetPeakRss(pid) {
	try {
		fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
		return true;
	} catch {
		return false;
	}
}

function tempDir(prefix = 'n8n-poke-queue-') {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

module.exports = { QueueCluster, OWNER, ENCRYPTION_KEY, procMemory, resetPeakRss, tempDir, postgresBin };
