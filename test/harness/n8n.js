'use strict';
/**
 * Runs this package's nodes through n8n's real execution engine (n8n-core's WorkflowExecute,
 * ExecuteContext/PollContext and their HTTP and binary-data helpers), so tests exercise the path
 * node code -> n8n helpers -> HTTP -> loopback fake. Only the credential store is replaced: it
 * hands the node the credential data given by the test and applies the credential's declared
 * `authenticate` block the way n8n does.
 *
 * Nodes are loaded from the TypeScript sources under jest (ts-jest) or from dist/ elsewhere
 * (benchmarks): set N8N_POKE_FROM_DIST=1 for the latter.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

if (!process.env.N8N_USER_FOLDER) {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-poke-harness-'));
	process.env.N8N_USER_FOLDER = folder;
	// binary data of the runs lands here: remove it with the process, and under jest when the
	// test file is done (jest's workers do not always run 'exit' handlers)
	const remove = () => fs.rmSync(folder, { recursive: true, force: true });
	process.on('exit', remove);
	if (typeof afterAll === 'function') afterAll(remove);
}
process.env.N8N_DEFAULT_BINARY_DATA_MODE = process.env.N8N_DEFAULT_BINARY_DATA_MODE || 'filesystem';
process.env.N8N_ENCRYPTION_KEY = process.env.N8N_ENCRYPTION_KEY || 'harness-encryption-key';
// n8n's engine logs every failed node; the tests assert on those errors themselves
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL || 'silent';

require('reflect-metadata');
// n8n-core may carry its own copy of the DI container: use the one it registers services in.
const { Container } = require(require.resolve('@n8n/di', { paths: [path.dirname(require.resolve('n8n-core'))] }));
const core = require('n8n-core');
const { Workflow, ICredentialsHelper } = require('n8n-workflow');

const ROOT = path.resolve(__dirname, '../..');
const FROM_DIST = process.env.N8N_POKE_FROM_DIST === '1';
const { typeName, shortName } = require('./nodeTypes');

function load(relative, exportName) {
	const file = FROM_DIST
		? path.join(ROOT, 'dist', `${relative}.js`)
		: path.join(ROOT, `${relative}.ts`);
	return new (require(file)[exportName])();
}

const NODE_SOURCES = {
	poke: ['nodes/Poke/Poke.node', 'Poke'],
	pokee: ['nodes/Pokee/Pokee.node', 'Pokee'],
	pokeeTrigger: ['nodes/PokeeTrigger/PokeeTrigger.node', 'PokeeTrigger'],
	pokeeChatModel: ['nodes/PokeeChatModel/PokeeChatModel.node', 'PokeeChatModel'],
};
const CREDENTIAL_SOURCES = {
	pokeApi: ['credentials/PokeApi.credentials', 'PokeApi'],
	pokeeApi: ['credentials/PokeeApi.credentials', 'PokeeApi'],
};

const cache = { nodes: {}, credentials: {} };
function nodeType(short) {
	if (!cache.nodes[short]) {
		const source = NODE_SOURCES[short];
		if (!source) throw new Error(`unknown node ${short}`);
		cache.nodes[short] = load(...source);
	}
	return cache.nodes[short];
}
/** Every [resource, operation] an action node declares (from its Operation parameters). */
function declaredOperations(short) {
	const out = [];
	for (const p of nodeType(short).description.properties.filter((x) => x.name === 'operation')) {
		for (const resource of p.displayOptions.show.resource) {
			for (const o of p.options) out.push([resource, o.value]);
		}
	}
	return out;
}
function credentialType(name) {
	if (!cache.credentials[name]) cache.credentials[name] = load(...CREDENTIAL_SOURCES[name]);
	return cache.credentials[name];
}

const nodeTypes = {
	getByName(name) {
		return nodeType(shortName(name) ?? name);
	},
	getByNameAndVersion(name) {
		return nodeType(shortName(name) ?? name);
	},
	getKnownTypes() {
		return {};
	},
};

/** Resolves "={{$credentials.x}}"-style values of a generic authenticate block. */
function resolveCredentialExpression(value, credentials) {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	return value
		.slice(1)
		.replace(/\{\{\s*\$credentials\.([A-Za-z0-9_]+)\s*\}\}/g, (_m, key) => String(credentials[key] ?? ''));
}

class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(store) {
		super();
		this.store = store;
	}
	getParentTypes() {
		return [];
	}
	async authenticate(credentials, typeName, requestOptions) {
		const type = credentialType(typeName);
		const auth = type.authenticate;
		if (typeof auth === 'function') return await auth(credentials, requestOptions);
		if (auth && auth.type === 'generic') {
			const out = { ...requestOptions };
			for (const where of ['headers', 'qs', 'body']) {
				const props = auth.properties[where];
				if (!props) continue;
				out[where] = { ...(out[where] || {}) };
				for (const [k, v] of Object.entries(props)) {
					out[where][k] = resolveCredentialExpression(v, credentials);
				}
			}
			return out;
		}
		return requestOptions;
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	getCredentialsProperties(type) {
		return credentialType(type).properties;
	}
	async getDecrypted(_additionalData, _nodeCredentials, type) {
		const data = this.store[type];
		if (!data) throw new Error(`no credential of type ${type} in this test`);
		return { ...data };
	}
	async getCredentials() {
		throw new Error('not used');
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getOAuth2Options() {
		return undefined;
	}
	isCredentialUsableByNode() {
		return true;
	}
}

/** Every run gets its own execution id, as in n8n. */
let executionCounter = 0;

let binaryReady;
async function ensureBinaryData() {
	if (!binaryReady) {
		binaryReady = Container.get(core.BinaryDataService).init();
	}
	await binaryReady;
}

function makeNode(type, parameters, credentials, extra = {}) {
	const node = {
		id: 'c0ffee00-0000-4000-8000-000000000001',
		name: extra.name || type,
		type: typeName(type),
		typeVersion: extra.typeVersion ?? 1,
		position: [0, 0],
		parameters,
		...(extra.continueOnFail ? { onError: 'continueRegularOutput' } : {}),
		// n8n's Retry On Fail: the engine reruns the node in the same execution (same run index)
		...(extra.retry ? { retryOnFail: true, maxTries: extra.retry.maxTries, waitBetweenTries: extra.retry.waitBetweenTries ?? 10 } : {}),
	};
	const description = nodeType(type).description;
	if (description.credentials && description.credentials.length) {
		node.credentials = {};
		for (const c of description.credentials) {
			if (credentials[c.name]) node.credentials[c.name] = { id: `cred-${c.name}`, name: c.name };
		}
	}
	return node;
}

function additionalData(hooks, credentials, extra = {}) {
	const base = {
		hooks,
		credentialsHelper: new HarnessCredentialsHelper(credentials),
		executionId: extra.executionId || '1',
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		variables: {},
		currentNodeParameters: undefined,
		streamingEnabled: extra.streaming === true,
		setExecutionStatus() {},
		sendDataToUI() {},
		async getRunExecutionData() {
			return undefined;
		},
		async executeWorkflow() {
			throw new Error('not supported in the harness');
		},
	};
	return base;
}

/**
 * Runs one action node on the given input items through WorkflowExecute.
 * Returns { items, error, status, chunks, run } where items are the node's main output.
 * `onStart(cancel)` gets a function that stops the execution (as the Stop button does) on
 * demand, e.g. from a timer.
 * `retry: {maxTries, waitBetweenTries?}` turns on the node's Retry On Fail (n8n clamps maxTries
 * to 2–5 and waitBetweenTries to 0–5000 ms, 0 meaning 1000; 10 ms by default here).
 * `failChunks` makes the chat stream's handler throw on every chunk (with `streaming`).
 */
async function runNode({
	type,
	parameters,
	credentials = {},
	items = [{ json: {} }],
	continueOnFail = false,
	mode = 'manual',
	streaming = false,
	onStart,
	retry,
	failChunks = false,
	typeVersion = 1,
}) {
	await ensureBinaryData();
	const node = makeNode(type, parameters, credentials, { continueOnFail, retry, typeVersion });
	const workflow = new Workflow({
		id: 'harness',
		name: 'harness',
		nodes: [node],
		connections: {},
		nodeTypes,
		active: false,
		settings: {},
	});
	const executionId = String(++executionCounter);
	const hooks = new core.ExecutionLifecycleHooks(mode, executionId, {
		id: 'harness',
		name: 'harness',
		nodes: [node],
		connections: {},
		active: false,
		settings: {},
		createdAt: new Date(),
		updatedAt: new Date(),
	});
	const chunks = [];
	if (streaming) {
		hooks.addHandler('sendChunk', (chunk) => {
			chunks.push(chunk);
			// a chat connection that fails (its handler rejects), when the test asks for one
			if (failChunks) throw new Error('the chat connection went away');
		});
	}
	let finished;
	const done = new Promise((resolve) => (finished = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => finished(run));

	const runExecutionData = {
		version: 1,
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			nodeExecutionStack: [{ node, data: { main: [items] }, source: null }],
			waitingExecution: {},
			waitingExecutionSource: null,
		},
	};
	const execute = new core.WorkflowExecute(
		additionalData(hooks, credentials, { streaming, executionId }),
		mode,
		runExecutionData,
	);
	let running;
	try {
		running = execute.processRunExecutionData(workflow);
	} catch (error) {
		// n8n refuses to start a node whose required parameters are empty
		return { items: [], error, status: 'error', chunks, run: undefined };
	}
	if (onStart) onStart(() => running.cancel());
	await running.catch(() => undefined);
	const run = await done;
	const nodeRuns = run.data.resultData.runData[node.name] || [];
	const last = nodeRuns[nodeRuns.length - 1];
	const error = run.data.resultData.error || (last && last.error);
	return {
		items: (last && last.data && last.data.main && last.data.main[0]) || [],
		error,
		status: run.status,
		chunks,
		run,
	};
}

/**
 * Runs a polling trigger's poll() once with the given static data object (mutated in place,
 * as n8n persists it between polls). Returns { result, error, staticData }.
 */
async function runPoll({ type = 'pokeeTrigger', parameters, credentials = {}, staticData = {}, mode = 'trigger' }) {
	await ensureBinaryData();
	const node = makeNode(type, parameters, credentials);
	const workflow = new Workflow({
		id: 'harness-poll',
		name: 'harness-poll',
		nodes: [node],
		connections: {},
		nodeTypes,
		active: true,
		settings: {},
	});
	const hooks = new core.ExecutionLifecycleHooks(mode, '1', {
		id: 'harness-poll',
		name: 'harness-poll',
		nodes: [node],
		connections: {},
		active: true,
		settings: {},
	});
	const ctx = new core.PollContext(
		workflow,
		node,
		additionalData(hooks, credentials),
		mode,
		mode === 'manual' ? 'manual' : 'trigger',
		undefined,
		undefined,
		undefined,
		undefined,
		() => staticData,
		() => 60_000,
	);
	let result;
	let error;
	try {
		result = await nodeType(type).poll.call(ctx);
	} catch (e) {
		error = e;
	}
	return { result, error, staticData };
}

/**
 * Calls a sub-node's supplyData() in n8n's real SupplyDataContext (as a root node such as the AI
 * Agent would through its input connection). Returns { response, ctx, outputs, error }: what the
 * node supplied (for a chat model, n8n's LangChain adapter), the context and the run data n8n's
 * tracing added to it (`outputs`: [{type, data}]).
 */
async function runSupply({ type, parameters, credentials = {}, executionId, external }) {
	// external: another package's node ({type, version, instance}), e.g. n8n's OpenAI Chat Model for the bench
	const node = external
		? {
				id: 'c0ffee00-0000-4000-8000-000000000002',
				name: 'Chat Model',
				type: external.type,
				typeVersion: external.version,
				position: [0, 0],
				parameters,
				credentials: Object.fromEntries(Object.keys(credentials).map((t) => [t, { id: `cred-${t}`, name: t }])),
			}
		: makeNode(type, parameters, credentials);
	const types = external
		? {
				...nodeTypes,
				getByName: (name) => (name === external.type ? external.instance : nodeTypes.getByName(name)),
				getByNameAndVersion: (name, v) => (name === external.type ? external.instance : nodeTypes.getByNameAndVersion(name, v)),
			}
		: nodeTypes;
	const workflow = new Workflow({ id: 'harness-supply', name: 'harness-supply', nodes: [node], connections: {}, nodeTypes: types, active: false, settings: {} });
	const id = executionId ?? String(++executionCounter);
	const hooks = new core.ExecutionLifecycleHooks('manual', id, { id: 'harness-supply', name: 'harness-supply', nodes: [node], connections: {}, active: false, settings: {} });
	const runExecutionData = { version: 1, startData: {}, resultData: { runData: {} }, executionData: { contextData: {}, metadata: {}, nodeExecutionStack: [], waitingExecution: {}, waitingExecutionSource: null } };
	const ctx = new core.SupplyDataContext(
		workflow,
		node,
		additionalData(hooks, credentials, { executionId: id }),
		'manual',
		runExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		'ai_languageModel',
		{ node, data: { main: [[{ json: {} }]] }, source: null },
		[],
	);
	const outputs = [];
	const addOutputData = ctx.addOutputData.bind(ctx);
	ctx.addOutputData = (connectionType, currentNodeRunIndex, data, ...rest) => {
		outputs.push({ type: connectionType, data });
		return addOutputData(connectionType, currentNodeRunIndex, data, ...rest);
	};
	try {
		const supplied = await (external ? external.instance : nodeType(type)).supplyData.call(ctx, 0);
		return { response: supplied.response, ctx, outputs };
	} catch (error) {
		return { error, ctx, outputs };
	}
}

/** The bytes n8n stored for a binary property (from its filesystem store). */
async function binaryBytes(binary) {
	return await Container.get(core.BinaryDataService).getAsBuffer(binary);
}

/**
 * Runs one of a node's listSearch methods (the editor's "From list") through n8n's
 * LoadOptionsContext, with the node's current parameters as the editor would send them.
 */
async function runListSearch({ type, method, filter, parameters = {}, credentials = {}, typeVersion = 2 }) {
	const node = makeNode(type, parameters, credentials, { typeVersion });
	const workflow = new Workflow({ id: 'harness', name: 'harness', nodes: [node], connections: {}, nodeTypes, active: false, settings: {} });
	const data = additionalData(new core.ExecutionLifecycleHooks('internal', '0', {}), credentials);
	data.currentNodeParameters = parameters;
	const ctx = new core.LoadOptionsContext(workflow, node, data, 'parameters');
	return await nodeType(type).methods.listSearch[method].call(ctx, filter);
}

module.exports = { runListSearch, runNode, runPoll, runSupply, binaryBytes, nodeType, declaredOperations, credentialType };
