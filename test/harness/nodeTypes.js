'use strict';
/**
 * The full names n8n gives this repository's node types, <package>.<node>, read from the
 * packages' manifests (packages/<name>/package.json): n8n-nodes-poke.poke,
 * n8n-nodes-pokee.pokee, n8n-nodes-pokee.pokeeTrigger (and the "<node>Tool" variants n8n
 * derives from usableAsTool nodes). A node's short name is its entry file's, first letter
 * lower-cased (dist/nodes/PokeeTrigger/PokeeTrigger.node.js -> pokeeTrigger).
 */
const path = require('node:path');
const { packages } = require('../../scripts/packages');

const PACKAGE_OF = {};
for (const pkg of packages()) {
	for (const entry of pkg.nodes) {
		const base = path.basename(entry, '.node.js');
		PACKAGE_OF[base[0].toLowerCase() + base.slice(1)] = pkg.name;
	}
}
const PACKAGES = [...new Set(Object.values(PACKAGE_OF))];

/** 'pokee' -> 'n8n-nodes-pokee.pokee'; 'pokeeTool' -> 'n8n-nodes-pokee.pokeeTool'. */
function typeName(short) {
	const pkg = PACKAGE_OF[short] ?? PACKAGE_OF[short.replace(/Tool$/, '')];
	if (!pkg) throw new Error(`no package ships a node named ${short}`);
	return `${pkg}.${short}`;
}

/** 'n8n-nodes-pokee.pokee' -> 'pokee' (undefined for a type of another package). */
function shortName(type) {
	const dot = type.indexOf('.');
	return PACKAGES.includes(type.slice(0, dot)) ? type.slice(dot + 1) : undefined;
}

module.exports = { PACKAGE_OF, PACKAGES, typeName, shortName };
