'use strict';
/** Runs the pinned n8n 2.41.1 CLI through scripts/n8n-run.sh with a private user folder. */
const { spawn } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');

function n8n(userFolder, args, { env = {} } = {}) {
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		const child = spawn(path.join(ROOT, 'scripts/n8n-run.sh'), [userFolder, ...args], {
			cwd: ROOT,
			env: { ...process.env, ...env },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const out = [];
		const err = [];
		child.stdout.on('data', (c) => out.push(c));
		child.stderr.on('data', (c) => err.push(c));
		child.on('error', reject);
		child.on('close', (code) =>
			resolve({
				code,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
				wallMs: performance.now() - t0,
			}),
		);
	});
}

/** The IRun JSON that `execute --rawOutput` prints after its log lines. */
function parseRun(stdout) {
	const lines = stdout.split('\n');
	const start = lines.findIndex((l) => l.startsWith('{'));
	if (start < 0) throw new Error(`no JSON in n8n output:\n${stdout.slice(-2000)}`);
	let end = lines.length;
	// log lines may follow the JSON: drop them until it parses
	while (end > start) {
		try {
			return JSON.parse(lines.slice(start, end).join('\n'));
		} catch {
			end--;
			while (end > start && !lines[end - 1].startsWith('}')) end--;
		}
	}
	throw new Error('unparseable JSON in n8n output');
}

module.exports = { n8n, parseRun };
