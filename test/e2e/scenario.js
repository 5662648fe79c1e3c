'use strict';
/**
 * The one scenario behind both `scripts/e2e.sh` (test/e2e/run.js: PASS/FAIL per check) and
 * `scripts/demo.sh` (scripts/demo.js: a readable summary per example). It installs both packages
 * (n8n-nodes-poke and n8n-nodes-pokee, together) into a real n8n 2.41.1 (or 1.123.81), imports
 * credentials pointing at the loopback fakes and every workflow
 * of examples/, runs them the way a user would (`n8n execute`; publish + `n8n start` for the
 * polling trigger) and checks what they produced against what the fakes saw.
 *
 * runAlone (e2e only) installs one package alone into a fresh n8n and runs the workflows of
 * its service as 0.1.0 saved them (test/fixtures/examples-0.1.0): Poke's unchanged, Pokee's with
 * only their node types renamed to n8n-nodes-pokee.*.
 *
 * Facts checked come from the fakes (what really arrived over HTTP) and from n8n's own SQLite
 * database (what n8n stored), never from timing.
 */
const fs = require('node:fs');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');
const L = require('./lib');
const CM = require('./chatModel');

const EXAMPLES = {
	send: 'poke-send-message.json',
	webhook: 'poke-webhook-create-fire.json',
	ask: 'pokee-ask-question.json',
	agent: 'pokee-ai-agent-tool.json',
	deck: 'pokee-deck-job.json',
	tool: 'pokee-client-tool.json',
	chatModel: CM.EXAMPLE,
};

/** The packages (packages/<name>) and the nodes n8n reports installing for each. */
const PACKAGE_NODES = {
	'n8n-nodes-poke': ['Poke'],
	'n8n-nodes-pokee': ['Pokee', 'Pokee Chat Model', 'Pokee Trigger'],
};

// Well-formed but unknown keys, so the API (not the node's input checks) rejects them.
/** The instance owner (the demo prints it for people to log in with; test-only values). */
const OWNER = { email: 'demo@example.com', firstName: 'Demo', lastName: 'User', password: 'Demo-pass-1234' };
const WRONG_KEYS = { poke: 'poke_v2_e2e_WRONG_key_4f1c9a70', pokee: 'pk_acme_e2eWRONGkey7d3b05' };
const WRONG_CREDENTIALS = {
	poke: { id: 'pokeApiWrongKey0', name: 'Poke (wrong key)' },
	pokee: { id: 'pokeeApiWrongKey', name: 'Pokee (wrong key)' },
};

/** Prints checks as PASS/FAIL (e2e) or only the failures plus summary lines (demo). */
class Reporter {
	constructor(mode) {
		this.mode = mode;
		this.passed = 0;
		this.failures = [];
	}

	section(title) {
		this.current = title;
		console.log(this.mode === 'e2e' ? `\n== ${title}` : `\n▸ ${title}`);
	}

	check(name, ok, detail = '') {
		if (ok) {
			this.passed++;
			if (this.mode === 'e2e') console.log(`  PASS ${name}`);
			return true;
		}
		this.failures.push(`${this.current}: ${name}`);
		const value = typeof detail === 'function' ? detail() : detail; // computed only on failure
		const text = typeof value === 'string' ? value : JSON.stringify(value);
		console.log(`  FAIL ${name}${text ? `\n       ${L.tail(text, 30).replace(/\n/g, '\n       ')}` : ''}`);
		return false;
	}

	info(text) {
		if (this.mode === 'demo') console.log(`  ${text}`);
	}
}

const short = (value, max = 90) => {
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

/**
 * Runs everything. With `keep`, n8n is left running on `port` with the fakes (the caller stops
 * them with lib.cleanup() and the returned fakes.close()).
 */
/**
 * Runs parts of a scenario over `ctx`: each a section of the report; an exception fails its part
 * without stopping the others. A part resolves true when it ran to the end.
 */
function partRunner(ctx) {
	const { report } = ctx;
	return async (title, fn) => {
		report.section(title);
		const started = Date.now();
		let ran = true;
		try {
			await fn(ctx);
		} catch (error) {
			report.check('runs to the end', false, error.stack ?? String(error));
			ran = false;
		}
		if (report.mode === 'e2e') console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
		return ran;
	};
}

async function runScenario({ report, userFolder, keep = false, port }) {
	const fakes = await L.startFakes();
	const n8n = new L.N8n(userFolder);
	const printed = []; // everything n8n printed, searched for keys at the end
	const ctx = { report, fakes, n8n, printed, port, keepServer: keep, wf: {} };
	for (const [key, file] of Object.entries(EXAMPLES)) ctx.wf[key] = L.readExample(file);

	const part = partRunner(ctx);

	// E2E_ONLY: a pattern; only the parts whose title matches run after the set-up (for iterating)
	const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY, 'i') : undefined;
	const partIfSelected = async (title, fn) => (only && !only.test(title) ? true : await part(title, fn));
	try {
		if (!(await part('Set up n8n: package, credentials, workflows', setUp))) return { fakes, n8n };
		await partIfSelected(`Poke: send a message (${EXAMPLES.send})`, sendMessage);
		await partIfSelected(`Poke: create + fire a webhook (${EXAMPLES.webhook})`, webhook);
		await partIfSelected(`Pokee: one-shot question (${EXAMPLES.ask})`, askQuestion);
		await partIfSelected(`Pokee as an AI Agent tool (${EXAMPLES.agent})`, agentTool);
		await partIfSelected(`Pokee: a client-side tool call answered by the workflow (${EXAMPLES.tool})`, clientTool);
		await partIfSelected('Wrong API keys fail clearly, without leaking the key', wrongKeys);
		await partIfSelected(`Pokee deck job + Pokee Trigger (${EXAMPLES.deck})`, deckJob);
		await partIfSelected("n8n's credential test (Test connection) has no side effects", credentialTests);
		await partIfSelected(`Pokee Chat Model: the AI Agent's model, Poke as its tool (${EXAMPLES.chatModel})`, (c) => CM.chatModelAgent(c, execute));
		await partIfSelected('Pokee Chat Model: Basic LLM Chain, 20 mid-stream drops', (c) => CM.chatModelChain(c, execute));
		await partIfSelected('Pokee Chat Model: streamed into a Chat Trigger response', CM.chatModelStreaming);
		await partIfSelected('No API key in n8n output or in its database', noKeysStored);
	} finally {
		if (!keep) {
			await L.cleanup();
			await fakes.close();
		}
	}
	return { fakes, n8n };
}

// ----- parts -----------------------------------------------------------------------------------

async function setUp({ report, fakes, n8n, wf }) {
	// Examples must carry no secrets: credentials are referenced by id and name only.
	for (const [key, workflow] of Object.entries(wf)) {
		const refs = workflow.nodes.flatMap((node) => Object.values(node.credentials ?? {}));
		report.check(
			`${EXAMPLES[key]} references credentials by id and name only`,
			refs.every((ref) => isDeepStrictEqual(Object.keys(ref).sort(), ['id', 'name'])),
			refs,
		);
	}

	// Installed the way users do in the editor (Settings → Community Nodes → Install): n8n's REST
	// endpoint, which runs npm against the registry (a loopback one here, test/e2e/registry.js),
	// both packages one after the other into the same n8n. Every workflow below then runs the
	// nodes n8n installed itself.
	await installAndCheck({ report, n8n }, Object.keys(PACKAGE_NODES));
	report.info(
		`installed ${Object.keys(PACKAGE_NODES).join(' and ')} the way Settings → Community Nodes does (POST /rest/community-packages; n8n's npm fetched them from a loopback registry)`,
	);

	const credentials = [
		...L.credentialsFor(fakes),
		{ ...WRONG_CREDENTIALS.poke, type: 'pokeApi', data: { apiKey: WRONG_KEYS.poke, baseUrl: fakes.poke.apiUrl } },
		{ ...WRONG_CREDENTIALS.pokee, type: 'pokeeApi', data: { apiKey: WRONG_KEYS.pokee, baseUrl: fakes.pokee.baseUrl } },
	];
	await n8n.importCredentials(credentials);
	const stored = (await n8n.query('SELECT id FROM credentials_entity')).map((row) => row.id);
	report.check(
		`${credentials.length} credentials imported (pointing at the fakes)`,
		credentials.every((c) => stored.includes(c.id)),
		stored,
	);

	// All workflows in one import (each CLI start costs seconds): the examples as they are, plus
	// the test-only variants.
	const workflows = [...Object.values(wf), ...testWorkflows(wf), ...CM.chatModelWorkflows(wf)];
	await n8n.importWorkflow(workflows);
	const ids = (await n8n.query('SELECT id FROM workflow_entity')).map((row) => row.id);
	const expected = workflows.map((w) => w.id);
	report.check(
		'every workflow imported',
		expected.every((id) => ids.includes(id)),
		{ expected, ids },
	);
	report.info(`n8n ${L.N8N_VERSION} user folder ${n8n.userFolder}`);
	report.info(`fakes: Poke ${fakes.poke.apiUrl}, Pokee ${fakes.pokee.baseUrl}, chat model ${fakes.chat.apiUrl}`);
}

/**
 * Installs `names` through POST /rest/community-packages into a fresh n8n and checks, per
 * package, n8n's answer, what the registry served, the files and n8n's record; and that no other
 * package of this repository is there.
 */
async function installAndCheck({ report, n8n }, names) {
	const installs = await n8n.installThroughEditor(OWNER, names);
	for (const install of installs) {
		let answer;
		try {
			answer = JSON.parse(install.body).data;
		} catch {
			answer = undefined;
		}
		const { name, version } = install.manifest;
		const nodes = PACKAGE_NODES[name];
		report.check(
			`POST /rest/community-packages {"name": "${name}"} installs ${name}@${version} with its nodes (${nodes.join(', ')})`,
			install.status === 200 &&
				answer?.packageName === name &&
				answer?.installedVersion === version &&
				isDeepStrictEqual(answer?.installedNodes?.map((n) => n.name).sort(), nodes),
			{ status: install.status, body: install.body.slice(0, 500) },
		);
		report.check(
			`n8n's npm fetched ${name}'s packument and packed tarball (${install.integrity.slice(0, 20)}…) from the registry`,
			installs.requests.includes(`GET /${name}`) && installs.requests.includes(`GET /${name}/-/${name}-${version}.tgz`),
			installs.requests,
		);
		const installed = L.installedPackage(n8n, name);
		report.check(`n8n put it in .n8n/nodes/node_modules/${name} with every node file`, installed.missing.length === 0, installed);
	}
	if (report.mode === 'e2e') console.log(`  (the registry saw: ${installs.requests.join(', ')})`);
	const others = Object.keys(PACKAGE_NODES).filter((n) => !names.includes(n));
	const fetched = others.filter((n) => installs.requests.some((r) => r === `GET /${n}` || r.startsWith(`GET /${n}/`)));
	const present = fs.readdirSync(path.join(n8n.dataDir, 'nodes/node_modules')).filter((d) => d.startsWith('n8n-nodes-'));
	report.check(
		`exactly ${names.join(' and ')} in .n8n/nodes/node_modules${others.length ? ` (${others.join(', ')} neither fetched nor there)` : ''}`,
		isDeepStrictEqual(present.sort(), [...names].sort()) && fetched.length === 0,
		{ present, fetched },
	);
	const rows = await n8n.query('SELECT packageName, installedVersion FROM installed_packages');
	report.check(
		`n8n recorded ${names.length === 1 ? 'it' : 'both'} as installed community packages, nothing else`,
		isDeepStrictEqual(rows.map((r) => r.packageName).sort(), [...names].sort()) &&
			installs.every((i) => rows.some((r) => r.packageName === i.manifest.name && r.installedVersion === i.manifest.version)),
		rows,
	);
}

/**
 * One package installed alone through the editor's endpoint into a fresh n8n; the workflows of
 * its service as 0.1.0 saved them (Poke: unchanged; Pokee: node types renamed to
 * n8n-nodes-pokee.*, no other edit) are imported and run.
 */
async function runAlone({ report, userFolder, name }) {
	const fakes = await L.startFakes();
	const n8n = new L.N8n(userFolder);
	const printed = [];
	const service = name === 'n8n-nodes-poke' ? 'poke' : 'pokee';
	const ctx = { report, fakes, n8n, printed, wf: {} };
	const part = partRunner(ctx);
	// the examples 0.1.0 shipped (the chat model's came later)
	const keys = Object.keys(EXAMPLES).filter((key) => EXAMPLES[key].startsWith(`${service}-`) && key !== 'chatModel');
	try {
		const ready = await part(`${name} alone in a fresh n8n: installed through the editor's endpoint, the 0.1.0 workflows imported`, async () => {
			await installAndCheck(ctx, [name]);
			const originals = {};
			for (const key of keys) {
				const { workflow, renamed, original } = L.readExample010(EXAMPLES[key]);
				ctx.wf[key] = workflow;
				originals[key] = { renamed, original };
			}
			const credentials = L.credentialsFor(fakes).filter((c) => (service === 'poke' ? c.type === 'pokeApi' : c.type !== 'pokeApi'));
			await n8n.importCredentials(credentials);
			await n8n.importWorkflow(keys.map((key) => ctx.wf[key]));
			const rows = await n8n.query('SELECT id, nodes FROM workflow_entity');
			const ids = rows.map((row) => row.id);
			// what n8n stored, against the file 0.1.0 saved: the same nodes, versions and
			// parameters; only n8n-nodes-poke.pokee* types renamed (none for Poke)
			const rename = (type) => type.replace(/^n8n-nodes-poke\.(pokee\w*)$/, 'n8n-nodes-pokee.$1');
			for (const key of keys) {
				const { renamed, original } = originals[key];
				const stored = JSON.parse(rows.find((row) => row.id === original.id)?.nodes ?? '[]');
				const shape = (n, type) => ({ name: n.name, type, typeVersion: n.typeVersion, parameters: n.parameters });
				const want = original.nodes.map((n) => shape(n, rename(n.type)));
				const got = want.map((w) => stored.find((n) => n.name === w.name)).map((n) => n && shape(n, n.type));
				report.check(
					service === 'poke'
						? `0.1.0's ${EXAMPLES[key]} taken unchanged (node types ${[...new Set(original.nodes.map((n) => n.type).filter((t) => t.startsWith('n8n-nodes-poke')))].join(', ')})`
						: `0.1.0's ${EXAMPLES[key]} with only its node types renamed (${renamed.map((t) => `${t} → ${rename(t)}`).join(', ')})`,
					isDeepStrictEqual(got, want) && stored.length === want.length && (service === 'poke' ? renamed.length === 0 : renamed.length > 0),
					{ want, got },
				);
			}
			report.check('the 0.1.0 workflows imported', keys.every((key) => ids.includes(ctx.wf[key].id)), ids);
		});
		if (!ready) return;
		if (service === 'poke') {
			await part(`0.1.0 ${EXAMPLES.send}, unchanged`, sendMessage);
			await part(`0.1.0 ${EXAMPLES.webhook}, unchanged`, webhook);
			return;
		}
		await part(`0.1.0 ${EXAMPLES.ask}, types renamed`, askQuestion);
		await part(`0.1.0 ${EXAMPLES.tool}, types renamed`, async () => {
			const result = await execute(ctx, ctx.wf.tool);
			const answered = L.nodeOutput(result.run, 'Answer the tool call')[0]?.json ?? {};
			report.check('the tool call was answered and the turn completed', answered.status === 'completed' && /^Tool result: /.test(answered.text ?? ''), answered);
		});
		await part(`0.1.0 ${EXAMPLES.agent}, types renamed`, async () => {
			const result = await execute(ctx, ctx.wf.agent);
			const prompt = ctx.wf.agent.nodes.find((n) => n.name === 'AI Agent').parameters.text;
			const output = L.nodeOutput(result.run, 'AI Agent')[0]?.json?.output;
			report.check('the agent answers with what the Pokee tool returned', output === `Pokee says: ${L.expectedText(prompt)}`, output);
		});
		await part(`0.1.0 ${EXAMPLES.deck}, types renamed (its manual branch)`, async () => {
			const result = await execute(ctx, ctx.wf.deck);
			const started = L.nodeOutput(result.run, "Start the deck (don't wait)")[0]?.json ?? {};
			report.check('the deck turn started in a persistent session (in_progress)', started.status === 'in_progress' && !!started.response_id, started);
		});
	} finally {
		await L.cleanup();
		await fakes.close();
	}
}

/** Runs a workflow with `n8n execute`; records the output; checks that it succeeded. */
async function execute({ report, n8n, printed }, workflow) {
	const result = await n8n.execute(workflow.id);
	printed.push(result.output);
	report.check(`n8n execute --id=${workflow.id} succeeds`, result.ok, () => {
		const saved = L.saveLog(`execute-${workflow.id}`, result.output);
		return `${L.errorLines(result.output)}${saved ? `\n(full output: ${saved})` : ''}`;
	});
	return result;
}

async function sendMessage(ctx) {
	const { report, fakes, wf } = ctx;
	const before = fakes.poke.messages.length;
	const result = await execute(ctx, wf.send);
	if (!result.ok) return;
	const out = L.nodeOutput(result.run, 'Send message to Poke')[0]?.json;
	report.check('node output is the API answer (success: true)', out?.success === true, out);

	const received = fakes.poke.messages.slice(before);
	const message = received[0];
	report.check(
		'fake Poke received the message, its date expression resolved, with the Extra Context fields',
		received.length === 1 &&
			/^Daily report for \d{4}-\d{2}-\d{2}: 3 deploys succeeded, 0 failed\.$/.test(message.message) &&
			message.source === 'n8n' &&
			message.report === 'daily-deploys',
		received,
	);
	const request = fakes.poke.requests.filter((r) => r.path === '/api/v1/inbound/api-message').at(-1);
	report.check(
		'sent with the credential key as Bearer token',
		request?.headers.authorization === `Bearer ${fakes.poke.v2Key}`,
	);
	report.info(`sent "${message?.message}" with context ${short({ source: message?.source, report: message?.report })}`);
	report.info(`Poke answered ${short(out)}`);
}

async function webhook(ctx) {
	const { report, fakes, wf } = ctx;
	const before = fakes.poke.deliveries.length;
	const result = await execute(ctx, wf.webhook);
	if (!result.ok) return;
	const created = L.nodeOutput(result.run, 'Create webhook trigger')[0]?.json ?? {};
	const fired = L.nodeOutput(result.run, 'Fire webhook')[0]?.json;
	report.check(
		'Create returned a trigger id, webhook URL and token',
		!!(created.triggerId && created.webhookUrl && created.webhookToken),
		created,
	);
	report.check(
		'the trigger was created with the condition built from the Deploy event',
		fakes.poke.webhooks.get(created.webhookToken)?.condition === 'When a deploy of acme/storefront fails',
	);

	const deliveries = fakes.poke.deliveries.slice(before);
	const delivery = deliveries[0];
	report.check(
		'fake Poke received exactly one delivery, for that trigger, with its token',
		deliveries.length === 1 && delivery.token === created.webhookToken && delivery.triggerId === created.triggerId,
		deliveries,
	);
	const data = { event: 'deploy_failed', repo: 'acme/storefront', commit: '9f2c1e7', failedTests: 3 };
	report.check(
		'the delivery carries the data from the earlier nodes',
		isDeepStrictEqual(delivery?.body, data),
		delivery?.body,
	);
	const request = fakes.poke.requests.filter((r) => r.path === '/api/v1/inbound/webhook').at(-1);
	report.check(
		'Fire authenticates with the webhook token, not the API key',
		request?.headers.authorization === `Bearer ${created.webhookToken}`,
	);
	report.check('Fire output is the API answer (success: true)', fired?.success === true, fired);
	report.info(`created trigger ${created.triggerId} ("${fakes.poke.webhooks.get(created.webhookToken)?.condition}")`);
	report.info(`fired ${short(delivery?.body)} → the fake received it with the right token`);
}

async function askQuestion(ctx) {
	const { report, fakes, wf } = ctx;
	const node = wf.ask.nodes.find((n) => n.name === 'Ask Pokee');
	const result = await execute(ctx, wf.ask);
	if (!result.ok) return;
	const out = L.nodeOutput(result.run, 'Ask Pokee')[0]?.json ?? {};
	const expected = L.expectedText(node.parameters.message);
	report.check(`the streamed answer is the agent's text ("${expected}")`, out.text === expected, out);
	report.check(
		'the turn completed in a new session',
		out.status === 'completed' && /^sess_/.test(out.session_id ?? ''),
		out,
	);
	const sent = fakes.pokee.requests.find(
		(r) => r.method === 'POST' && r.path === `/v1/sessions/${out.session_id}/messages`,
	);
	report.check(
		'fake Pokee received the question as an SSE request',
		sent?.json?.message === node.parameters.message && /text\/event-stream/.test(sent?.headers.accept ?? ''),
		sent?.json,
	);
	report.info(`asked "${short(node.parameters.message, 70)}"`);
	report.info(
		// version 2's Simplified output (examples/) has no usage; version 1 (the 0.1.0 workflows) has
		`answer "${out.text}" (${out.status}, session ${out.session_id}${out.usage ? `, ${out.usage.output_tokens} output tokens` : ''})`,
	);
}

async function agentTool(ctx) {
	const { report, fakes, wf } = ctx;
	const chatBefore = fakes.chat.requests.length;
	const pokeeBefore = fakes.pokee.requests.length;
	const prompt = wf.agent.nodes.find((n) => n.name === 'AI Agent').parameters.text;
	const result = await execute(ctx, wf.agent);
	if (!result.ok) return;

	// The fake model asks the tool with the user's prompt as the question, so Pokee answers its
	// default script and the final answer is that text with the model's prefix.
	const pokeeText = L.expectedText(prompt);
	const output = L.nodeOutput(result.run, 'AI Agent')[0]?.json?.output;
	report.check('the agent answers with what the Pokee tool returned', output === `Pokee says: ${pokeeText}`, output);

	const chats = fakes.chat.requests.slice(chatBefore);
	const tool = chats[0]?.json.tools?.[0]?.function ?? {};
	const toolParams = wf.agent.nodes.find((n) => n.name === 'Ask Pokee').parameters;
	report.check(
		'the model was called twice over Chat Completions',
		chats.length === 2 && chats.every((r) => r.path === '/v1/chat/completions'),
		chats.map((r) => r.path),
	);
	report.check(
		'the Pokee tool was offered as Ask_Pokee, with its description and a "question" argument',
		tool.name === 'Ask_Pokee' &&
			tool.description === toolParams.toolDescription &&
			tool.parameters?.properties?.question?.type === 'string',
		tool,
	);
	const asked = fakes.pokee.requests
		.slice(pokeeBefore)
		.find((r) => r.method === 'POST' && /^\/v1\/sessions\/[^/]+\/messages$/.test(r.path));
	report.check(
		'the tool sent the question the model chose to fake Pokee',
		asked?.json?.message === prompt,
		asked?.json,
	);
	const toolMessage = chats[1]?.json.messages.find((m) => m.role === 'tool');
	report.check(
		"the tool output (with Pokee's answer) went back to the model",
		String(toolMessage?.content ?? '').includes(pokeeText),
		toolMessage,
	);
	report.info(`prompt "${short(prompt, 70)}"`);
	report.info(`model → tool call Ask_Pokee(question) → Pokee "${pokeeText}" → agent: "${output}"`);

	// The same agent with the OpenAI node's default in version 1.3, the Responses API.
	const responsesBefore = fakes.chat.requests.length;
	const variant = await execute(
		ctx,
		testWorkflows(wf).find((w) => w.id === 'e2eAgentResponses'),
	);
	if (!variant.ok) return;
	const answer = L.nodeOutput(variant.run, 'AI Agent')[0]?.json?.output;
	const calls = fakes.chat.requests.slice(responsesBefore);
	const returned = calls[1]?.json.input?.find((i) => i.type === 'function_call_output');
	report.check(
		'with "Use Responses API" on: two /v1/responses calls, the tool output returned, the same answer',
		calls.length === 2 &&
			calls.every((r) => r.path === '/v1/responses') &&
			String(returned?.output ?? '').includes(pokeeText) &&
			answer === output,
		{ paths: calls.map((r) => r.path), answer },
	);
	report.info(`the same with the Responses API: "${answer}"`);
}

/**
 * A session tool call answered by the workflow: Send (Return Tool Calls) outputs the call, a Set
 * node maps its argument by expression ({{ $json.tool_call.input.order_id }}), Tool Result →
 * Submit (its fields at their defaults) posts the answer and streams the turn to its end. Then
 * the same with the expression a user got by dragging the field before: n8n 2.41 refuses it.
 */
async function clientTool(ctx) {
	const { report, fakes, wf, n8n, printed } = ctx;
	const before = fakes.pokee.requests.length;
	const result = await execute(ctx, wf.tool);
	if (!result.ok) return;
	const asked = L.nodeOutput(result.run, 'Ask about the order')[0]?.json ?? {};
	const mapped = L.nodeOutput(result.run, 'Look the order up')[0]?.json ?? {};
	const answered = L.nodeOutput(result.run, 'Answer the tool call')[0]?.json ?? {};
	const turn = fakes.pokee.turns.get(asked.response_id);
	const call = turn?.events.find((e) => e.type === 'tool_call.requested')?.data ?? {};
	let sentArguments;
	try {
		sentArguments = JSON.parse(call.arguments);
	} catch {
		sentArguments = undefined;
	}
	report.check(
		'Send stopped at the tool call: status tool_call_requested, the parsed arguments in tool_call.input',
		asked.status === 'tool_call_requested' &&
			asked.tool_call?.call_id === call.call_id &&
			asked.tool_call?.name === 'lookup_order' &&
			isDeepStrictEqual(asked.tool_call?.input, sentArguments) &&
			typeof sentArguments?.order_id === 'string',
		{ output: asked, event: call },
	);
	report.check(
		`the Set node mapped the argument by expression ({{ $json.tool_call.input.order_id }} = "${sentArguments?.order_id}")`,
		mapped.order?.id === sentArguments?.order_id,
		mapped,
	);
	const posted = fakes.pokee.requests
		.slice(before)
		.filter((r) => r.method === 'POST' && r.path === `/v1/sessions/${asked.session_id}/tool_results`);
	const answer = JSON.stringify({ id: sentArguments?.order_id, status: 'shipped', arrives: '2026-12-03' });
	report.check(
		'Tool Result → Submit posted one answer for that call, built from the mapped fields',
		posted.length === 1 && isDeepStrictEqual(posted[0].json, { call_id: call.call_id, output: answer }),
		posted.map((r) => r.json),
	);
	report.check(
		'the turn then ran to its end: completed, the agent used the answer',
		answered.status === 'completed' &&
			answered.response_id === asked.response_id &&
			answered.text === `Tool result: ${answer}` &&
			turn?.done === true,
		answered,
	);
	report.info(`agent called ${asked.tool_call?.name}(${asked.tool_call?.arguments_json}) → Set mapped order.id = "${mapped.order?.id}"`);
	report.info(`Tool Result → Submit → "${answered.text}" (${answered.status})`);

	const { result: dragged, stored } = await n8n.executeStored('e2eToolArguments');
	printed.push(dragged.output);
	const error = stored && L.nodeError(stored.data, 'Look the order up');
	report.check(
		'mapping $json.tool_call.arguments.order_id instead fails in n8n 2.41 ("due to security concerns"): why the key is input',
		!dragged.ok && /Cannot access "arguments" due to security concerns/.test(error?.message ?? ''),
		{ ok: dragged.ok, error: error?.message },
	);
}

/**
 * Test-only variants of examples: two that use credentials holding wrong keys, the agent with
 * the OpenAI Chat Model's "Use Responses API" on (its default in version 1.3), and the client
 * tool example mapping the argument under the name n8n's expression sandbox refuses.
 */
function testWorkflows(wf) {
	const copy = (workflow, id, name, change) => {
		const clone = structuredClone(workflow);
		Object.assign(clone, { id, name });
		clone.nodes.forEach(change);
		return clone;
	};
	const useCredential = (type, ref) => (node) => {
		if (node.credentials?.[type]) node.credentials[type] = ref;
	};
	return [
		copy(wf.send, 'e2eWrongKeyPoke', 'E2E: Poke with a wrong key', useCredential('pokeApi', WRONG_CREDENTIALS.poke)),
		copy(wf.ask, 'e2eWrongKeyPokee', 'E2E: Pokee with a wrong key', useCredential('pokeeApi', WRONG_CREDENTIALS.pokee)),
		copy(wf.agent, 'e2eAgentResponses', 'E2E: AI Agent over the Responses API', (node) => {
			if (node.type === '@n8n/n8n-nodes-langchain.lmChatOpenAi') node.parameters.responsesApiEnabled = true;
		}),
		copy(wf.tool, 'e2eToolArguments', 'E2E: a tool-call argument mapped as tool_call.arguments', (node) => {
			if (node.type !== 'n8n-nodes-base.set') return;
			node.parameters.assignments.assignments[0].value = '={{ $json.tool_call.arguments.order_id }}';
		}),
	];
}

async function wrongKeys({ report, n8n, printed }) {
	const cases = [
		{ id: 'e2eWrongKeyPoke', node: 'Send message to Poke', key: WRONG_KEYS.poke, message: 'Poke: invalid API key' },
		{ id: 'e2eWrongKeyPokee', node: 'Ask Pokee', key: WRONG_KEYS.pokee, message: 'Pokee: invalid API key' },
	];
	for (const c of cases) {
		const { result, stored } = await n8n.executeStored(c.id);
		printed.push(result.output);
		report.check(`${c.id}: the execution fails (exit code ${result.code})`, !result.ok && result.code !== 0);
		report.check(`${c.id}: n8n prints the clear message "${c.message}"`, result.output.includes(c.message), () =>
			L.errorLines(result.output),
		);
		report.check(`${c.id}: the printed output does not contain the key`, !result.output.includes(c.key));
		const error = stored && L.nodeError(stored.data, c.node);
		report.check(
			`${c.id}: n8n stored a failed execution with that message`,
			stored?.status === 'error' && error?.message === c.message,
			{ status: stored?.status, error: error?.message },
		);
		report.check(
			`${c.id}: the stored error does not contain the key`,
			!JSON.stringify(stored?.data ?? {}).includes(c.key),
		);
		report.info(`${c.id}: "${error?.message}" — ${short(error?.description ?? '', 100)}`);
	}
}

/**
 * The long-running job: the manual branch starts a deck in a persistent session without waiting;
 * the published workflow's Pokee Trigger notices the finished turn and downloads output/*.pptx.
 *
 * n8n polls once when it activates a workflow (then on the Poll Times schedule, at least a minute
 * apart). The scenario uses that instead of waiting for the schedule: start n8n (activation poll
 * = baseline of the sessions, stored in the workflow's static data), stop it, run the job, and
 * start n8n again: its activation poll compares against the stored baseline, exactly as a
 * scheduled poll does, and emits the finished turn.
 */
async function deckJob(ctx) {
	const { report, fakes, n8n, wf, port, printed } = ctx;
	const workflow = wf.deck;
	const triggerNode = 'When a Pokee turn finishes';
	await n8n.publish(workflow.id);
	const [published] = await n8n.query('SELECT active FROM workflow_entity WHERE id = ?', [workflow.id]);
	report.check('publish:workflow marked it active', published?.active === 1, published);
	await n8n.start({ port });
	const baseline = await L.waitFor('the trigger to store its baseline', async () => {
		const [row] = await n8n.query('SELECT staticData FROM workflow_entity WHERE id = ?', [workflow.id]);
		return JSON.parse(row?.staticData || '{}')[`node:${triggerNode}`]?.state;
	});
	// (The state's shape is the node's business; that it exists is what matters here.)
	report.check(
		"published; the activation poll stored the trigger's baseline state",
		typeof baseline === 'object',
		baseline,
	);
	await n8n.stopServer();
	printed.push(n8n.log);

	const result = await execute(ctx, workflow);
	if (!result.ok) return;
	const session = L.nodeOutput(result.run, 'Create persistent session')[0]?.json ?? {};
	const started = L.nodeOutput(result.run, "Start the deck (don't wait)")[0]?.json ?? {};
	report.check(
		'the session is persistent and tagged job=quarterly-deck',
		session.persistent === true && session.metadata?.job === 'quarterly-deck',
		session,
	);
	report.check(
		'Send without waiting returned the response id with status in_progress',
		started.status === 'in_progress' && !!started.response_id && started.session_id === session.id,
		started,
	);
	report.info(`session ${session.id}: turn ${started.response_id} started, execution ended (${started.status})`);

	// The agent finishes on its own; the fake says when.
	const deck = L.deckFile(session.id);
	await L.waitFor('the fake agent to finish the deck', () => {
		const s = fakes.pokee.sessions.get(session.id);
		return s && !s.busy && fakes.pokee.files.has(deck.path);
	});

	await n8n.start({ port });
	const execution = await L.waitFor(
		'a trigger execution with the deck session',
		async () => {
			const runs = (await n8n.executions(workflow.id)).filter((e) => e.mode === 'trigger');
			const failed = runs.find((e) => e.status === 'error');
			if (failed) throw new Error(`trigger execution failed: ${failed.data.resultData?.error?.message}`);
			return runs.find(
				(e) =>
					e.status === 'success' &&
					L.nodeOutput(e.data, 'Deck sessions only').some((i) => i.json.session_id === session.id),
			);
		},
		{ timeoutMs: 90_000, intervalMs: 500 },
	);
	// waitFor only returns a successful trigger-mode execution: nothing left to check here
	report.info(`the trigger started execution ${execution.id} (mode trigger, success)`);
	const items = L.nodeOutput(execution.data, 'Deck sessions only');
	const item = items.find((i) => i.json.session_id === session.id);
	report.check(
		'one Turn Finished item for the deck session passed the filter',
		items.length === 1 && item.json.event === 'turnFinished',
		items.map((i) => i.json),
	);
	report.check(
		`it lists the downloaded ${deck.path}`,
		item.json.downloaded_files?.length === 1 && item.json.downloaded_files[0].path === deck.path,
		item.json.downloaded_files,
	);
	const binary = item.binary?.deck;
	const bytes = binary ? n8n.binaryBytes(binary) : Buffer.alloc(0);
	const want = L.sha256(deck.data);
	report.check(
		'the binary "deck" holds exactly the fake\'s file (sha256)',
		L.sha256(bytes) === want && fakes.pokee.fileSha256(deck.path) === want,
		{ got: L.sha256(bytes), want, size: bytes.length },
	);
	report.check(
		"file name and MIME type are the presentation's",
		binary?.fileName === deck.path.split('/').pop() && /presentationml/.test(binary?.mimeType ?? ''),
		binary,
	);
	report.info(`Pokee Trigger (Turn Finished) → execution ${execution.id} downloaded ${binary?.fileName}`);
	report.info(`${bytes.length.toLocaleString('en-US')} bytes, sha256 ${want.slice(0, 16)}… = the fake's file`);
	// With --keep the server stays up (the caller stops it); otherwise stop it now.
	if (!ctx.keepServer) {
		await n8n.stopServer();
		printed.push(n8n.log);
	}
}

/**
 * "Test connection" in the credential dialog, through n8n's REST API: a right key passes, a wrong
 * one fails with the API's message, and the fakes show the test only read (GET /user/profile,
 * GET /v1/usage): no message sent, no trigger, session or turn created.
 */
async function credentialTests({ report, fakes, n8n, port, printed }) {
	const running = !!n8n.server;
	if (!running) await n8n.start({ port });
	const base = `http://127.0.0.1:${n8n.port}`;
	const browserId = 'e2e-credential-test';
	const call = (method, url, json, cookie) =>
		L.httpRequest(method, `${base}${url}`, json, { 'browser-id': browserId, ...(cookie ? { Cookie: cookie } : {}) });
	let cookie = '';
	let problem = '';
	try {
		cookie = await n8n.signIn(OWNER);
	} catch (error) {
		problem = error.message;
	}
	report.check('signed in to n8n as the owner', cookie !== '', problem);

	const messagesBefore = fakes.poke.messages.length;
	const webhooksBefore = fakes.poke.webhooks.size;
	const sessionsBefore = fakes.pokee.sessions.size;
	const turnsBefore = fakes.pokee.turnsStarted;
	fakes.poke.requests.length = 0;
	fakes.pokee.clearRequests();
	// The messages n8n shows for a refused credential: per status, with the hints the nodes give
	// (the one text of each, from the sources).
	require('../../bench/lib/tsHook');
	const { pokeAuthHints, pokeeAuthHints } = require('../../nodes/shared/authHints.ts');
	// n8n 1.x's credential tester never applies a credential's `rules`: it reads the status from
	// `error.cause.response.status`, which its request helper's errors do not carry, so it shows
	// n8n's own text per status (checked in 1.123.81's credentials-tester.service.js). There the
	// test expects that text: the test still fails, per status, without the key.
	const n8nOwnText = { 401: /^Authorization failed - please check your credentials/, 403: /^Forbidden - perhaps check your credentials/ };
	const says = (...parts) => (message) => parts.every((part) => (part instanceof RegExp ? part.test(message) : message.includes(part)));
	const cases = [
		{ what: 'a right key', type: 'pokeApi', data: { apiKey: fakes.poke.v2Key, baseUrl: `${fakes.poke.apiUrl}/` }, ok: true },
		{
			what: 'a wrong key',
			type: 'pokeApi',
			data: { apiKey: WRONG_KEYS.poke, baseUrl: fakes.poke.apiUrl },
			status: 401,
			message: says(/^Poke rejected the API key \(HTTP 401\)/, 'legacy pk_ key', pokeAuthHints[401]),
		},
		{
			what: 'a legacy pk_ key',
			type: 'pokeApi',
			data: { apiKey: fakes.poke.v1Key, baseUrl: fakes.poke.apiUrl },
			status: 401,
			message: says(/^Poke rejected the API key \(HTTP 401\)/, 'legacy pk_ key', pokeAuthHints[401]),
		},
		{
			what: 'a key without the scope (403)',
			type: 'pokeApi',
			data: { apiKey: fakes.poke.v2Key, baseUrl: fakes.poke.apiUrl },
			before: () => fakes.poke.fault({ method: 'GET', path: /\/user\/profile$/, kind: 'status', status: 403, body: { error: 'Missing scope: profile:read' } }),
			status: 403,
			message: says(/^Poke accepted the API key but .*\(HTTP 403\)/, pokeAuthHints[403]),
		},
		{ what: 'a right key', type: 'pokeeApi', data: { apiKey: L.POKEE_KEY, baseUrl: fakes.pokee.baseUrl }, ok: true },
		{
			what: 'a wrong key',
			type: 'pokeeApi',
			data: { apiKey: WRONG_KEYS.pokee, baseUrl: fakes.pokee.baseUrl },
			status: 401,
			message: says(/^Pokee rejected the API key \(HTTP 401\)/, pokeeAuthHints[401]),
		},
		{
			what: 'a key without the scope (403)',
			type: 'pokeeApi',
			data: { apiKey: L.POKEE_KEY, baseUrl: fakes.pokee.baseUrl },
			before: () => fakes.pokee.fault({ method: 'GET', path: '/v1/usage', kind: 'status', status: 403, body: { error: 'forbidden', message: 'missing scope usage:read' } }),
			status: 403,
			message: says(/^Pokee accepted the API key but .*\(HTTP 403\)/, pokeeAuthHints[403]),
		},
	];
	for (const c of cases) {
		const credential = { id: '', name: `test ${c.type} ${c.what}`, type: c.type, data: c.data };
		if (L.N8N_MAJOR < 2) {
			// n8n 1.x tests only stored credentials (its editor saves the credential, then tests it)
			const created = await call('POST', '/rest/credentials', { name: credential.name, type: c.type, data: c.data }, cookie);
			try {
				credential.id = JSON.parse(created.body).data.id;
			} catch {
				report.check(`${c.type}: the credential is saved (n8n 1.x)`, false, created.body.slice(0, 300));
			}
		}
		if (c.before) c.before();
		const res = await call('POST', '/rest/credentials/test', { credentials: credential }, cookie);
		let result;
		try {
			result = JSON.parse(res.body).data;
		} catch {
			result = undefined;
		}
		const passed = result?.status === 'OK';
		const message = String(result?.message ?? '');
		report.check(
			`${c.type} with ${c.what}: the test ${c.ok ? 'passes' : `fails with "${message}"`}`,
			res.status === 200 && passed === !!c.ok && (c.ok || (L.N8N_MAJOR < 2 ? n8nOwnText[c.status].test(message) : c.message(message))) && !message.includes(c.data.apiKey),
			{ status: res.status, body: res.body.slice(0, 500) },
		);
	}
	const pokeSeen = fakes.poke.requests.map((r) => `${r.method} ${r.path}`);
	// (the published deck workflow's trigger may poll GET /v1/sessions meanwhile: not a test request)
	const pokeeSeen = fakes.pokee.requests.map((r) => `${r.method} ${r.path}`).filter((r) => r !== 'GET /v1/sessions');
	report.check(
		'the Poke test only called GET /user/profile',
		pokeSeen.length >= 2 && pokeSeen.every((r) => r === 'GET /api/v1/user/profile'),
		pokeSeen,
	);
	report.check(
		'the Pokee test only called GET /v1/usage',
		pokeeSeen.length >= 2 && pokeeSeen.every((r) => r === 'GET /v1/usage'),
		pokeeSeen,
	);
	report.check(
		'no message, trigger, session or turn was created by the tests',
		fakes.poke.messages.length === messagesBefore &&
			fakes.poke.webhooks.size === webhooksBefore &&
			fakes.pokee.sessions.size === sessionsBefore &&
			fakes.pokee.turnsStarted === turnsBefore,
	);
	printed.push(n8n.log);
	if (!running) await n8n.stopServer();
}

async function noKeysStored({ report, fakes, n8n, printed }) {
	const keys = {
		'wrong Poke key': WRONG_KEYS.poke,
		'wrong Pokee key': WRONG_KEYS.pokee,
		'Poke key': fakes.poke.v2Key,
		'Pokee key': L.POKEE_KEY,
		'OpenAI key': fakes.chat.apiKey,
	};
	if (n8n.server) printed.push(n8n.log);
	const output = printed.join('\n');
	let clean = 0;
	for (const [name, key] of Object.entries(keys)) {
		const files = n8n.databaseContains(key);
		const ok = !output.includes(key) && files.length === 0;
		if (
			report.check(`${name}: not in n8n's output, not in its database files`, ok, {
				inOutput: output.includes(key),
				files,
			})
		)
			clean++;
	}
	report.info(
		`${clean} of ${Object.keys(keys).length} API keys (right and wrong) found nowhere in n8n's output or database files`,
	);
}

module.exports = { runScenario, runAlone, Reporter, EXAMPLES, OWNER };
