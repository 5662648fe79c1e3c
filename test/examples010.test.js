'use strict';
/**
 * The example workflows saved with 0.1.0 (kept verbatim in test/fixtures/examples-0.1.0,
 * typeVersion 1; examples/ now holds them at version 2) still run: each node of
 * this package runs with its saved parameters, unchanged, at its saved typeVersion, through n8n's
 * engine against the fakes, each fed what the node before it output. Node types may carry either
 * package name (n8n-nodes-poke.* as saved by 0.1.0, or n8n-nodes-pokee.* after the rename).
 * Nodes of n8n itself (Set, Filter) are stood in for by the test; the AI Agent example needs a
 * language model and is left to the end-to-end tests.
 */
const fs = require('node:fs');
const path = require('node:path');
const { runNode, runPoll, binaryBytes } = require('./harness/n8n');
const { deckFile, DEFAULT_KEY } = require('./fakes/fakePokee');
const { useFakePokee, useFakePoke } = require('./harness/fakes');
const { until } = require('./harness/wait');

const EXAMPLES = path.resolve(__dirname, 'fixtures', 'examples-0.1.0');
const OURS = /^n8n-nodes-pokee?\.(poke|pokee|pokeeTrigger)$/;

/** The nodes of one example, by name: {type (short), typeVersion, parameters}. */
function example(file) {
	const workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
	const nodes = {};
	for (const node of workflow.nodes) {
		const match = OURS.exec(node.type);
		if (match) nodes[node.name] = { type: match[1], typeVersion: node.typeVersion, parameters: node.parameters };
	}
	return nodes;
}

const pokee = useFakePokee({ eventDelayMs: 1, deckMs: 200 });
const poke = useFakePoke();

const credentials = () => ({
	pokeeApi: { apiKey: DEFAULT_KEY, baseUrl: pokee.baseUrl },
	pokeApi: { apiKey: poke.v2Key, baseUrl: poke.apiUrl },
});

/** Runs a saved node on the given input items; fails the test on an error. */
async function run(node, items = [{ json: {} }]) {
	expect(node.typeVersion).toBe(1);
	const { items: out, error } = await runNode({ ...node, credentials: credentials(), items });
	if (error) throw error;
	return out;
}

const sent = (fake, method, pattern) => fake.requests.filter((r) => r.method === method && pattern.test(r.path));

test('pokee-ask-question.json: a new session answers the question; the output keeps its 0.1.0 keys', async () => {
	const nodes = example('pokee-ask-question.json');
	const [item] = await run(nodes['Ask Pokee']);
	expect(item.json).toMatchObject({ status: 'completed', text: expect.any(String), tool_uses: [], usage: expect.any(Object) });
	expect(item.json.session_id).toMatch(/^sess_/);
	expect(sent(pokee, 'POST', new RegExp(`^/v1/sessions/${item.json.session_id}/messages$`))[0].json).toEqual({
		message: nodes['Ask Pokee'].parameters.message,
	});
});

test('pokee-client-tool.json: Send returns the tool call, Submit answers it and the turn completes', async () => {
	const nodes = example('pokee-client-tool.json');
	const [call] = await run(nodes['Ask about the order']);
	expect(call.json).toMatchObject({ status: 'tool_call_requested', tool_call: { name: 'lookup_order', input: { order_id: 'A-1042' } } });
	expect(call.json.last_event_id).toEqual(expect.any(Number));
	// what the example's Set node ("Look the order up") adds to the item
	const order = { id: call.json.tool_call.input.order_id, status: 'shipped', arrives: '2026-12-03' };
	const [done] = await run(nodes['Answer the tool call'], [{ json: { ...call.json, order } }]);
	expect(done.json).toMatchObject({ session_id: call.json.session_id, response_id: call.json.response_id, status: 'completed' });
	const [result] = sent(pokee, 'POST', new RegExp(`^/v1/sessions/${call.json.session_id}/tool_results$`));
	expect(result.json).toEqual({ call_id: call.json.tool_call.call_id, output: JSON.stringify(order) });
});

test('pokee-deck-job.json: a persistent session, a send that does not wait, and the trigger that collects the deck', async () => {
	const nodes = example('pokee-deck-job.json');
	const trigger = nodes['When a Pokee turn finishes'];
	const staticData = {};
	const poll = async () => {
		const { result, error } = await runPoll({ type: trigger.type, parameters: trigger.parameters, credentials: credentials(), staticData });
		if (error) throw error;
		return result === null ? [] : result[0];
	};
	expect(await poll()).toEqual([]); // the baseline

	const [session] = await run(nodes['Create persistent session']);
	expect(pokee.sessions.get(session.json.id)).toMatchObject({ persistent: true, metadata: { job: 'quarterly-deck' } });
	const [started] = await run(nodes["Start the deck (don't wait)"], [session]);
	// version 1's output of a send that does not wait: exactly these three keys
	expect(started.json).toEqual({ session_id: session.json.id, response_id: expect.stringMatching(/^msg_/), status: 'in_progress' });

	await until(() => pokee.sessions.get(session.json.id).busy === false);
	const [finished] = await poll();
	expect(finished.json).toMatchObject({ event: 'turnFinished', session_id: session.json.id, metadata: { job: 'quarterly-deck' } });
	expect((await binaryBytes(finished.binary.deck)).equals(deckFile(session.json.id).data)).toBe(true);
});

test('poke-send-message.json: the message and its Extra Context reach Poke', async () => {
	const nodes = example('poke-send-message.json');
	const [item] = await run(nodes['Send message to Poke']);
	expect(item.json).toMatchObject({ success: true });
	const [req] = sent(poke, 'POST', /\/inbound\/api-message$/);
	expect(req.json).toMatchObject({ source: 'n8n', report: 'daily-deploys', message: expect.stringMatching(/^Daily report for \d{4}-\d{2}-\d{2}: /) });
});

test('poke-webhook-create-fire.json: Create registers the trigger, Fire delivers to it', async () => {
	const nodes = example('poke-webhook-create-fire.json');
	const deploy = { repo: 'acme/storefront', commit: '9f2c1e7', status: 'failed', failedTests: 3 };
	const [created] = await run(nodes['Create webhook trigger'], [{ json: deploy }]);
	expect(created.json).toEqual({ triggerId: expect.any(String), webhookUrl: expect.any(String), webhookToken: expect.any(String) });
	expect(sent(poke, 'POST', /\/api-keys\/webhook$/).at(-1).json.condition).toBe('When a deploy of acme/storefront fails');
	// the harness runs one node: $('Deploy event') (an earlier node) is read from the item instead
	const fire = nodes['Fire webhook'];
	const data = fire.parameters.data.replaceAll("$('Deploy event').item.json", '$json.deploy');
	const [fired] = await run({ ...fire, parameters: { ...fire.parameters, data } }, [{ json: { ...created.json, deploy } }]);
	expect(fired.json).toMatchObject({ success: true });
	expect(poke.deliveries.at(-1)).toMatchObject({ token: created.json.webhookToken, body: { event: 'deploy_failed', repo: 'acme/storefront', commit: '9f2c1e7' } });
});
