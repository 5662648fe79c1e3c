'use strict';
const { startFakePokee } = require('../fakes/fakePokee');

/**
 * The fake Pokee API for a jest test file: started before its tests with `options`, closed after
 * them, its faults and request log cleared before each test. Returns a stand-in for the running
 * fake (property reads and method calls go to it), so the file can use it like the fake itself.
 */
function useFakePokee(options) {
	let fake;
	beforeAll(async () => {
		fake = await startFakePokee(options);
	});
	afterAll(async () => {
		await fake?.close();
	});
	beforeEach(() => {
		fake.clearFaults();
		fake.clearRequests();
	});
	return new Proxy(
		{},
		{
			get(_target, key) {
				const value = fake[key];
				return typeof value === 'function' ? value.bind(fake) : value;
			},
		},
	);
}

module.exports = { useFakePokee };
