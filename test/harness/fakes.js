'use strict';
const { startFakePokee } = require('../fakes/fakePokee');
const { startFakePoke } = require('../fakes/fakePoke');

/**
 * A fake for a jest test file: started before its tests with `options`, closed after them, and
 * `eachTest(fake)` run before each test. Returns a stand-in for the running fake (property reads
 * and method calls go to it), so the file can use it like the fake itself.
 */
function useFake(start, options, eachTest) {
	let fake;
	beforeAll(async () => {
		fake = await start(options);
	});
	afterAll(async () => {
		await fake?.close();
	});
	if (eachTest) beforeEach(() => eachTest(fake));
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

/** The fake Pokee API, its faults and request log cleared before each test. */
function useFakePokee(options) {
	return useFake(startFakePokee, options, (fake) => {
		fake.clearFaults();
		fake.clearRequests();
	});
}

/** The fake Poke API, kept as it is between tests. */
function useFakePoke(options) {
	return useFake(startFakePoke, options);
}

module.exports = { useFakePokee, useFakePoke };
