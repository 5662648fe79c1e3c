'use strict';
/**
 * The loop behind scripts/dev.sh (`npm run dev`): build, install into the dev user folder, start
 * n8n with N8N_DEV_RELOAD=true, then rebuild and re-install on every source change. n8n runs
 * through test/e2e/lib.js (its own process group, stopped with this process).
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const L = require('../test/e2e/lib');

const ROOT = path.resolve(__dirname, '..');
const userFolder = process.env.DEV_USER_FOLDER;
const { packages } = require('./packages');
const log = (text) => console.log(`dev: ${text}`);

function build() {
	return new Promise((resolve) => {
		const child = spawn('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
		child.on('close', (code) => resolve(code === 0));
	});
}

/** Copies each package's package.json and dist/ into the user folder's nodes folder (what n8n loads). */
function install() {
	const dependencies = {};
	for (const pkg of packages()) {
		const target = path.join(userFolder, '.n8n/nodes/node_modules', pkg.name);
		fs.mkdirSync(target, { recursive: true });
		const { devDependencies, peerDependencies, scripts, ...manifest } = pkg.manifest;
		fs.writeFileSync(path.join(target, 'package.json'), JSON.stringify(manifest, null, 2));
		fs.cpSync(path.join(pkg.dir, 'dist'), path.join(target, 'dist'), { recursive: true, force: true });
		dependencies[pkg.name] = pkg.version;
	}
	const nodesJson = path.join(userFolder, '.n8n/nodes/package.json');
	fs.writeFileSync(nodesJson, JSON.stringify({ name: 'installed-nodes', private: true, dependencies }, null, 2));
}

async function main() {
	if (!(await build())) throw new Error('the first build failed; fix it and run npm run dev again');
	install();
	const n8n = new L.N8n(userFolder);
	process.env.N8N_DEV_RELOAD = 'true';
	const port = await n8n.start({ port: process.env.N8N_PORT ? Number(process.env.N8N_PORT) : 5678, echo: true });
	log(`n8n ${L.N8N_VERSION} with ${packages().map((p) => p.name).join(' and ')} from ${path.join(userFolder, '.n8n/nodes')}`);
	log(`editor: http://127.0.0.1:${port}  (first visit: set up an owner account)`);
	log('watching nodes/ and credentials/; Ctrl-C stops everything');

	let timer;
	let running = false;
	let again = false;
	const rebuild = async () => {
		if (running) {
			again = true;
			return;
		}
		running = true;
		do {
			again = false;
			const started = Date.now();
			log('change seen, rebuilding');
			if (await build()) {
				install();
				log(`rebuilt and installed in ${Date.now() - started} ms; n8n reloads the nodes (refresh the editor)`);
			} else {
				log('build failed; n8n keeps the last good build');
			}
		} while (again);
		running = false;
	};
	for (const dir of ['nodes', 'credentials']) {
		fs.watch(path.join(ROOT, dir), { recursive: true }, () => {
			clearTimeout(timer);
			timer = setTimeout(rebuild, 300);
		});
	}
	await new Promise(() => {}); // until a signal
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.once(signal, () => {
		log(`${signal}, stopping n8n`);
		L.cleanup().finally(() => process.exit(130));
	});
}
main().catch(async (error) => {
	console.error(`dev: ${error.message}`);
	await L.cleanup();
	process.exit(1);
});
