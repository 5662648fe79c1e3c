'use strict';
/**
 * Every string of an object graph (errors included, with their description, stack and cause),
 * for secret-leak checks. n8n attaches the node, with the workflow's own parameters, to every
 * error: that `node` field is left out.
 */
function allText(value) {
	const seen = new WeakSet();
	return JSON.stringify(value, (k, v) => {
		if (k === 'node') return undefined;
		if (v && typeof v === 'object') {
			if (seen.has(v)) return '[circular]';
			seen.add(v);
		}
		if (v instanceof Error) {
			return { ...v, name: v.name, message: v.message, description: v.description, stack: v.stack, cause: v.cause };
		}
		return v;
	});
}

module.exports = { allText };
