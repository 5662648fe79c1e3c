'use strict';
/**
 * End-to-end tests in a real n8n (N8N_VERSION, default 2.41.1; see scenario.js). Prints PASS/FAIL per check and exits 1
 * when any failed. Run it through scripts/e2e.sh, which provisions n8n and Node 24 first.
 *
 * Environment: E2E_USER_FOLDER (n8n user folder; default a new temporary folder, removed at the
 * end unless E2E_KEEP_FOLDER=1), E2E_PID_FILE (see lib.js).
 */
const fs = require('node:fs');
const L = require('./lib');
const { runScenario, Reporter } = require('./scenario');

async function main() {
	const started = Date.now();
	const userFolder = process.env.E2E_USER_FOLDER || L.tempUserFolder();
	const report = new Reporter('e2e');
	console.log(`e2e: n8n ${L.N8N_VERSION} on Node ${process.version}, user folder ${userFolder}`);
	try {
		await runScenario({ report, userFolder });
	} catch (error) {
		report.check('scenario', false, error.stack ?? String(error));
	} finally {
		await L.cleanup();
		if (process.env.E2E_KEEP_FOLDER !== '1' && !process.env.E2E_USER_FOLDER) {
			fs.rmSync(userFolder, { recursive: true, force: true });
		}
	}
	const seconds = ((Date.now() - started) / 1000).toFixed(0);
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
