'use strict';
/**
 * Installs the packages (packages/<name>: n8n-nodes-poke, n8n-nodes-pokee), built from the
 * current sources, into an n8n user folder the way scripts/n8n-install-package.sh does
 * (package.json without dev/peer dependencies and dist/ under
 * <user-folder>/.n8n/nodes/node_modules/<name>). The build is done here with
 * esbuild, with the gulp "bundle" step's options (scripts/packages.js bundleOptions), into the
 * user folder only: dist/ of the repository, which others may be rebuilding, is never touched.
 */
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const { ROOT, packages, bundleOptions, ownedSources, sourceOf } = require('../../scripts/packages');

function walk(dir) {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const full = path.join(dir, e.name);
		return e.isDirectory() ? walk(full) : [full];
	});
}

async function installPackage(userFolder) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const installed = {};
	const options = bundleOptions();
	for (const pkg of packages()) {
		const pkgDir = path.join(nodesDir, 'node_modules', pkg.name);
		fs.rmSync(pkgDir, { recursive: true, force: true });
		fs.mkdirSync(pkgDir, { recursive: true });
		await esbuild.build({
			...options,
			entryPoints: pkg.entries.map((entry) => path.join(ROOT, sourceOf(entry))),
			outdir: path.join(pkgDir, 'dist'),
			outbase: ROOT,
		});
		// the icons and codex files of the package's own node folders
		for (const source of ownedSources(pkg).filter((s) => s.endsWith('/'))) {
			for (const file of walk(path.join(ROOT, source))) {
				if (!/\.(svg|png)$|\.node\.json$/.test(file)) continue;
				const target = path.join(pkgDir, 'dist', path.relative(ROOT, file));
				fs.mkdirSync(path.dirname(target), { recursive: true });
				fs.copyFileSync(file, target);
			}
		}
		const { devDependencies, peerDependencies, optionalDependencies, scripts, ...published } = pkg.manifest;
		fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify(published, null, 2));
		installed[pkg.name] = pkg.version;
	}
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: installed }, null, 2),
	);
}

module.exports = { installPackage };
