'use strict';
const median = (xs) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const MiB = 1024 * 1024;
const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
/** A growth with its sign: "+1.5", "-110.73" (never "+-110.73"). */
const signed = (x, digits = 2) => `${x < 0 ? '-' : '+'}${Math.abs(round(x, digits))}`;
/** Smallest and largest value, e.g. for "median 0.91 (0.84-0.95)". */
const spread = (xs) => ({ min: Math.min(...xs), max: Math.max(...xs) });
module.exports = { median, MiB, round, signed, spread };
