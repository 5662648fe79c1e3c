/**
 * `npm run lint`: n8n's strict lint (`n8n-node lint`) for each package of packages/ on its own,
 * in a staged copy of the sources it ships (scripts/packages.js stagePackageSources): the
 * repository's root is a workspace, not a package, so the lint runs where each package's
 * package.json is next to its sources, as n8n-node expects. `--fix` fixes the real sources
 * (eslint --fix on nodes/ and credentials/), then lints each package.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { ROOT, packages, stagePackageSources } = require('./packages.js');
const bin = (name) => path.join(ROOT, 'node_modules/.bin', name);

if (process.argv.includes('--fix')) {
	spawnSync(bin('eslint'), ['--fix', 'nodes', 'credentials'], { cwd: ROOT, stdio: 'inherit' });
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-poke-lint-'));
let failed = 0;
try {
	for (const pkg of packages()) {
		const dir = stagePackageSources(pkg, path.join(tmp, pkg.name));
		console.log(`\n== n8n-node lint (strict): ${pkg.name}`);
		const result = spawnSync(bin('n8n-node'), ['lint'], { cwd: dir, stdio: 'inherit', env: { ...process.env, CI: 'true' } });
		if (result.status !== 0) failed++;
		else console.log(`lint passed: ${pkg.name}`);
	}
} finally {
	fs.rmSync(tmp, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
