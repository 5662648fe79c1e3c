'use strict';
/**
 * Drives the real n8n editor in Debian's Chromium (playwright-core):
 *   1. opens the parameter panel of every node type × operation of this package (see cases.js)
 *      and checks that
 *      - the panel rendered every parameter n8n's display rules say it must show, with its
 *        label, and nothing else;
 *      - every Options parameter shows the name of its current value (a value missing from its
 *        options would show blank or raw);
 *      - no console error and no uncaught page error happened while opening or closing it;
 *   2. takes the README screenshots of a small connected workflow (showcase.js), again
 *      without console errors;
 *   3. searches the node panel ("+") for Poke and Pokee: each must be listed, with every
 *      operation as an action and the Pokee Trigger's events as triggers;
 *   4. the schema view before any execution: a node after Pokee → Message → Send (and after
 *      Tool Result → Submit) shows the fields of the output schema this package ships
 *      (text, session_id, response_id, tool_call with call_id and name), served by n8n.
 * Console errors in IGNORED are tolerated (and printed).
 *
 * Run by scripts/browser.sh (which provides Chromium, the dependencies and the pinned n8n).
 * Starts a throw-away n8n with the package installed (test/e2e/lib.js) and stops it at the end;
 * settings:
 *   N8N_URL          use this running editor instead, e.g. http://127.0.0.1:5678 (a fresh
 *                    instance: no owner yet, or one a previous run set up)
 *   CHROMIUM         the browser binary (default /usr/bin/chromium)
 *   ARTIFACT_DIR     where screenshots of failing panels go (default test-output/browser)
 *   SCREENSHOT_DIR   where the README screenshots go (default: ARTIFACT_DIR/screenshots;
 *                    scripts/browser.sh passes docs/screenshots when UPDATE_SCREENSHOTS=1)
 * Prints PASS/FAIL per node type and variant; exits 1 if anything failed.
 */
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const { buildCases, defaultVersion } = require('./cases');
const { typeName } = require('../harness/nodeTypes');
const { showcaseWorkflow, SHOTS } = require('./showcase');
const { DEFAULT_KEY } = require('../fakes/fakePokee');
const L = require('../e2e/lib');

const ROOT = path.resolve(__dirname, '../..');
/** The editor's URL: N8N_URL, or the throw-away n8n main() starts. */
let BASE = (process.env.N8N_URL || '').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACT_DIR = path.resolve(ROOT, process.env.ARTIFACT_DIR || 'test-output/browser');
const SCREENSHOT_DIR = path.resolve(ROOT, process.env.SCREENSHOT_DIR || path.join(ARTIFACT_DIR, 'screenshots'));

/**
 * Console errors tolerated, matched as narrowly as possible: [regex on the text, why].
 * Every ignored message is still printed at the end of the run.
 */
const IGNORED = [
	[
		// The node panel's details of a community node look the package up on the public npm
		// registry from the browser (version, "Via npm"). The network is closed here (and the
		// package may not be published yet): the request fails whatever n8n or the node does.
		/^console\.error: Failed to load resource: .* \[https:\/\/registry\.npmjs\.org\/n8n-nodes-pokee?:0\]$/,
		'browser-side npm registry lookup of this package (no internet here)',
	],
];

// DEBUG=1 traces each step with its time.
const trace = process.env.DEBUG ? (...a) => console.error(`[${(performance.now() / 1000).toFixed(1)}s]`, ...a) : () => {};

// The network is closed: without the background-networking flags Chromium keeps trying to
// reach Google services and logs the refused connections. (Playwright gives every launch a
// fresh temporary profile directory and deletes it on close.)
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

// Fake credentials: the panels only list them, nothing is sent (no operation is executed).
const CREDENTIAL_DATA = { apiKey: DEFAULT_KEY, baseUrl: 'http://127.0.0.1:9' };

// ---------------------------------------------------------------------------------------------
// n8n REST API (the editor's own internal API), authenticated with the owner's cookie.

let authCookie = '';

async function rest(method, url, body) {
	const res = await fetch(BASE + url, {
		method,
		headers: { 'content-type': 'application/json', cookie: authCookie },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
	return text ? JSON.parse(text) : {};
}

const OWNER = { email: 'owner@example.com', password: 'Browser-test-0wner', firstName: 'Test', lastName: 'Owner' };

/** Signs in as the owner (set up on a fresh instance) and keeps the cookie; returns its value. */
async function setUpOwner() {
	authCookie = await L.signIn(BASE, OWNER);
	return authCookie.slice('n8n-auth='.length);
}

/** One credential per credential type our nodes use: { pokeApi: {id, name}, ... }. */
async function createCredentials(types) {
	const credentialTypes = await rest('GET', '/types/credentials.json');
	const out = {};
	for (const type of types) {
		const found = credentialTypes.find((t) => t.name === type);
		const name = `${found ? found.displayName : type} account`; // as n8n names new ones
		const { data } = await rest('POST', '/rest/credentials', { name, type, data: CREDENTIAL_DATA });
		out[type] = { id: data.id, name };
	}
	return out;
}

/** One workflow holding a node per case, in a grid of one row per node type. */
function casesWorkflow(cases, credentials) {
	const types = [...new Set(cases.map((c) => c.type))];
	const rows = [];
	for (const type of types) {
		const own = cases.filter((c) => c.type === type);
		for (let i = 0; i < own.length; i += 8) rows.push(own.slice(i, i + 8));
	}
	const nodes = rows.flatMap((row, y) =>
		row.map((c, x) => {
			const credType = c.desc.credentials && c.desc.credentials[0] && c.desc.credentials[0].name;
			return {
				id: `00000000-0000-4000-8000-${String(y * 100 + x).padStart(12, '0')}`,
				name: c.nodeName,
				type: c.type,
				typeVersion: defaultVersion(c.desc),
				position: [x * 260, y * 220],
				parameters: c.parameters,
				...(credType ? { credentials: { [credType]: credentials[credType] } } : {}),
			};
		}),
	);
	return { name: 'Browser test: every panel', nodes, connections: {}, settings: {} };
}

// ---------------------------------------------------------------------------------------------
// Browser side.

/** Console errors and page errors, appended to whichever bucket is current. */
function watchConsole(page) {
	const state = { bucket: [], ignored: [] };
	const add = (text) => {
		const rule = IGNORED.find(([re]) => re.test(text));
		if (rule) state.ignored.push(`${text}  (ignored: ${rule[1]})`);
		else state.bucket.push(text);
	};
	page.on('console', (msg) => {
		if (msg.type() !== 'error') return;
		const loc = msg.location();
		add(`console.error: ${msg.text()}${loc && loc.url ? ` [${loc.url}:${loc.lineNumber}]` : ''}`);
	});
	page.on('pageerror', (err) => add(`page error: ${err.stack || err.message}`));
	return state;
}

/**
 * Resolves once the page has no HTTP request in flight (n8n's push connection excepted) over
 * two animation frames: whatever opening the panel triggered (requests, their handlers, the
 * re-render) is over, so errors it causes have been reported. Bounded by Playwright's timeout.
 */
function trackRequests(page) {
	const inFlight = new Set();
	const skip = (req) => req.url().includes('/rest/push');
	page.on('request', (req) => !skip(req) && inFlight.add(req));
	page.on('requestfinished', (req) => inFlight.delete(req));
	page.on('requestfailed', (req) => inFlight.delete(req));
	return async function settled() {
		const deadline = Date.now() + 30_000;
		for (;;) {
			if (inFlight.size === 0) {
				await page.evaluate(
					() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))),
				);
				if (inFlight.size === 0) return;
			}
			if (Date.now() > deadline) {
				throw new Error(`requests still open: ${[...inFlight].map((r) => r.url()).join(', ')}`);
			}
			await page.waitForEvent('requestfinished', { timeout: 1000 }).catch(() => {});
		}
	};
}

/** What the open panel rendered: { labels: {name: text}, selects: {name: shown value} }. */
async function readPanel(page) {
	return await page.evaluate(() => {
		const root = document.querySelector('[data-test-id="ndv"] [data-test-id="node-parameters"]');
		// The Settings tab's parameters (Always Output Data, Notes, ...) sit hidden in the same container.
		const visible = (el) => el.checkVisibility();
		const labels = {};
		for (const label of [...root.querySelectorAll('label[for]')].filter(visible)) {
			labels[label.getAttribute('for')] = label.textContent.trim();
		}
		const selects = {};
		for (const el of [...root.querySelectorAll('[data-test-id^="parameter-input-"]')].filter(visible)) {
			const input = el.querySelector('input[role="combobox"]');
			if (input) selects[el.getAttribute('data-test-id').slice('parameter-input-'.length)] = input.value;
		}
		return { labels, selects };
	});
}

/** Problems in the rendered panel compared to the expected parameters of the case. */
function checkPanel(c, panel) {
	const problems = [];
	for (const p of c.shown) {
		const text = panel.labels[p.name];
		if (text === undefined) problems.push(`parameter "${p.displayName}" (${p.name}) not rendered`);
		else if (!text.startsWith(p.displayName)) {
			problems.push(`parameter ${p.name}: label "${text}", expected "${p.displayName}"`);
		}
		if (p.type === 'options' && panel.selects[p.name] !== undefined) {
			const value = JSON.stringify(c.values[p.name]);
			const option = p.options.find((o) => o.value === c.values[p.name]);
			if (!option) problems.push(`parameter ${p.name}: value ${value} is not among its options`);
			else if (panel.selects[p.name] !== option.name) {
				problems.push(`parameter ${p.name} shows "${panel.selects[p.name]}", expected "${option.name}" (value ${value})`);
			}
		}
	}
	const expected = new Set(c.shown.map((p) => p.name));
	for (const name of Object.keys(panel.labels)) {
		if (!expected.has(name) && !c.nested.has(name)) {
			problems.push(`unexpected parameter "${panel.labels[name]}" (${name}) rendered`);
		}
	}
	return problems;
}

async function openWorkflow(page, id, nodeCount) {
	await page.goto(`${BASE}/workflow/${id}`);
	await page.locator('[data-test-id="canvas-node"]').nth(nodeCount - 1).waitFor();
}

async function openNode(page, name) {
	trace('open', name);
	await page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).dblclick();
	await page.locator('[data-test-id="ndv"] [data-test-id="node-parameters"]').waitFor();
}

async function closeNode(page) {
	await page.locator('[data-test-id="ndv-close-button"]').click();
	await page.locator('[data-test-id="ndv"]').waitFor({ state: 'hidden' });
}

async function runCase(page, c, consoleState, settled) {
	consoleState.bucket = [];
	const problems = [];
	try {
		await openNode(page, c.nodeName);
		// Vue renders the parameter list in one pass: wait for the last expected label.
		const last = c.shown[c.shown.length - 1];
		await page.locator(`[data-test-id="node-parameters"] label[for="${last.name}"]`).waitFor().catch(() => {});
		trace('rendered');
		await settled();
		trace('settled');
		problems.push(...checkPanel(c, await readPanel(page)));
	} catch (err) {
		problems.push(`could not open the panel: ${err.message.split('\n')[0]}`);
	}
	problems.push(...consoleState.bucket);
	if (problems.length) {
		const file = path.join(ARTIFACT_DIR, `${c.type}-${c.label}.png`.replace(/[^\w.=-]+/g, '_'));
		await page.screenshot({ path: file }).catch(() => {});
	}
	// Closing is part of the case: errors on unmount count too.
	consoleState.bucket = [];
	await closeNode(page).catch((err) => problems.push(`could not close the panel: ${err.message.split('\n')[0]}`));
	await settled().catch(() => {});
	problems.push(...consoleState.bucket.map((e) => `on close: ${e}`));
	return problems;
}

async function takeScreenshots(page, credentials, settled) {
	fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
	const workflow = showcaseWorkflow(credentials);
	const { data } = await rest('POST', '/rest/workflows', workflow);
	await openWorkflow(page, data.id, workflow.nodes.length);
	await page.locator('[data-test-id="zoom-to-fit"]').click();
	// The mouse over an empty spot: no hover highlights (e.g. Fixed/Expression toggles) in the pictures.
	const park = () => page.mouse.move(1300, 880);
	await park();
	await settled();
	const files = [];
	for (const shot of SHOTS) {
		if (shot.node) {
			// Select, move the mouse away, open with Enter: with a double-click the cursor would
			// rest on (and highlight) whatever parameter appears under it.
			await page.locator(`[data-test-id="canvas-node"][data-node-name="${shot.node}"]`).click();
			await park();
			await page.keyboard.press('Enter');
			await page.locator('[data-test-id="ndv"] [data-test-id="node-parameters"]').waitFor();
			await settled();
		}
		const file = path.join(SCREENSHOT_DIR, shot.file);
		await page.screenshot({ path: file });
		files.push(path.relative(ROOT, file));
		if (shot.node) await closeNode(page);
	}
	return files;
}

/**
 * The node panel ("+" on the canvas), where users find nodes: searching a node's name must
 * list it, and its details must list every action (operation) and, when it has a
 * "<name>Trigger" sibling, that trigger's events, which n8n merges into the same entry.
 */
async function checkNodePanel(page, desc, trigger, settled, screenshot) {
	const problems = [];
	const creator = page.locator('[data-test-id="node-creator"]');
	await page.locator('.vue-flow__pane').click({ position: { x: 5, y: 5 } }); // nothing selected
	await page.locator('[data-test-id="node-creator-plus-button"]').click();
	await creator.locator('[data-test-id="node-creator-search-bar"]').fill(desc.displayName);
	const exact = new RegExp(`^${desc.displayName}$`);
	const item = creator.locator('[data-test-id="node-creator-item-name"]', { hasText: exact }).first();
	const found = await item.waitFor({ timeout: 10_000 }).then(
		() => true,
		() => false,
	);
	let shot = null;
	if (!found) {
		const listed = await creator.locator('[data-test-id="node-creator-item-name"]').allInnerTexts();
		problems.push(`searching "${desc.displayName}" does not list the node (listed: ${listed.join(', ') || 'nothing'})`);
		if ((desc.codex?.categories || []).includes('AI')) {
			// n8n 2.41's node panel drops, outside its AI section, every node whose codex
			// categories include "AI" unless codex.subcategories.AI includes "Root Nodes".
			problems.push('likely cause: "AI" among the codex categories (the node\'s .node.json)');
		}
	} else {
		await item.click();
		await creator.locator('[data-test-id="node-creator-category-item"]').first().waitFor();
		await settled();
		const names = await creator.locator('[data-test-id="node-creator-item-name"]').allInnerTexts();
		const categories = await creator.locator('[data-test-id="node-creator-category-item"]').allInnerTexts();
		const actions = desc.properties
			.filter((p) => p.name === 'operation')
			.flatMap((p) => p.options)
			.filter((o) => o.value !== '__CUSTOM_API_CALL__')
			.map((o) => o.action || o.name);
		for (const action of actions) if (!names.includes(action)) problems.push(`action "${action}" not listed`);
		const eventCount = trigger ? (trigger.properties.find((p) => p.name === 'event') || { options: [] }).options.length : 0;
		const want = [`Actions (${actions.length})`, ...(eventCount ? [`Triggers (${eventCount})`] : [])];
		const got = categories.map((c) => c.trim());
		if (want.join('|') !== got.join('|')) problems.push(`categories ${got.join(', ')}; expected ${want.join(', ')}`);
		if (screenshot) {
			await page.mouse.move(700, 880);
			await page.screenshot({ path: screenshot });
			shot = path.relative(ROOT, screenshot);
		}
	}
	// A click outside closes the panel (Escape would first clear the search field).
	await page.mouse.click(100, 450);
	await creator.waitFor({ state: 'hidden' });
	return { problems, shot };
}

/**
 * The output-schema preview: for a node that has not run, the editor asks n8n for
 * /schemas/<type>/<version>/<resource>/<operation>.json and shows its fields in the schema
 * view, so a user can map them before running a turn that takes minutes. Opens the node after
 * each of our nodes (nothing has run) and reads the input panel's schema view.
 */
const PREVIEWS = [
	{
		name: 'Ask Pokee',
		parameters: { resource: 'message', operation: 'send', sessionMode: 'new', message: 'Summarise the Q3 numbers' },
		url: '/schemas/n8n-nodes-pokee.pokee/1.0.0/message/send.json',
		paths: ['.text', '.session_id', '.response_id', '.status', '.tool_call', '.tool_call.call_id', '.tool_call.name', '.tool_call.input', '.usage.output_tokens'],
	},
	{
		name: 'Answer the tool call',
		parameters: { resource: 'toolResult', operation: 'submit' },
		url: '/schemas/n8n-nodes-pokee.pokee/1.0.0/toolResult/submit.json',
		paths: ['.text', '.session_id', '.response_id', '.tool_call.call_id'],
	},
	{
		name: 'Stateless answer',
		parameters: { resource: 'response', operation: 'create', input: 'Hi' },
		url: '/schemas/n8n-nodes-pokee.pokee/1.0.0/response/create.json',
		paths: ['.id', '.text', '.function_calls'],
	},
];

async function checkSchemaPreviews(page, credentials, settled) {
	const results = [];
	for (const preview of PREVIEWS) {
		const problems = [];
		const next = `After ${preview.name}`;
		const workflow = {
			name: `schema preview: ${preview.name}`,
			nodes: [
				{ id: 'p0', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: 'p1',
					name: preview.name,
					type: typeName('pokee'),
					typeVersion: 1,
					position: [240, 0],
					parameters: preview.parameters,
					credentials: { pokeeApi: credentials.pokeeApi },
				},
				{ id: 'p2', name: next, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [480, 0], parameters: {} },
			],
			connections: {
				Start: { main: [[{ node: preview.name, type: 'main', index: 0 }]] },
				[preview.name]: { main: [[{ node: next, type: 'main', index: 0 }]] },
			},
			settings: { executionOrder: 'v1' },
		};
		const { data } = await rest('POST', '/rest/workflows', workflow);
		const served = page.waitForResponse((res) => res.url().endsWith(preview.url), { timeout: 30_000 }).catch(() => undefined);
		try {
			await openWorkflow(page, data.id, workflow.nodes.length);
			await settled();
			await openNode(page, next);
			const input = page.locator('[data-test-id="ndv-input-panel"]');
			// the schema view (the default for input, but make sure)
			const schemaTab = input.locator('[data-test-id="radio-button-schema"]');
			if (await schemaTab.count()) await schemaTab.first().click();
			const response = await served;
			if (!response) problems.push(`the editor did not ask for ${preview.url}`);
			else if (response.status() !== 200) problems.push(`${preview.url}: HTTP ${response.status()}`);
			await input.locator('[data-test-id="run-data-schema-item"]').first().waitFor({ timeout: 15_000 });
			await settled();
			// n8n's preview notice ("Usually outputs the following fields. Execute the node ...")
			const text = await input.innerText();
			if (!/Usually outputs the following fields/.test(text)) problems.push('the schema view does not say it is a preview');
			// The list is virtual (only rows in view exist): scroll through it, collecting the
			// mappable fields' paths (".text", ".tool_call.call_id") and whether they are preview pills.
			const seen = new Map();
			await input.locator('[data-test-id="run-data-schema-item"]').first().hover();
			for (let round = 0; round < 30; round++) {
				const pills = await input.locator('[data-test-id="run-data-schema-node-name"][data-path]').evaluateAll((els) =>
					els.map((el) => [el.getAttribute('data-path'), el.classList.contains('pill--preview'), el.getAttribute('data-node-name')]),
				);
				const before = seen.size;
				for (const [p, isPreview, from] of pills) seen.set(p, { isPreview, from });
				if (round > 0 && seen.size === before) break;
				await page.mouse.wheel(0, 300);
				await page.waitForTimeout(150);
			}
			for (const field of preview.paths) {
				const pill = seen.get(field);
				if (!pill) problems.push(`field ${field} not shown (shown: ${[...seen.keys()].join(', ')})`);
				else if (!pill.isPreview || pill.from !== preview.name) {
					problems.push(`field ${field} is not a preview of "${preview.name}" (${JSON.stringify(pill)})`);
				}
			}
			const file = path.join(ARTIFACT_DIR, `schema-preview-${preview.parameters.resource}-${preview.parameters.operation}.png`);
			if (problems.length) await page.screenshot({ path: file }).catch(() => {});
			await closeNode(page);
		} catch (err) {
			problems.push(`could not check: ${err.message.split('\n')[0]}`);
			await page.screenshot({ path: path.join(ARTIFACT_DIR, `schema-preview-${preview.name.replace(/\W+/g, '_')}.png`) }).catch(() => {});
			await closeNode(page).catch(() => {});
		}
		results.push({ preview, problems });
	}
	return results;
}

/** Runs the checks against N8N_URL, or against a throw-away n8n with the package installed. */
async function main() {
	if (BASE) return await checkEditor();
	const userFolder = L.tempUserFolder('n8n-poke-browser-');
	// also when a signal ends the run early (see below)
	process.on('exit', () => fs.rmSync(userFolder, { recursive: true, force: true }));
	const n8n = new L.N8n(userFolder);
	let passed = false;
	try {
		await n8n.installPackage();
		BASE = `http://127.0.0.1:${await n8n.start()}`;
		console.log(`n8n ready on ${BASE}, opening the editor`);
		await checkEditor();
		passed = !process.exitCode;
	} finally {
		// what n8n logged helps with a failed check
		if (!passed) {
			fs.mkdirSync(ARTIFACT_DIR, { recursive: true });
			fs.writeFileSync(path.join(ARTIFACT_DIR, 'n8n.log'), n8n.log ?? '');
		}
		await L.cleanup();
	}
}

async function checkEditor() {
	fs.mkdirSync(ARTIFACT_DIR, { recursive: true });
	// Failure screenshots of an earlier run would mislead.
	for (const f of fs.readdirSync(ARTIFACT_DIR)) if (f.endsWith('.png')) fs.rmSync(path.join(ARTIFACT_DIR, f));
	const cookie = await setUpOwner();
	const nodeTypes = await rest('GET', '/types/nodes.json');
	const cases = buildCases(nodeTypes);

	// Coverage: the Pokee node must have a panel case for every operation it has, and its
	// operations are its operation files (nodes/Pokee/actions/<resource>/<operation>.operation.ts),
	// read from the source tree: an operation whose resource file forgot it would show here.
	const actions = path.join(ROOT, 'nodes/Pokee/actions');
	const routed = fs
		.readdirSync(actions, { withFileTypes: true })
		.filter((d) => d.isDirectory())
		.flatMap((d) =>
			fs
				.readdirSync(path.join(actions, d.name))
				.map((f) => /^(\w+)\.operation\.ts$/.exec(f)?.[1])
				.filter(Boolean)
				.map((operation) => `${d.name}.${operation}`),
		);
	if (routed.length === 0) throw new Error('no operation files found under nodes/Pokee/actions');
	const opened = new Set(cases.filter((c) => c.type === typeName('pokee')).map((c) => c.label));
	const missing = routed.filter((op) => !opened.has(op));
	for (const t of ['poke', 'pokee', 'pokeeTrigger']) {
		if (!cases.some((c) => c.type === typeName(t))) missing.push(`node type ${typeName(t)} not loaded by n8n`);
	}
	let failed = 0;
	const report = (name, problems, passNote = '') => {
		if (problems.length) {
			failed++;
			console.log(`FAIL ${name}\n    ${problems.join('\n    ')}`);
		} else {
			console.log(`PASS ${name}${passNote}`);
		}
	};
	report('coverage: a panel case per routed Pokee operation, every node type loaded', missing);

	const credTypes = [...new Set(cases.flatMap((c) => (c.desc.credentials || []).map((cr) => cr.name)))];
	const credentials = await createCredentials(credTypes);

	// Playwright closes the browser when this process gets SIGINT/SIGTERM/SIGHUP (its default),
	// which is how scripts/browser.sh's exit trap stops it.
	const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
	try {
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
		await context.addCookies([{ name: 'n8n-auth', value: cookie, url: BASE }]);
		const page = await context.newPage();
		page.setDefaultTimeout(30_000);
		const consoleState = watchConsole(page);
		const settled = trackRequests(page);

		const only = process.env.BROWSER_ONLY; // e.g. "schema": run one part (while working on it)

		// 4. (first: the cheapest) The schema view before execution shows the shipped output schemas.
		for (const { preview, problems } of await checkSchemaPreviews(page, credentials, settled)) {
			report(`schema view before execution: after ${preview.parameters.resource} → ${preview.parameters.operation} it shows ${preview.paths.join(', ')}`, [
				...problems,
				...consoleState.bucket,
			]);
			consoleState.bucket = [];
		}
		if (only === 'schema') {
			console.log(`BROWSER_ONLY=${only}: the other parts skipped`);
			if (failed) process.exitCode = 1;
			return;
		}

		// 1. Every parameter panel, from one workflow holding a node per case.
		const { data } = await rest('POST', '/rest/workflows', casesWorkflow(cases, credentials));
		await openWorkflow(page, data.id, cases.length);
		await settled();
		// Before any panel is opened: errors with our nodes on the canvas.
		report('canvas with a node per case', consoleState.bucket);
		for (const c of cases) {
			const problems = await runCase(page, c, consoleState, settled);
			report(`${c.type} ${c.label}`, problems, ` (${c.shown.map((p) => p.name).join(', ')})`);
		}

		// 2. The showcase workflow: README pictures (panels opened with connected nodes).
		consoleState.bucket = [];
		const files = await takeScreenshots(page, credentials, settled);
		report('showcase workflow: canvas and panels', consoleState.bucket);

		// 3. The node panel: can users find the nodes, and are all actions offered?
		for (const name of ['poke', 'pokee']) {
			const desc = nodeTypes.find((d) => d.name === typeName(name));
			const trigger = nodeTypes.find((d) => name === 'pokee' && d.name === typeName('pokeeTrigger'));
			const shot = name === 'pokee' ? path.join(SCREENSHOT_DIR, 'node-panel-pokee.png') : undefined;
			consoleState.bucket = [];
			const result = await checkNodePanel(page, desc, trigger, settled, shot).catch((err) => ({
				problems: [`node panel: ${err.message.split('\n')[0]}`],
			}));
			if (result.shot) files.push(result.shot);
			report(`node panel: search "${desc.displayName}", its actions${trigger ? ' and triggers' : ''}`, [
				...result.problems,
				...consoleState.bucket,
			]);
		}

		console.log(`screenshots: ${files.join(', ')}`);
		for (const line of consoleState.ignored) console.log(`ignored ${line}`);
	} finally {
		await browser.close();
	}
	console.log(`${cases.length} panels opened; ${failed} check(s) failed`);
	if (failed) process.exitCode = 1;
}

if (require.main === module) {
	// Stopped by scripts/browser.sh's trap: exit at once instead of failing every remaining
	// check against a closed browser. Playwright kills Chromium on process exit; n8n is stopped.
	for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void L.cleanup().finally(() => process.exit(130)));
	main().catch((err) => {
		console.error(`FAIL ${err.stack || err}`);
		process.exitCode = 1;
	});
}
