/**
 * The build after `tsc --noEmit` (which type-checks the sources; esbuild compiles them):
 *  - icons: copy the SVG icons and the codex .node.json files to dist/, next to the nodes;
 *  - schemas: write the output schemas (nodes/<Node>/__schema__/v<version>/<resource>/<operation>.json,
 *    a shared one resolved: scripts/output-schemas.js)
 *    next to the nodes, where n8n looks them up for the editor's schema view;
 *  - bundle: inline our modules and the devDependencies used at run time (eventsource-parser)
 *    into each node and credential entry with esbuild, so dist/ runs inside n8n with no
 *    node_modules beside it; the license notice of every bundled package (eventsource-parser,
 *    MIT) goes at the top of each file that bundles it and into dist/THIRD_PARTY_NOTICES.md.
 *    The entries are those the packages' manifests name (packages/<name>/package.json, see
 *    scripts/packages.js), bundled from the TypeScript sources so that esbuild drops the
 *    exports an entry does not use: shared code that names both services
 *    (nodes/shared/authHints.ts) ships only the part of the entry's own service;
 *  - verify: fail the build if an entry is missing or bundles a package without its notice;
 *  - packages: assemble each package's dist/ (packages/<name>/dist: its entries, the icons,
 *    codex files and output schemas of its nodes' folders, the notices of what its files
 *    bundle) and fail if a package's files require anything but Node built-ins, its peers and
 *    its own files, if a package holds or bundles anything of another package's service, or a
 *    node folder is claimed by two packages or by none.
 */
const { src, dest, series } = require('gulp');
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const { readOutputSchema } = require('./scripts/output-schemas');
const { BUILTINS, packages, bundleOptions, sourceOf, ownedSources } = require('./scripts/packages');

/** Every entry (node or credential) some package ships, as dist/ paths. */
/** The packages (their manifests, read once per build: each build is a fresh process). */
const PACKAGES = packages();
const allEntries = () => [...new Set(PACKAGES.flatMap((p) => p.entries))];
const allNodes = () => [...new Set(PACKAGES.flatMap((p) => p.nodes))];
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
	const entries = allEntries();
	const options = bundleOptions();
	for (const entry of entries) {
		const result = await esbuild.build({
			...options,
			entryPoints: [path.resolve(__dirname, sourceOf(entry))],
			write: false,
			legalComments: 'inline',
			metafile: true,
		});
		const packages = bundledPackages(result.metafile).map(licenseOf);
		const banner = packages
			.map((p) => `/*!\n * Bundled: ${p.name}@${p.version} (${p.license})\n *\n${p.text.replace(/\*\//g, '* /').split('\n').map((l) => ` * ${l}`.trimEnd()).join('\n')}\n */\n`)
			.join('');
		const file = path.resolve(__dirname, entry);
		fs.mkdirSync(path.dirname(file), { recursive: true });
		fs.writeFileSync(file, banner + result.outputFiles[0].text);
		bundled.set(entry, { packages, inputs: Object.keys(result.metafile.inputs) });
	}
	const notices = noticesText(entries);
	if (notices) fs.writeFileSync(noticesFile(), notices);
}

/** THIRD_PARTY_NOTICES.md for the given entries: each package they bundle, the files, its license. */
function noticesText(entries) {
	const notices = new Map(); // package name -> { ..., files }
	for (const entry of entries) {
		for (const p of bundled.get(entry)?.packages ?? []) {
			const known = notices.get(p.name) ?? { ...p, files: [] };
			known.files.push(entry);
			notices.set(p.name, known);
		}
	}
	if (!notices.size) return undefined;
	const sections = [...notices.values()].map(
		(p) =>
			`## ${p.name} ${p.version} (${p.license})\n\nBundled into: ${p.files.map((f) => `\`${f.replace(/^dist\//, '')}\``).join(', ')}\n\n\`\`\`\n${p.text}\n\`\`\`\n`,
	);
	return `# Third-party notices\n\nThe files of this package named below bundle code of these packages (esbuild), under their licenses:\n\n${sections.join('\n')}`;
}

function walk(dir) {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		return entry.isDirectory() ? walk(full) : [full];
	});
}

/**
 * dist/ before it is split into packages: every entry there, each bundled package's notice in it.
 * (What the files require is checked per package, against its own peers: verifyPackages.)
 */
async function verify() {
	const problems = [];
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
	for (const pkg of PACKAGES) {
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
		const notices = noticesText(pkg.entries);
		if (notices) fs.writeFileSync(path.join(out, 'THIRD_PARTY_NOTICES.md'), notices);
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
	const all = PACKAGES;
	for (const pkg of all) {
		const dist = path.join(pkg.dir, 'dist');
		const peers = new Set(Object.keys(pkg.manifest.peerDependencies ?? {}));
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
				} else if (!BUILTINS.has(name) && !peers.has(name)) {
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
