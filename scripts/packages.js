'use strict';
/**
 * The publishable packages, one folder each under packages/ (n8n-nodes-poke, n8n-nodes-pokee).
 * A package's package.json is the one list of what it ships: the build bundles the entries its
 * "n8n" block names (nodes and credentials, from the shared source tree) and assembles them with
 * their icons, codex files and output schemas into packages/<name>/dist/. Adding a node to a
 * package is one line in that package's "n8n.nodes".
 */
const fs = require('node:fs');
const { builtinModules } = require('node:module');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const PACKAGES_DIR = path.join(ROOT, 'packages');

/** [{ name, version, dir, manifest, nodes, credentials, entries }] sorted by name. */
function packages() {
	return fs
		.readdirSync(PACKAGES_DIR)
		.filter((d) => fs.existsSync(path.join(PACKAGES_DIR, d, 'package.json')))
		.sort()
		.map((d) => {
			const dir = path.join(PACKAGES_DIR, d);
			const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
			const nodes = manifest.n8n?.nodes ?? [];
			const credentials = manifest.n8n?.credentials ?? [];
			return { name: manifest.name, version: manifest.version, dir, manifest, nodes, credentials, entries: [...nodes, ...credentials] };
		});
}

/** dist/nodes/Poke/Poke.node.js -> nodes/Poke/Poke.node.ts (the entry's source). */
const sourceOf = (entry) => entry.replace(/^dist\//, '').replace(/\.js$/, '.ts');

/** Every package's peer dependencies: n8n provides them at run time, so they are never bundled. */
const allPeers = () => [...new Set(packages().flatMap((p) => Object.keys(p.manifest.peerDependencies ?? {})))];

/** Node's built-in modules, by both names ('fs', 'node:fs'). */
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/**
 * The esbuild options every entry is bundled with, by the build (gulpfile.js) and by the installs
 * from sources (bench/lib/n8nPackage.js), so both ship the same code: bundled, the peers external.
 */
function bundleOptions() {
	return {
		bundle: true,
		platform: 'node',
		target: 'node20',
		format: 'cjs',
		external: allPeers(),
		// import() of a peer becomes a lazy require(): n8n finds its own @n8n/ai-node-sdk through
		// NODE_PATH, which only require() honours (an ES import() would not find it)
		supported: { 'dynamic-import': false },
		tsconfig: path.join(ROOT, 'tsconfig.json'),
		logLevel: 'warning',
	};
}

/** The source folders a package owns: its nodes' folders and its credential files. */
function ownedSources(pkg) {
	return [...pkg.nodes.map((e) => path.dirname(sourceOf(e)) + '/'), ...pkg.credentials.map(sourceOf)];
}

/**
 * A package's source tree as its own n8n-node project, in `dir`: its package.json, the root's
 * eslint.config.mjs and tsconfig.json, node_modules (a link to the root's), and a copy of only
 * the sources it ships (its nodes' folders, its credentials) plus nodes/shared/. `n8n-node lint`
 * and the scanner's source leg run there, so they judge each package alone: an import of the
 * other service's code would not resolve.
 */
function stagePackageSources(pkg, dir) {
	fs.mkdirSync(dir, { recursive: true });
	for (const file of ['eslint.config.mjs', 'tsconfig.json']) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
	fs.copyFileSync(path.join(pkg.dir, 'package.json'), path.join(dir, 'package.json'));
	fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(dir, 'node_modules'));
	for (const source of [...ownedSources(pkg), 'nodes/shared/']) {
		fs.cpSync(path.join(ROOT, source), path.join(dir, source), { recursive: true });
	}
	return dir;
}

module.exports = { ROOT, BUILTINS, packages, allPeers, bundleOptions, sourceOf, ownedSources, stagePackageSources };
