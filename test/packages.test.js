'use strict';
/**
 * The two packages' manifests (packages/<name>/package.json) against the source tree and the
 * examples: every node folder ships in exactly one package, each package's entries exist as
 * sources, and every node type an example names is <the package that ships it>.<node>.
 */
const fs = require('node:fs');
const path = require('node:path');
const { packages, sourceOf } = require('../scripts/packages');
const { typeName, shortName, PACKAGE_OF } = require('./harness/nodeTypes');
const { nodeType } = require('./harness/n8n');

const ROOT = path.resolve(__dirname, '..');

test('the packages are n8n-nodes-poke (Poke) and n8n-nodes-pokee (Pokee, Pokee Trigger)', () => {
	expect(Object.fromEntries(packages().map((p) => [p.name, p.entries]))).toEqual({
		'n8n-nodes-poke': ['dist/nodes/Poke/Poke.node.js', 'dist/credentials/PokeApi.credentials.js'],
		'n8n-nodes-pokee': [
			'dist/nodes/Pokee/Pokee.node.js',
			'dist/nodes/PokeeTrigger/PokeeTrigger.node.js',
			'dist/nodes/PokeeChatModel/PokeeChatModel.node.js',
			'dist/credentials/PokeeApi.credentials.js',
		],
	});
	expect([typeName('poke'), typeName('pokee'), typeName('pokeeTool'), typeName('pokeeTrigger')]).toEqual([
		'n8n-nodes-poke.poke',
		'n8n-nodes-pokee.pokee',
		'n8n-nodes-pokee.pokeeTool',
		'n8n-nodes-pokee.pokeeTrigger',
	]);
});

test('every node folder ships in exactly one package, and every entry has its source', () => {
	const folders = fs.readdirSync(path.join(ROOT, 'nodes')).filter((d) => d !== 'shared');
	for (const folder of folders) {
		const owners = packages().filter((p) => p.nodes.some((e) => e.startsWith(`dist/nodes/${folder}/`)));
		expect([folder, owners.length]).toEqual([folder, 1]);
	}
	for (const entry of packages().flatMap((p) => p.entries)) {
		expect([entry, fs.existsSync(path.join(ROOT, sourceOf(entry)))]).toEqual([entry, true]);
	}
});

test('every example names our node types by the package that ships them', () => {
	const dir = path.join(ROOT, 'examples');
	const seen = new Set();
	for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
		const workflow = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
		for (const node of workflow.nodes.filter((n) => n.type.startsWith('n8n-nodes-poke'))) {
			const short = shortName(node.type);
			expect([file, node.type, short && typeName(short)]).toEqual([file, node.type, node.type]);
			seen.add(node.type);
		}
	}
	// all four nodes (and the tool variants) appear in some example
	expect([...seen].sort()).toEqual([
		'n8n-nodes-poke.poke',
		'n8n-nodes-poke.pokeTool',
		'n8n-nodes-pokee.pokee',
		'n8n-nodes-pokee.pokeeChatModel',
		'n8n-nodes-pokee.pokeeTool',
		'n8n-nodes-pokee.pokeeTrigger',
	]);
	expect(Object.keys(PACKAGE_OF).sort()).toEqual(['poke', 'pokee', 'pokeeChatModel', 'pokeeTrigger']);
});

test("every example uses our nodes at their newest version (what a node added in the editor gets)", () => {
	const newest = (short) => {
		const { version } = nodeType(short.replace(/Tool$/, '')).description;
		return Array.isArray(version) ? Math.max(...version) : version;
	};
	const dir = path.join(ROOT, 'examples');
	const found = [];
	for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
		const workflow = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
		for (const node of workflow.nodes.filter((n) => n.type.startsWith('n8n-nodes-poke'))) {
			found.push([file, node.name, node.typeVersion, newest(shortName(node.type))]);
		}
	}
	expect(found.filter(([, , used, latest]) => used !== latest)).toEqual([]);
	// the Pokee node's newest is 2 (version 1 stays for saved workflows)
	expect(found.filter(([, , used]) => used === 2).length).toBeGreaterThanOrEqual(6);
});

