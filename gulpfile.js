/**
 * Build steps after `tsc`:
 *  - icons: copy the SVG icons and the codex .node.json files next to the compiled nodes;
 *  - schemas: copy the output schemas (nodes/<Node>/__schema__/v<version>/<resource>/<operation>.json)
 *    next to the compiled nodes, where n8n looks them up for the editor's schema view;
 *  - bundle: inline our modules and the devDependencies used at run time (eventsource-parser)
 *    into each node and credential entry with esbuild, so dist/ runs inside n8n with no
 *    node_modules beside it;
 *  - verify: fail the build if any file in dist/ still requires a package other than
 *    n8n-workflow or a Node built-in, or a relative file that is not there.
 */
const { src, dest, series } = require('gulp');
const fs = require('node:fs');
const path = require('node:path');
const { builtinModules } = require('node:module');
const esbuild = require('esbuild');

const pkg = require('./package.json');

function icons() {
	return src(['nodes/**/*.{svg,png}', 'nodes/**/*.node.json', 'credentials/**/*.{svg,png}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

function schemas() {
	return src('nodes/*/__schema__/**/*.json', { base: '.' }).pipe(dest('dist'));
}

async function bundle() {
	// credentials too: they share texts with the nodes (nodes/shared/authHints.ts)
	const entries = [...pkg.n8n.nodes, ...pkg.n8n.credentials].map((file) => path.resolve(__dirname, file));
	for (const entry of entries) {
		const result = await esbuild.build({
			entryPoints: [entry],
			bundle: true,
			platform: 'node',
			target: 'node20',
			format: 'cjs',
			external: ['n8n-workflow'],
			write: false,
			legalComments: 'inline',
			logLevel: 'warning',
		});
		fs.writeFileSync(entry, result.outputFiles[0].contents);
	}
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
	const allowed = new Set(['n8n-workflow', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
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
