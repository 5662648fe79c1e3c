'use strict';
/** Parent side of lib/fakeHost.js: starts a fake in a child process and calls into it. */
const { fork } = require('node:child_process');
const path = require('node:path');

async function startFakeProcess(kind, options = {}) {
	const child = fork(path.join(__dirname, 'fakeHost.js'), [kind, JSON.stringify(options)], {
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const pending = new Map();
	let nextId = 0;
	const ready = await new Promise((resolve, reject) => {
		child.once('error', reject);
		child.once('exit', (code) => reject(new Error(`fake host exited with ${code}`)));
		child.on('message', (msg) => {
			if (msg.ready) return resolve(msg.ready);
			const p = pending.get(msg.id);
			if (!p) return;
			pending.delete(msg.id);
			if (msg.error) p.reject(new Error(msg.error));
			else p.resolve(msg.result);
		});
	});
	child.removeAllListeners('exit');
	const send = (msg) =>
		new Promise((resolve, reject) => {
			const id = ++nextId;
			pending.set(id, { resolve, reject });
			child.send({ id, ...msg });
		});
	return {
		...ready,
		pid: child.pid,
		call: (name, ...args) => send({ op: 'call', name, args }),
		eval: (code) => send({ op: 'eval', code }),
		close: () =>
			new Promise((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.disconnect();
				setTimeout(() => child.exitCode === null && child.kill(), 5000).unref();
			}),
	};
}

module.exports = { startFakeProcess };
