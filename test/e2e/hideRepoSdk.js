'use strict';
/**
 * Preloaded into every n8n the e2e runs (NODE_OPTIONS=--require). The n8n under test is
 * installed inside this repository (.cache/n8n-<version>), and n8n puts its own module paths,
 * parent folders included, on NODE_PATH: so `require('@n8n/ai-node-sdk')` from the installed
 * package would find this repository's devDependency copy of the SDK, which no real n8n install
 * has. Hidden here, n8n 1.x and 2.0–2.15 have no SDK, as in a user's install, and n8n 2.16+
 * must resolve its own copy (which comes first on its paths).
 */
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const repoModules = fs.realpathSync(path.resolve(__dirname, '../../node_modules'));
const resolve = Module._resolveFilename;
Module._resolveFilename = function hideRepoSdk(request, ...rest) {
	const resolved = resolve.call(this, request, ...rest);
	if (request.startsWith('@n8n/ai-node-sdk') && fs.realpathSync(resolved).startsWith(`${repoModules}${path.sep}`)) {
		throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
	}
	return resolved;
};
