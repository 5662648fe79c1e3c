'use strict';
/** Shared by the worker processes: load the node sources (or dist/) and report back over IPC. */
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');

function loadHarness() {
	if (process.env.N8N_POKE_FROM_DIST !== '1') require('../lib/tsHook');
	return require(path.join(ROOT, 'test/harness/n8n.js'));
}

/** Runs `main(config)` with the JSON config from argv[2] and sends {result} or {error} to the parent. */
function runWorker(main) {
	const config = JSON.parse(process.argv[2] || '{}');
	// disconnect only once the message is handed to the channel: a large result (hundreds of kB)
	// is otherwise cut off, and the parent sees a worker that exited without one
	const report = (message) => new Promise((resolve) => process.send(message, () => resolve()));
	main(config)
		.then((result) => report({ result }))
		.catch((error) => report({ error: String(error && error.stack ? error.stack : error) }))
		.finally(() => process.disconnect());
}

async function newSession(baseUrl, apiKey) {
	const res = await fetch(`${baseUrl}/v1/sessions`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
		body: JSON.stringify({ persistent: true }),
	});
	if (res.status !== 201) throw new Error(`session create failed: ${res.status} ${await res.text()}`);
	return (await res.json()).id;
}

module.exports = { ROOT, loadHarness, runWorker, newSession };
