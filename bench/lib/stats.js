'use strict';
const median = (xs) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const MiB = 1024 * 1024;
const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
module.exports = { median, MiB, round };
