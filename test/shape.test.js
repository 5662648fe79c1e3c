'use strict';
/**
 * The shape of the action nodes (issue 17, section 3): an operation is named in its own file
 * (actions/<resource>/<operation>.operation.ts), its resource file (<Resource>.resource.ts) and
 * its output schema only. Adding one therefore touches those three files: the node file and the
 * router derive everything from the resource files.
 */
const fs = require('node:fs');
const path = require('node:path');
const { declaredOperations, nodeType } = require('./harness/n8n');
const { defineResource } = require('../nodes/shared/resource');

const ROOT = path.resolve(__dirname, '..');
const NODES = { poke: 'Poke', pokee: 'Pokee' };
const read = (...parts) => fs.readFileSync(path.join(ROOT, ...parts), 'utf8');

describe.each(Object.entries(NODES))('%s', (short, dir) => {
	const operations = declaredOperations(short);

	test('the node file and the router name no operation', () => {
		for (const file of [`${dir}.node.ts`, 'actions/router.ts']) {
			const source = read('nodes', dir, file);
			expect(source).not.toMatch(/\.operation'/);
			expect(source).not.toMatch(/value: '/);
		}
	});

	test('every operation has its file, is listed (with its module) in its resource file, and has its schema', () => {
		for (const [resource, operation] of operations) {
			const folder = path.join(ROOT, 'nodes', dir, 'actions', resource);
			expect(fs.existsSync(path.join(folder, `${operation}.operation.ts`))).toBe(true);
			const resourceFiles = fs.readdirSync(folder).filter((f) => f.endsWith('.resource.ts'));
			expect(resourceFiles).toHaveLength(1);
			const source = read('nodes', dir, 'actions', resource, resourceFiles[0]);
			expect(source).toContain(`value: '${operation}'`);
			expect(source).toContain(`'./${operation}.operation'`);
			expect(fs.existsSync(path.join(ROOT, 'nodes', dir, '__schema__', 'v1.0.0', resource, `${operation}.json`))).toBe(true);
		}
	});

	test('operation files stay operations: they export their parameters and execute only, unscoped', () => {
		for (const [resource, operation] of operations) {
			const module = require(path.join(ROOT, 'nodes', dir, 'actions', resource, `${operation}.operation`));
			expect(Object.keys(module).filter((k) => !['description', 'execute', 'concurrency'].includes(k))).toEqual([]);
			// the resource file scopes them: an operation file does not name its resource or operation
			for (const property of module.description) {
				expect(property.displayOptions?.show?.resource).toBeUndefined();
				expect(property.displayOptions?.show?.operation).toBeUndefined();
			}
		}
	});

	test('every parameter of the node is scoped to one resource and operation (or is Resource/Operation)', () => {
		const known = new Set(operations.map(([r, o]) => `${r}.${o}`));
		for (const property of nodeType(short).description.properties) {
			if (property.name === 'resource') continue;
			const { resource, operation } = property.displayOptions.show;
			expect(resource).toHaveLength(1);
			if (property.name === 'operation') continue;
			expect(known.has(`${resource[0]}.${operation?.[0]}`)).toBe(true);
		}
	});
});

test('a new entry in a resource list is routed by its name and its parameters are scoped to it', () => {
	const module = {
		description: [{ displayName: 'Note', name: 'note', type: 'string', default: '', displayOptions: { show: { mode: ['x'] } } }],
		execute: async () => ({}),
	};
	const other = { description: [], execute: async () => ({}) };
	const resource = defineResource('Thing', 'thing', [
		{ name: 'Archive', value: 'archive', action: 'Archive a thing', description: 'Archive a thing', module },
		{ name: 'Get', value: 'get', action: 'Get a thing', description: 'Get a thing', module: other },
	]);
	expect(resource.operations).toEqual({ archive: module, get: other });
	expect(resource.description[0]).toMatchObject({
		name: 'operation',
		displayOptions: { show: { resource: ['thing'] } },
		options: [
			{ name: 'Archive', value: 'archive', action: 'Archive a thing', description: 'Archive a thing' },
			{ name: 'Get', value: 'get', action: 'Get a thing', description: 'Get a thing' },
		],
		default: 'archive',
	});
	expect(resource.description[1].displayOptions).toEqual({ show: { mode: ['x'], resource: ['thing'], operation: ['archive'] } });
});
