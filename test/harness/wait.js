'use strict';
/** Polls `check` every 20 ms until it returns something truthy; throws after `ms`. */
async function until(check, what, ms = 10_000) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await check()) return;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	throw new Error(`timed out waiting for ${what}`);
}

module.exports = { until };
