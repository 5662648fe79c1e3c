'use strict';
/**
 * Shared by the end-to-end tests (test/e2e/run.js) and the demo (scripts/demo.js): the loopback
 * fakes, a real n8n (2.41.1 by default; N8N_VERSION, e.g. 1.123.81, selects another one of the
 * compatibility matrix) driven through its CLI (scripts/n8n-run.sh) and readers for what n8n
 * stored in its SQLite database.
 *
 * The fakes run inside this Node process and every n8n command is a child process started
 * asynchronously (never spawnSync): the fakes must keep answering while n8n talks to them.
 * Each child gets its own process group so cleanup() can stop it with everything it spawned
 * (n8n starts a task-runner child) by its id.
 */
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { startFakePoke } = require('../fakes/fakePoke');
const { startFakePokee, deckFile, expectedText, DEFAULT_KEY: POKEE_KEY } = require('../fakes/fakePokee');
const { startFakeChatModel } = require('../fakes/fakeChatModel');
const { packages } = require('../../scripts/packages');

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLES_DIR = path.join(ROOT, 'examples');
// the examples as 0.1.0 shipped them (one package, node types n8n-nodes-poke.*), kept verbatim
const EXAMPLES_0_1_0_DIR = path.join(ROOT, 'test/fixtures/examples-0.1.0');
// the n8n's version and folder, exported by scripts/env.sh (the scripts that run these tests
// source it)
const N8N_DIR = process.env.N8N_DIR;
const N8N_VERSION = process.env.N8N_VERSION ?? '2.41.1';
const N8N_MAJOR = Number(N8N_VERSION.split('.')[0]);
const N8N_RUN = path.join(ROOT, 'scripts/n8n-run.sh');

// Credential ids the example workflows reference (their JSON holds ids and names, never keys).
const CREDENTIALS = {
	poke: { id: 'pokeApiExample01', name: 'Poke account', type: 'pokeApi' },
	pokee: { id: 'pokeeApiExample1', name: 'Pokee account', type: 'pokeeApi' },
	openAi: { id: 'openAiExample001', name: 'OpenAI account', type: 'openAiApi' },
};

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until check() returns a truthy value (polled every intervalMs); throws after timeoutMs. */
async function waitFor(what, check, { timeoutMs = 60_000, intervalMs = 250 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await sleep(intervalMs);
	}
}

async function freePort() {
	const server = net.createServer();
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	await new Promise((resolve) => server.close(resolve));
	return port;
}

// ----- fakes -----------------------------------------------------------------------------------

/**
 * Starts the fake Poke API, Pokee API and OpenAI-compatible chat model on 127.0.0.1.
 * `pokee`: extra options for the fake Pokee (e.g. maxSessions).
 */
async function startFakes({ pokee: pokeeOptions = {} } = {}) {
	// deckMs: the #deck turn takes this long, so "send without waiting" really returns before
	// the deck exists. eventDelayMs: a small gap between streamed events, as a real stream has.
	const [poke, pokee, chat] = await Promise.all([
		startFakePoke(),
		startFakePokee({ deckMs: 3000, eventDelayMs: 2, ...pokeeOptions }),
		startFakeChatModel(),
	]);
	return {
		poke,
		pokee,
		chat,
		async close() {
			await Promise.allSettled([poke.close(), pokee.close(), chat.close()]);
		},
	};
}

/** The credentials the examples reference, pointing at the fakes (n8n encrypts them on import). */
function credentialsFor(fakes) {
	const data = {
		poke: { apiKey: fakes.poke.v2Key, baseUrl: fakes.poke.apiUrl },
		pokee: { apiKey: POKEE_KEY, baseUrl: fakes.pokee.baseUrl },
		openAi: { apiKey: fakes.chat.apiKey, url: fakes.chat.apiUrl },
	};
	return Object.entries(CREDENTIALS).map(([key, cred]) => ({ ...cred, data: data[key] }));
}

/** A package as installed in an n8n user folder: its folder and the declared files missing. */
function installedPackage(n8n, name) {
	const dir = path.join(n8n.dataDir, 'nodes/node_modules', name);
	const manifest = path.join(dir, 'package.json');
	if (!fs.existsSync(manifest)) return { dir, missing: ['package.json'] };
	const { n8n: declared } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
	const files = [...(declared?.nodes ?? []), ...(declared?.credentials ?? [])];
	return { dir, missing: files.length ? files.filter((f) => !fs.existsSync(path.join(dir, f))) : ['n8n.nodes'] };
}

function readExample(file) {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
}

/**
 * A workflow saved with 0.1.0, as users move it to the two packages: Pokee node types renamed
 * to n8n-nodes-pokee.* (pokee, pokeeTool, pokeeTrigger), nothing else touched; Poke types stay.
 * Resolves { workflow, renamed (the types changed) }.
 */
function readExample010(file) {
	const text = fs.readFileSync(path.join(EXAMPLES_0_1_0_DIR, file), 'utf8');
	const workflow = JSON.parse(text);
	const renamed = [];
	for (const node of workflow.nodes) {
		const match = /^n8n-nodes-poke\.(pokee\w*)$/.exec(node.type);
		if (match) {
			renamed.push(node.type);
			node.type = `n8n-nodes-pokee.${match[1]}`;
		}
	}
	return { workflow, renamed, original: JSON.parse(text) };
}

// ----- processes -------------------------------------------------------------------------------

const children = new Set();

/**
 * Keeps $E2E_PID_FILE listing the live children (process group ids), so the shell wrapper's EXIT
 * trap can stop them should this process die uncleanly. Only live ones: an exited child's id may
 * be reused by an unrelated process.
 */
function recordChildren() {
	const file = process.env.E2E_PID_FILE;
	if (file) fs.writeFileSync(file, [...children].map((c) => `${c.pid}\n`).join(''));
}

/**
 * Runs a command; resolves {code, stdout, stderr}. `onLine` sees stdout+stderr lines as they come
 * (used to wait for a server's log lines). The child leads its own process group.
 */
function run(command, args, { env = {}, onLine, quiet = true } = {}) {
	const child = spawn(command, args, {
		cwd: ROOT,
		env: { ...process.env, ...env },
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	children.add(child);
	recordChildren();
	// decoded as a stream: a multi-byte character split between two pipe reads stays whole (adding
	// Buffers to a string decodes each read alone, and the e2e saw "é" become two U+FFFD in a
	// 20-answer run's printed JSON)
	child.stdout.setEncoding('utf8');
	child.stderr.setEncoding('utf8');
	let stdout = '';
	let stderr = '';
	let partial = '';
	const feed = (chunk) => {
		if (!quiet) process.stderr.write(chunk);
		if (!onLine) return;
		partial += chunk;
		const lines = partial.split('\n');
		partial = lines.pop();
		for (const line of lines) onLine(line);
	};
	child.stdout.on('data', (c) => {
		stdout += c;
		feed(String(c));
	});
	child.stderr.on('data', (c) => {
		stderr += c;
		feed(String(c));
	});
	const done = new Promise((resolve) => {
		child.on('close', (code, signal) => {
			children.delete(child);
			recordChildren();
			resolve({ code: code ?? 128 + (os.constants.signals[signal] ?? 0), signal, stdout, stderr });
		});
	});
	return Object.assign(done, { child });
}

/**
 * n8n 2.41.1 sometimes dies of SIGSEGV while exiting, after its command did its work (seen in
 * about 1 of 25 `execute` runs on a busy 2-core machine, the run already printed and stored as
 * successful; n8n 2.x evaluates expressions in isolated-vm, a native module with known segfault
 * reports). Such an exit is reported as a warning and judged by what the command did: callers
 * check the printed run or the database afterwards. Any other failure stays a failure.
 */
function crashedOnExit(result, what) {
	if (result.signal !== 'SIGSEGV') return false;
	console.log(`  WARN n8n ${what}: n8n crashed with SIGSEGV while exiting; judging by what it did`);
	return true;
}

/**
 * Stops a child's whole process group: `signal` (SIGTERM by default), then SIGKILL if it is still
 * there after 10 s.
 */
async function stop(child, signal = 'SIGTERM') {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('close', resolve));
	try {
		process.kill(-child.pid, signal);
	} catch {
		return; // already gone
	}
	const timer = setTimeout(() => {
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {
			// gone meanwhile
		}
	}, 10_000);
	await exited;
	clearTimeout(timer);
}

/** Stops every child this process started. */
async function cleanup() {
	await Promise.allSettled([...children].map(stop));
}

// ----- n8n -------------------------------------------------------------------------------------

/**
 * A real n8n with its own user folder (SQLite database, installed packages, binary data).
 * `env` is added to the environment of every command of this instance (test/queue/lib.js uses it
 * for the PostgreSQL, Redis and queue-mode settings).
 */
class N8n {
	constructor(userFolder, { env = {} } = {}) {
		this.userFolder = userFolder;
		this.dataDir = path.join(userFolder, '.n8n');
		this.server = undefined;
		// the repository's own copy of the AI SDK must not be what n8n finds (hideRepoSdk.js)
		const preload = `--require ${path.join(__dirname, 'hideRepoSdk.js')}`;
		this.env = { NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' '), ...env };
	}

	/** `n8n <args>` through scripts/n8n-run.sh (Node 24, headless, loopback, no telemetry). */
	cli(args, env = {}) {
		return run(N8N_RUN, [this.userFolder, ...args], { env: { ...this.env, ...env } });
	}

	/** Runs a CLI command that must succeed; see crashedOnExit for the one tolerated failure. */
	async cliOk(args, what) {
		const result = await this.cli(args);
		if (result.code !== 0 && !crashedOnExit(result, what)) {
			throw new Error(`${what} failed (exit ${result.code}):\n${tail(result.stdout + result.stderr)}`);
		}
		return result;
	}

	/** Installs the packages (all, or those named) the way n8n installs a community package (npm pack + extract). */
	async installPackage(...names) {
		const result = await run(path.join(ROOT, 'scripts/n8n-install-package.sh'), [this.userFolder, ...names]);
		if (result.code !== 0) throw new Error(`installing the package failed:\n${tail(result.stderr)}`);
	}

	/**
	 * Installs packages (names of packages/<name>) one after the other the way the editor's
	 * Settings → Community Nodes → Install does: `POST /rest/community-packages` on a running
	 * n8n, which fetches each with npm from the loopback registry of test/e2e/registry.js (see
	 * there why a registry; it serves every package of packages/, installed or not). Resolves
	 * [{ status, body, manifest, integrity }] and `requests` (what the registry served) on the
	 * array; n8n is stopped afterwards.
	 */
	async installThroughEditor(owner, names) {
		const { startLoopbackRegistry } = require('./registry');
		fs.mkdirSync(this.userFolder, { recursive: true });
		const dir = fs.mkdtempSync(path.join(this.userFolder, 'registry-'));
		const packed = [];
		for (const pkg of packages()) packed.push(await packPackage(pkg, dir));
		const registry = await startLoopbackRegistry({ packages: packed, dir });
		try {
			await this.start({ env: registry.env });
			const cookie = await this.signIn(owner);
			const results = [];
			for (const name of names) {
				const res = await httpRequest(
					'POST',
					`http://127.0.0.1:${this.port}/rest/community-packages`,
					{ name },
					{ Cookie: cookie, 'browser-id': 'e2e-install' },
				);
				const { manifest } = packed.find((p) => p.manifest.name === name);
				results.push({ status: res.status, body: res.body, manifest, integrity: registry.integrity[name] });
			}
			return Object.assign(results, { requests: registry.requests });
		} finally {
			await this.stopServer();
			await registry.close();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}

	async importCredentials(credentials) {
		const file = this.tempFile('credentials.json', credentials);
		await this.cliOk(['import:credentials', `--input=${file}`], 'import:credentials');
		fs.rmSync(file); // it holds the (test) keys in clear text
	}

	/** Imports one workflow or an array of them (one CLI run; ids of at most 21 characters). */
	async importWorkflow(workflows) {
		const file = this.tempFile('workflows.json', workflows);
		await this.cliOk(['import:workflow', `--input=${file}`], 'import:workflow');
	}

	/** Activates a workflow: `publish:workflow` in 2.x, `update:workflow --active=true` in 1.x. */
	async publish(workflowId) {
		if (N8N_MAJOR < 2) {
			await this.cliOk(['update:workflow', `--id=${workflowId}`, '--active=true'], `update:workflow ${workflowId}`);
		} else {
			await this.cliOk(['publish:workflow', `--id=${workflowId}`], `publish:workflow ${workflowId}`);
		}
	}

	/**
	 * `n8n execute --id --rawOutput`: resolves {ok, code, run (the IRun JSON when it succeeded),
	 * output (all it printed)}. n8n exits 1 when a node fails. Its log lines share stdout with the
	 * JSON, before it and sometimes after it (e.g. "Registered runner …" when the task runner
	 * comes up late), so the JSON is cut out by its top-level braces: it is printed with two-space
	 * indentation, so they are the only lines that are exactly "{" and "}".
	 */
	async execute(workflowId) {
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput']);
		const output = result.stdout + result.stderr;
		let runData;
		const json = /^\{$[\s\S]*?^\}$/m.exec(result.stdout);
		try {
			runData = json ? JSON.parse(json[0]) : undefined;
		} catch {
			runData = undefined;
		}
		// The run's own result decides; a crash after n8n printed (and stored) it does not.
		const finished = runData?.status === 'success' && runData.finished === true;
		const ok = finished && (result.code === 0 || crashedOnExit(result, `execute --id=${workflowId}`));
		return { ok, code: result.code, run: runData, output };
	}

	/**
	 * `n8n start` on a free port; resolves once /healthz/readiness and the REST API (/rest/settings)
	 * answer 200: n8n 1.x reports ready before it has mounted its REST routes (they answer 404
	 * for a few seconds). `onLine` sees every log line as it comes; `env` adds to the instance's
	 * own environment; `echo` also copies n8n's log to stderr (npm run dev).
	 */
	async start({ port, echo = false, env = {}, onLine } = {}) {
		this.port = port ?? (await freePort());
		this.log = '';
		const proc = run(N8N_RUN, [this.userFolder, 'start'], {
			env: { ...this.env, ...env, N8N_PORT: String(this.port) },
			quiet: !echo,
			onLine: (line) => {
				this.log += `${line}\n`;
				onLine?.(line);
			},
		});
		this.server = proc.child;
		let exited = false;
		proc.then(() => (exited = true));
		await waitFor(
			'n8n to be ready',
			async () => {
				if (exited) throw new Error(`n8n start exited:\n${tail(this.log)}`);
				const base = `http://127.0.0.1:${this.port}`;
				return (
					(await httpGet(`${base}/healthz/readiness`)).status === 200 &&
					(await httpGet(`${base}/rest/settings`)).status === 200
				);
			},
			{ timeoutMs: 120_000, intervalMs: 300 },
		);
		return this.port;
	}

	/** Signs in as the owner (setting it up on a fresh instance); resolves the session cookie. */
	signIn(owner) {
		return signIn(`http://127.0.0.1:${this.port}`, owner);
	}

	async stopServer(signal = 'SIGTERM') {
		if (this.server) await stop(this.server, signal);
		this.server = undefined;
	}

	tempFile(name, content) {
		const file = path.join(this.userFolder, name);
		fs.writeFileSync(file, JSON.stringify(content, null, 2));
		return file;
	}

	// ----- what n8n stored -----

	/** Rows of a query on n8n's SQLite database (read with n8n's own sqlite3 build). */
	async query(sql, params = []) {
		const sqlite3 = require(path.join(N8N_DIR, 'node_modules/sqlite3'));
		const db = new sqlite3.Database(path.join(this.dataDir, 'database.sqlite'), sqlite3.OPEN_READONLY);
		try {
			return await new Promise((resolve, reject) =>
				db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows))),
			);
		} finally {
			await new Promise((resolve) => db.close(resolve));
		}
	}

	/** Executions of a workflow, oldest first, with their run data decoded (n8n stores "flatted"). */
	/** Runs a workflow (as execute does) and reads back the execution n8n stored for it. */
	async executeStored(workflowId) {
		const result = await this.execute(workflowId);
		const stored = (await this.executions(workflowId)).at(-1);
		return { result, stored };
	}

	async executions(workflowId) {
		const { parse } = require(path.join(N8N_DIR, 'node_modules/flatted'));
		const rows = await this.query(
			`SELECT e.id, e.status, e.mode, d.data FROM execution_entity e
			 JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? ORDER BY e.id`,
			[workflowId],
		);
		return rows.map((row) => ({ id: row.id, status: row.status, mode: row.mode, data: parse(row.data) }));
	}

	/**
	 * The bytes of a binary-data entry of an item: inline base64, or (n8n 2.x default) a file
	 * under <user folder>/.n8n/storage named by the id "filesystem-v2:<relative path>".
	 */
	binaryBytes(binary) {
		if (!binary.id) return Buffer.from(binary.data, 'base64');
		const [mode, fileId] = binary.id.split(/:(.*)/s);
		if (!mode.startsWith('filesystem')) throw new Error(`unexpected binary data mode ${mode}`);
		return fs.readFileSync(path.join(this.dataDir, 'storage', fileId));
	}

	/** Whether `needle` occurs anywhere in n8n's database files (main file, WAL, journal). */
	databaseContains(needle) {
		const files = fs.readdirSync(this.dataDir).filter((f) => f.startsWith('database.sqlite'));
		return files.filter((f) => fs.readFileSync(path.join(this.dataDir, f)).includes(needle));
	}
}

/** `npm pack` of a package of packages/ (built first when its dist/ is missing) into dir: { tarball, manifest }. */
async function packPackage(pkg, dir) {
	if (!fs.existsSync(path.join(pkg.dir, 'dist'))) {
		const built = await run('npm', ['run', 'build', '--silent']);
		if (built.code !== 0) throw new Error(`npm run build failed:\n${tail(built.stdout + built.stderr)}`);
	}
	const packed = await run('npm', ['pack', pkg.dir, '--pack-destination', dir, '--loglevel=error']);
	if (packed.code !== 0) throw new Error(`npm pack failed:\n${tail(packed.stderr)}`);
	const tarball = path.join(dir, packed.stdout.trim().split('\n').pop());
	return { tarball, manifest: pkg.manifest };
}

// ----- run data ----------------------------------------------------------------------------------

/** The output items (json + binary) of a node's last run in an IRun, or [] when it did not run. */
function nodeOutput(runData, nodeName) {
	const runs = runData?.data?.resultData?.runData?.[nodeName] ?? runData?.resultData?.runData?.[nodeName];
	const last = runs?.[runs.length - 1];
	return last?.data?.main?.[0] ?? [];
}

function nodeError(runData, nodeName) {
	const runs = runData?.data?.resultData?.runData?.[nodeName] ?? runData?.resultData?.runData?.[nodeName];
	return runs?.[runs.length - 1]?.error;
}

/** A small HTTP client: resolves {status, body}; status 0 when the connection failed. */
function httpRequest(method, url, json, headers = {}) {
	return new Promise((resolve) => {
		const body = json === undefined ? undefined : JSON.stringify(json);
		const all = { ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers };
		const req = http.request(url, { method, headers: all }, (res) => {
			let text = '';
			// decoded as a stream: a character split across two chunks stays whole
			res.setEncoding('utf8');
			res.on('data', (c) => (text += c));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
		});
		req.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
		req.end(body);
	});
}

/**
 * Signs in to the n8n at `baseUrl` as its owner: sets the owner up on a fresh instance (what the
 * editor's first-run form does), logs in when that was done before. Resolves the session cookie
 * ("n8n-auth=…").
 */
async function signIn(baseUrl, owner) {
	let res = await httpRequest('POST', `${baseUrl}/rest/owner/setup`, owner);
	if (res.status !== 200) {
		res = await httpRequest('POST', `${baseUrl}/rest/login`, { emailOrLdapLoginId: owner.email, password: owner.password });
	}
	const cookie = /n8n-auth=[^;]+/.exec([].concat(res.headers['set-cookie'] ?? []).join('\n'))?.[0];
	if (res.status !== 200 || !cookie) throw new Error(`signing in as ${owner.email}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
	return cookie;
}
const httpGet = (url) => httpRequest('GET', url);

const tail = (text, lines = 40) => String(text).trimEnd().split('\n').slice(-lines).join('\n');

/** Writes a log into $E2E_LOG_DIR (when set) for a failure's post-mortem; returns its path. */
function saveLog(name, text) {
	const dir = process.env.E2E_LOG_DIR;
	if (!dir) return undefined;
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `${name}-${Date.now()}.log`);
	fs.writeFileSync(file, text);
	return file;
}

/**
 * What explains a failed n8n command: its log lines that mention an error (n8n prints the whole
 * run data as JSON too, which would bury them), then its last lines.
 */
function errorLines(output) {
	const lines = String(output).split('\n');
	const errors = lines.filter((l) => /error|fail|exception|EADDRINUSE|SQLITE/i.test(l) && !/^\s+"/.test(l));
	return [...errors.slice(0, 20), '…', ...lines.slice(-15)].join('\n');
}

function tempUserFolder(prefix = 'n8n-poke-e2e-') {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

module.exports = {
	N8N_VERSION,
	N8N_MAJOR,
	POKEE_KEY,
	N8N_RUN,
	N8n,
	run,
	stop,
	freePort,
	sleep,
	signIn,
	httpRequest,
	startFakes,
	credentialsFor,
	installedPackage,
	readExample,
	readExample010,
	deckFile,
	expectedText,
	nodeOutput,
	nodeError,
	cleanup,
	waitFor,
	sha256,
	tail,
	errorLines,
	saveLog,
	tempUserFolder,
};
