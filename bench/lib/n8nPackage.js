'use strict';
/**
 * Installs the packages (packages/<name>: n8n-nodes-poke, n8n-nodes-pokee), built from the
 * current sources, into an n8n user folder the way scripts/n8n-install-package.sh does
 * (package.json without dev/peer dependencies and dist/ under
 * <user-folder>/.n8n/nodes/node_modules/<name>). The build is done here with
 * esbuild, as the gulp "bundle" step does (bundled, n8n-workflow external), into the user
 * folder only: dist/ of the repository, which others may be rebuilding, is never touched.
 */
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '../..');
const { packages, ownedSources } = require('../../scripts/packages');

function walk(dir) {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const full = path.join(dir, e.name);
		return e.isDirectory() ? walk(full) : [full];
	});
}

async function installPackage(userFolder) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const installed = {};
	const dirs = [];
	for (const pkg of packages()) {
		const pkgDir = path.join(nodesDir, 'node_modules', pkg.name);
		fs.rmSync(pkgDir, { recursive: true, force: true });
		fs.mkdirSync(pkgDir, { recursive: true });
		await esbuild.build({
			entryPoints: pkg.entries.map((file) => path.join(ROOT, file.replace(/^dist\//, '').replace(/\.js$/, '.ts'))),
			outdir: path.join(pkgDir, 'dist'),
			outbase: ROOT,
			bundle: true,
			platform: 'node',
			target: 'node20',
			format: 'cjs',
			external: ['n8n-workflow'],
			logLevel: 'warning',
			tsconfig: path.join(ROOT, 'tsconfig.json'),
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
		dirs.push(pkgDir);
	}
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: installed }, null, 2),
	);
	return dirs;
}

module.exports = { installPackage };
