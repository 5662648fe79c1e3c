'use strict';
/**
 * End-to-end tests in real n8n instances (N8N_VERSION, default 2.41.1; see scenario.js), three
 * fresh ones in turn: both packages installed together (the whole scenario, every example),
 * then n8n-nodes-poke alone and n8n-nodes-pokee alone (each with its service's 0.1.0
 * workflows). Prints PASS/FAIL per check and the time of each instance, exits 1 when any
 * failed. Run it through scripts/e2e.sh, which provisions n8n and Node 24 first.
 *
 * Environment: E2E_USER_FOLDER (n8n user folder; default a new temporary folder, removed at the
 * end unless E2E_KEEP_FOLDER=1), E2E_PID_FILE (see lib.js).
 */
const fs = require('node:fs');
const L = require('./lib');
const path = require('node:path');
const { runScenario, runAlone, Reporter } = require('./scenario');

async function main() {
	const started = Date.now();
	const userFolder = process.env.E2E_USER_FOLDER || L.tempUserFolder();
	const report = new Reporter('e2e');
	console.log(`e2e: n8n ${L.N8N_VERSION} on Node ${process.version}, user folder ${userFolder}`);
	const times = [];
	const instance = async (what, folder, fn) => {
		const begun = Date.now();
		console.log(`\n#### ${what} (n8n ${L.N8N_VERSION}, user folder ${folder})`);
		try {
			await fn(folder);
		} catch (error) {
			report.check(what, false, error.stack ?? String(error));
		}
		times.push(`${what}: ${((Date.now() - begun) / 1000).toFixed(0)} s`);
	};
	try {
		await instance('both packages together', path.join(userFolder, 'together'), (folder) => runScenario({ report, userFolder: folder }));
		for (const name of ['n8n-nodes-poke', 'n8n-nodes-pokee']) {
			await instance(`${name} alone`, path.join(userFolder, name), (folder) => runAlone({ report, userFolder: folder, name }));
		}
	} finally {
		await L.cleanup();
		if (process.env.E2E_KEEP_FOLDER !== '1' && !process.env.E2E_USER_FOLDER) {
			fs.rmSync(userFolder, { recursive: true, force: true });
		}
	}
	const seconds = ((Date.now() - started) / 1000).toFixed(0);
	console.log(`\ne2e: n8n ${L.N8N_VERSION}: ${times.join(', ')}`);
	if (report.failures.length) {
		console.log(
			`\ne2e: FAILED ${report.failures.length} of ${report.passed + report.failures.length} checks (${seconds} s):`,
		);
		for (const failure of report.failures) console.log(`  - ${failure}`);
		process.exitCode = 1;
	} else {
		console.log(`\ne2e: all ${report.passed} checks passed (${seconds} s)`);
	}
}

// Ctrl-C / kill: stop the n8n processes before leaving.
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.once(signal, () => {
		console.log(`\ne2e: ${signal}, stopping n8n`);
		L.cleanup().finally(() => process.exit(130));
	});
}
main();
