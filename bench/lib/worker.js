'use strict';
/** Runs a bench/workers/<name>.js in a fresh Node process and resolves with what it reports. */
const { fork } = require('node:child_process');
const path = require('node:path');

function runWorkerProcess(name, config, { execArgv = [], env = {} } = {}) {
	return new Promise((resolve, reject) => {
		const child = fork(path.join(__dirname, '..', 'workers', `${name}.js`), [JSON.stringify(config)], {
			execArgv,
			env: { ...process.env, ...env },
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		let answer;
		child.on('message', (msg) => (answer = msg));
		child.on('error', reject);
		child.on('exit', (code) => {
			if (answer && answer.error) reject(new Error(`worker ${name}: ${answer.error}`));
			else if (answer) resolve(answer.result);
			else reject(new Error(`worker ${name} exited with ${code} without a result`));
		});
	});
}

module.exports = { runWorkerProcess };
