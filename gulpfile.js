/**
 * Build steps after `tsc`:
 *  - icons: copy the SVG icons and the codex .node.json files next to the compiled nodes;
 *  - schemas: write the output schemas (nodes/<Node>/__schema__/v<version>/<resource>/<operation>.json,
 *    a shared one resolved: scripts/output-schemas.js)
 *    next to the compiled nodes, where n8n looks them up for the editor's schema view;
 *  - bundle: inline our modules and the devDependencies used at run time (eventsource-parser)
 *    into each node and credential entry with esbuild, so dist/ runs inside n8n with no
 *    node_modules beside it; the license notice of every bundled package (eventsource-parser,
 *    MIT) goes at the top of each file that bundles it and into dist/THIRD_PARTY_NOTICES.md;
 *  - verify: fail the build if any file in dist/ still requires a package other than
 *    n8n-workflow or a Node built-in, or a relative file that is not there.
 */
const { src, dest, series } = require('gulp');
const fs = require('node:fs');
const path = require('node:path');
const { builtinModules } = require('node:module');
const esbuild = require('esbuild');

const pkg = require('./package.json');
const { readOutputSchema } = require('./scripts/output-schemas');

function icons() {
	return src(['nodes/**/*.{svg,png}', 'nodes/**/*.node.json', 'credentials/**/*.{svg,png}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

/** The packages (from node_modules) an esbuild metafile says were bundled, by name. */
function bundledPackages(metafile) {
	const names = new Set();
	for (const input of Object.keys(metafile.inputs)) {
		const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
		if (match) names.add(match[1]);
	}
	return [...names].sort();
}

/** A bundled package's name, version, license and license text (its LICENSE file). */
function licenseOf(name) {
	const dir = path.dirname(require.resolve(`${name}/package.json`, { paths: [__dirname] }));
	const meta = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
	const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
	if (!file) throw new Error(`${name} is bundled into dist/ but ships no LICENSE file to keep with it`);
	return { name, version: meta.version, license: meta.license, text: fs.readFileSync(path.join(dir, file), 'utf8').trim() };
}

const noticesFile = () => path.resolve(__dirname, 'dist/THIRD_PARTY_NOTICES.md');

/** Each output schema resolved (a file may name another with the same shape: scripts/output-schemas.js). */
function schemas(done) {
	for (const node of fs.readdirSync(path.resolve(__dirname, 'nodes'))) {
		const dir = path.resolve(__dirname, 'nodes', node, '__schema__');
		if (!fs.existsSync(dir)) continue;
		for (const file of walk(dir).filter((f) => f.endsWith('.json'))) {
			const out = path.resolve(__dirname, 'dist', path.relative(__dirname, file));
			fs.mkdirSync(path.dirname(out), { recursive: true });
			fs.writeFileSync(out, `${JSON.stringify(readOutputSchema(file), null, '\t')}\n`);
		}
	}
	done();
}

async function bundle() {
	// credentials too: they share texts with the nodes (nodes/shared/authHints.ts)
	const entries = [...pkg.n8n.nodes, ...pkg.n8n.credentials].map((file) => path.resolve(__dirname, file));
	const notices = new Map(); // package name -> { ..., files }
	for (const entry of entries) {
		const result = await esbuild.build({
			entryPoints: [entry],
			bundle: true,
			platform: 'node',
			target: 'node20',
			format: 'cjs',
			// n8n resolves the AI SDK to its own copy; the chat model loads it lazily (n8n < 2.16 has none)
			external: ['n8n-workflow', '@n8n/ai-node-sdk'],
			write: false,
			legalComments: 'inline',
			metafile: true,
			logLevel: 'warning',
		});
		const packages = bundledPackages(result.metafile).map(licenseOf);
		const banner = packages
			.map((p) => `/*!\n * Bundled: ${p.name}@${p.version} (${p.license})\n *\n${p.text.replace(/\*\//g, '* /').split('\n').map((l) => ` * ${l}`.trimEnd()).join('\n')}\n */\n`)
			.join('');
		fs.writeFileSync(entry, banner + result.outputFiles[0].text);
		for (const p of packages) {
			const known = notices.get(p.name) ?? { ...p, files: [] };
			known.files.push(path.relative(__dirname, entry));
			notices.set(p.name, known);
		}
	}
	const sections = [...notices.values()].map(
		(p) =>
			`## ${p.name} ${p.version} (${p.license})\n\nBundled into: ${p.files.map((f) => `\`${f.replace(/^dist\//, '')}\``).join(', ')}\n\n\`\`\`\n${p.text}\n\`\`\`\n`,
	);
	fs.writeFileSync(
		noticesFile(),
		`# Third-party notices\n\nThe files of this package named below bundle code of these packages (esbuild), under their licenses:\n\n${sections.join('\n')}`,
	);
	// everything else tsc wrote under dist/nodes is now inside an entry: drop it
	for (const file of walk(path.resolve(__dirname, 'dist/nodes'))) {
		if (file.endsWith('.js') && !entries.includes(file)) fs.rmSync(file);
	}
	removeEmptyDirs(path.resolve(__dirname, 'dist/nodes'));
}

function removeEmptyDirs(dir) {
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		if (entry.isDirectory()) removeEmptyDirs(path.join(dir, entry.name));
	}
	if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
}

function walk(dir) {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		return entry.isDirectory() ? walk(full) : [full];
	});
}

async function verify() {
	const allowed = new Set(['n8n-workflow', '@n8n/ai-node-sdk', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
	const problems = [];
	for (const file of walk(path.resolve(__dirname, 'dist')).filter((f) => f.endsWith('.js'))) {
		const code = fs.readFileSync(file, 'utf8');
		for (const match of code.matchAll(/require\(["']([^"']+)["']\)/g)) {
			const name = match[1];
			if (name.startsWith('.')) {
				const target = path.resolve(path.dirname(file), name);
				if (!['', '.js', '.json'].some((ext) => fs.existsSync(target + ext) && fs.statSync(target + ext).isFile())) {
					problems.push(`${path.relative(__dirname, file)} requires ${name}, which is not in dist/`);
				}
				continue;
			}
			if (allowed.has(name)) continue;
			problems.push(`${path.relative(__dirname, file)} requires ${name}`);
		}
	}
	// every bundled package's notice is at the top of its bundle and in THIRD_PARTY_NOTICES.md
	const notices = fs.existsSync(noticesFile()) ? fs.readFileSync(noticesFile(), 'utf8') : '';
	for (const entry of pkg.n8n.nodes) {
		const code = fs.readFileSync(path.resolve(__dirname, entry), 'utf8');
		for (const match of code.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) {
			const name = match[1];
			if (!code.includes(`Bundled: ${name}@`) || !notices.includes(`## ${name} `)) {
				problems.push(`${entry} bundles ${name} without its license notice`);
			}
		}
	}
	for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
		if (!fs.existsSync(path.resolve(__dirname, file))) problems.push(`${file} (listed in package.json) is missing`);
	}
	if (problems.length) throw new Error(`dist/ is not self-contained:\n${problems.join('\n')}`);
}

exports.icons = icons;
exports.bundle = bundle;
exports.verify = verify;
exports.schemas = schemas;
exports.build = series(icons, schemas, bundle, verify);
exports.default = exports.build;
