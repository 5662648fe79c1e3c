'use strict';
/**
 * Older n8n versions: the nodes reach n8n APIs that not every version has (the execution's
 * cancel signal, the chat stream, the request helpers) through nodes/shared/compat.ts. Here n8n's
 * real execution context is run with those methods removed, as in an n8n that predates them
 * (the cancel signal only at unit level: n8n 2.41's own request helper calls it):
 * the nodes must still work where they can (a turn streams to its end, Wait Until Idle polls)
 * and fail with a clear message where they cannot (no request helper), never with
 * "x is not a function".
 */
const { runNode, nodeType } = require('./harness/n8n');
const { startFakePokee, expectedText, DEFAULT_KEY } = require('./fakes/fakePokee');
const { BaseExecuteContext } = require('n8n-core/dist/execution-engine/node-execution-context/base-execute-context');
const { ExecuteContext } = require('n8n-core/dist/execution-engine/node-execution-context/execute-context');

let fake;
beforeAll(async () => {
	fake = await startFakePokee({ eventDelayMs: 1 });
});
afterAll(async () => {
	await fake.close();
});

const creds = () => ({ pokeeApi: { apiKey: DEFAULT_KEY, baseUrl: fake.baseUrl } });

/** Runs fn with the named methods of n8n's execute contexts removed (undefined), then restores them. */
async function withoutMethods(names, fn) {
	const saved = names.map((name) => [name, Object.getOwnPropertyDescriptor(ExecuteContext.prototype, name)]);
	for (const name of names) Object.defineProperty(ExecuteContext.prototype, name, { value: undefined, configurable: true, writable: true });
	try {
		return await fn();
	} finally {
		for (const [name, descriptor] of saved) {
			if (descriptor) Object.defineProperty(ExecuteContext.prototype, name, descriptor);
			else delete ExecuteContext.prototype[name];
		}
	}
}

test('the methods this test removes really exist in the n8n the tests run (else it proves nothing)', () => {
	for (const name of ['isStreaming', 'sendChunk', 'getExecutionCancelSignal']) {
		expect(typeof (ExecuteContext.prototype[name] ?? BaseExecuteContext.prototype[name])).toBe('function');
	}
});

test('without the chat stream (isStreaming, sendChunk), Message → Send streams the turn to its end', async () => {
	const sid = fake.createSession({ persistent: true }).id;
	const { items, error, chunks } = await withoutMethods(['isStreaming', 'sendChunk'], () =>
		runNode({
			type: 'pokee',
			parameters: { resource: 'message', operation: 'send', sessionMode: 'existing', sessionId: sid, message: 'Say hello', options: {} },
			credentials: creds(),
			streaming: true,
		}),
	);
	expect(error).toBeUndefined();
	expect(items[0].json.status).toBe('completed');
	expect(items[0].json.text).toBe(expectedText('Say hello'));
	expect(chunks).toEqual([]); // nothing streamed: the whole answer is in the output
});

test('without the cancel signal (poll contexts, older n8n), executionCancelSignal is undefined, never a TypeError', () => {
	const { executionCancelSignal } = require('../nodes/shared/compat');
	const signal = new AbortController().signal;
	expect(executionCancelSignal({ getExecutionCancelSignal: () => signal })).toBe(signal);
	expect(executionCancelSignal({})).toBeUndefined();
	expect(executionCancelSignal({ getExecutionCancelSignal: 'not a function' })).toBeUndefined();
});

test('without the authenticated request helper, the item fails with a clear message, before any request', async () => {
	fake.clearRequests();
	// the node sees a context whose helpers lack httpRequestWithAuthentication (an older n8n)
	const type = nodeType('pokee');
	const execute = type.execute;
	type.execute = function () {
		const helpers = { ...this.helpers, httpRequestWithAuthentication: undefined };
		const ctx = new Proxy(this, { get: (target, key) => (key === 'helpers' ? helpers : Reflect.get(target, key, target)) });
		return execute.call(ctx);
	};
	let result;
	try {
		result = await runNode({ type: 'pokee', parameters: { resource: 'usage', operation: 'get' }, credentials: creds() });
	} finally {
		type.execute = execute;
	}
	expect(result.error?.message).toBe('This n8n has no helpers.httpRequestWithAuthentication, which this operation needs');
	expect(result.error?.description).toMatch(/tested with n8n 1\.123 and later/);
	expect(fake.requests).toEqual([]);
});
