/**
 * Build steps after `tsc`:
 *  - icons: copy the SVG icons and the codex .node.json files next to the compiled nodes;
 *  - schemas: write the output schemas (nodes/<Node>/__schema__/v<version>/<resource>/<operation>.json,
 *    a shared one resolved: scripts/output-schemas.js)
 *    next to the compiled nodes, where n8n looks them up for the editor's schema view;
 *  - bundle: inline our modules and the devDependencies used at run time (eventsource-parser)
 *    into each node and credential entry with esbuild, so dist/ runs inside n8n with no
 *    node_modules beside it; the license notice of every bundled package (eventsource-parser,
 *    MIT) goes at the top of each file that bundles it and into dist/THIRD_PARTY_NOTICES.md.
 *    The entries are those the packages' manifests name (packages/<name>/package.json, see
 *    scripts/packages.js), bundled from the TypeScript sources (tsc above type-checks them) so
 *    that esbuild drops the exports an entry does not use: shared code that names both
 *    services (nodes/shared/authHints.ts) ships only the part of the entry's own service;
 *  - verify: fail the build if any file in dist/ still requires a package other than
 *    n8n-workflow or a Node built-in, or a relative file that is not there;
 *  - packages: assemble each package's dist/ (packages/<name>/dist: its entries, the icons,
 *    codex files and output schemas of its nodes' folders, the notices of what its files
 *    bundle) and fail if a package holds, bundles or requires anything of another package's
 *    service, or a node folder is claimed by two packages or by none.
 */
const { src, dest, series } = require('gulp');
const fs = require('node:fs');
const path = require('node:path');
const { builtinModules } = require('node:module');
const esbuild = require('esbuild');

const { readOutputSchema } = require('./scripts/output-schemas');
const { packages, sourceOf, ownedSources } = require('./scripts/packages');

/** Every entry (node or credential) some package ships, as dist/ paths. */
const allEntries = () => [...new Set(packages().flatMap((p) => p.entries))];
const allNodes = () => [...new Set(packages().flatMap((p) => p.nodes))];
/** Every package's peers (n8n-workflow; @n8n/ai-node-sdk for the chat model): n8n provides them. */
const allPeers = () => [...new Set(packages().flatMap((p) => Object.keys(p.manifest.peerDependencies ?? {})))];
/** Entry (dist path) -> { packages: license info of what it bundles, inputs: its source files }. */
const bundled = new Map();

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
	const entries = allEntries().map((file) => path.resolve(__dirname, file));
	const external = allPeers();
	const notices = new Map(); // package name -> { ..., files }
	for (const entry of entries) {
		const result = await esbuild.build({
			entryPoints: [path.resolve(__dirname, sourceOf(path.relative(__dirname, entry)))],
			tsconfig: path.resolve(__dirname, 'tsconfig.json'),
			bundle: true,
			platform: 'node',
			target: 'node20',
			format: 'cjs',
			external,
			// import() of a peer becomes a lazy require(): n8n finds its own @n8n/ai-node-sdk through
			// NODE_PATH, which only require() honours (an ES import() would not find it)
			supported: { 'dynamic-import': false },
			write: false,
			legalComments: 'inline',
			metafile: true,
			logLevel: 'warning',
		});
		const packages = bundledPackages(result.metafile).map(licenseOf);
		const banner = packages
			.map((p) => `/*!\n * Bundled: ${p.name}@${p.version} (${p.license})\n *\n${p.text.replace(/\*\//g, '* /').split('\n').map((l) => ` * ${l}`.trimEnd()).join('\n')}\n */\n`)
			.join('');
		fs.mkdirSync(path.dirname(entry), { recursive: true });
		fs.writeFileSync(entry, banner + result.outputFiles[0].text);
		bundled.set(path.relative(__dirname, entry), { packages, inputs: Object.keys(result.metafile.inputs) });
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
	fs.writeFileSync(noticesFile(), noticesText(sections));
	// everything else tsc wrote under dist/nodes is now inside an entry: drop it
	for (const file of walk(path.resolve(__dirname, 'dist/nodes'))) {
		if (file.endsWith('.js') && !entries.includes(file)) fs.rmSync(file);
	}
	removeEmptyDirs(path.resolve(__dirname, 'dist/nodes'));
}

const noticesText = (sections) =>
	`# Third-party notices\n\nThe files of this package named below bundle code of these packages (esbuild), under their licenses:\n\n${sections.join('\n')}`;

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
	// the peers of some package (each package's own are checked in verifyPackages)
	const allowed = new Set([...allPeers(), ...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
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
	for (const entry of allNodes()) {
		const code = fs.readFileSync(path.resolve(__dirname, entry), 'utf8');
		for (const match of code.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) {
			const name = match[1];
			if (!code.includes(`Bundled: ${name}@`) || !notices.includes(`## ${name} `)) {
				problems.push(`${entry} bundles ${name} without its license notice`);
			}
		}
	}
	for (const file of allEntries()) {
		if (!fs.existsSync(path.resolve(__dirname, file))) problems.push(`${file} (listed in a package's package.json) is missing`);
	}
	if (problems.length) throw new Error(`dist/ is not self-contained:\n${problems.join('\n')}`);
}

/** packages/<name>/dist: the package's entries and its nodes' folders (icons, codex, schemas). */
function assemble(done) {
	const problems = [];
	const claimed = new Map(); // node folder -> package name
	for (const pkg of packages()) {
		const out = path.join(pkg.dir, 'dist');
		fs.rmSync(out, { recursive: true, force: true });
		const files = new Set(pkg.entries);
		for (const entry of pkg.nodes) {
			const folder = path.dirname(entry);
			if (claimed.has(folder) && claimed.get(folder) !== pkg.name) {
				problems.push(`${folder} is shipped by ${claimed.get(folder)} and ${pkg.name}`);
			}
			claimed.set(folder, pkg.name);
			for (const file of walk(path.resolve(__dirname, folder))) {
				// another entry's bundle in the same folder belongs to whoever lists it
				if (!file.endsWith('.js')) files.add(path.relative(__dirname, file));
			}
		}
		for (const file of files) {
			const target = path.join(pkg.dir, file);
			fs.mkdirSync(path.dirname(target), { recursive: true });
			fs.copyFileSync(path.resolve(__dirname, file), target);
		}
		// the notices of what this package's files bundle (none: no notices file)
		const notices = new Map();
		for (const entry of pkg.entries) {
			for (const p of bundled.get(entry)?.packages ?? []) {
				const known = notices.get(p.name) ?? { ...p, files: [] };
				known.files.push(entry);
				notices.set(p.name, known);
			}
		}
		if (notices.size) {
			const sections = [...notices.values()].map(
				(p) =>
					`## ${p.name} ${p.version} (${p.license})\n\nBundled into: ${p.files.map((f) => `\`${f.replace(/^dist\//, '')}\``).join(', ')}\n\n\`\`\`\n${p.text}\n\`\`\`\n`,
			);
			fs.writeFileSync(path.join(out, 'THIRD_PARTY_NOTICES.md'), noticesText(sections));
		}
	}
	// every node folder of the source tree belongs to exactly one package
	for (const node of fs.readdirSync(path.resolve(__dirname, 'nodes'))) {
		const folder = `dist/nodes/${node}`;
		if (node !== 'shared' && !claimed.has(folder)) {
			problems.push(`nodes/${node} is in no package: add its entry to the "n8n.nodes" of packages/<name>/package.json`);
		}
	}
	if (problems.length) throw new Error(problems.join('\n'));
	done();
}

/**
 * Each package on its own: its files require only Node built-ins, its peer dependencies and
 * files inside it; its bundles were built only from its own sources, nodes/shared/ and
 * node_modules; every file:<icon> its code names is inside it.
 */
function verifyPackages(done) {
	const problems = [];
	const all = packages();
	for (const pkg of all) {
		const dist = path.join(pkg.dir, 'dist');
		const allowed = new Set([...Object.keys(pkg.manifest.peerDependencies ?? {}), ...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
		const owned = ownedSources(pkg);
		for (const file of walk(dist).filter((f) => f.endsWith('.js'))) {
			const code = fs.readFileSync(file, 'utf8');
			const where = path.relative(__dirname, file);
			for (const match of code.matchAll(/require\(["']([^"']+)["']\)/g)) {
				const name = match[1];
				if (name.startsWith('.')) {
					const target = path.resolve(path.dirname(file), name);
					if (!target.startsWith(dist + path.sep) || !['', '.js', '.json'].some((ext) => fs.existsSync(target + ext))) {
						problems.push(`${where} requires ${name}, which is not in ${pkg.name}`);
					}
				} else if (!allowed.has(name)) {
					problems.push(`${where} requires ${name}, neither a Node built-in nor a peer dependency of ${pkg.name}`);
				}
			}
			for (const match of code.matchAll(/["']file:([^"']+)["']/g)) {
				const icon = path.resolve(path.dirname(file), match[1]);
				if (!icon.startsWith(dist + path.sep) || !fs.existsSync(icon)) problems.push(`${where} names file:${match[1]}, which is not in ${pkg.name}`);
			}
		}
		for (const entry of pkg.entries) {
			for (const input of bundled.get(entry)?.inputs ?? []) {
				const ok = /(^|\/)node_modules\//.test(input) || input.startsWith('nodes/shared/') || owned.some((o) => (o.endsWith('/') ? input.startsWith(o) : input === o));
				if (!ok) problems.push(`${pkg.name}: ${entry} bundles ${input}, which belongs to another package`);
			}
		}
		for (const other of all.filter((p) => p !== pkg)) {
			for (const entry of other.entries) {
				if (fs.existsSync(path.join(pkg.dir, entry))) problems.push(`${pkg.name} holds ${entry} of ${other.name}`);
			}
		}
	}
	if (problems.length) throw new Error(`the packages are not separate:\n${problems.join('\n')}`);
	done();
}

exports.icons = icons;
exports.bundle = bundle;
exports.verify = verify;
exports.schemas = schemas;
exports.build = series(icons, schemas, bundle, verify, assemble, verifyPackages);
exports.default = exports.build;
