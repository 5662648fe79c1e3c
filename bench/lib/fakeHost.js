'use strict';
/**
 * Runs one of the test fakes (test/fakes) in a child process, so a benchmark measures the
 * client, not the fake serving it on the same event loop. Started with fork(); talks over IPC:
 *   {id, op: 'call', name, args}  -> result of fake[name](...args) (must be serialisable)
 *   {id, op: 'eval', code}        -> (new Function('fake', code))(fake), awaited
 * The first message the child sends is {ready: {baseUrl, ...}}.
 */
const path = require('node:path');

const kind = process.argv[2];
const options = JSON.parse(process.argv[3] || '{}');
const FAKES = path.resolve(__dirname, '../../test/fakes');

async function main() {
	const fake =
		kind === 'poke'
			? await require(path.join(FAKES, 'fakePoke.js')).startFakePoke(options)
			: await require(path.join(FAKES, 'fakePokee.js')).startFakePokee(options);
	process.on('message', async (msg) => {
		let result;
		let error;
		try {
			if (msg.op === 'call') result = await fake[msg.name](...(msg.args || []));
			else if (msg.op === 'eval') result = await new Function('fake', msg.code)(fake);
			else throw new Error(`unknown op ${msg.op}`);
		} catch (e) {
			error = String(e && e.stack ? e.stack : e);
		}
		process.send({ id: msg.id, result, error });
	});
	process.on('disconnect', () => {
		fake.close().finally(() => process.exit(0));
	});
	process.send({ ready: { baseUrl: fake.baseUrl, apiUrl: fake.apiUrl, v2Key: fake.v2Key } });
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
