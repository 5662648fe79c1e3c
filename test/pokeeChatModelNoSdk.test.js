'use strict';
/**
 * On an n8n without @n8n/ai-node-sdk (1.x, 2.0–2.15) the Pokee Chat Model's file still loads
 * (the SDK is imported only when the model is supplied) and supplying it fails with the n8n
 * version it needs, before any request. Here the SDK's module is made unloadable.
 */
jest.mock('@n8n/ai-node-sdk', () => {
	throw new Error("Cannot find module '@n8n/ai-node-sdk'");
});

const { runSupply, nodeType } = require('./harness/n8n');
const { DEFAULT_KEY } = require('./fakes/fakePokee');
const { useFakePokee } = require('./harness/fakes');

const fake = useFakePokee();

test('without the SDK the node loads, and supplying the model says it needs n8n 2.16 or later', async () => {
	expect(nodeType('pokeeChatModel').description.name).toBe('pokeeChatModel');
	const out = await runSupply({
		type: 'pokeeChatModel',
		parameters: { model: 'pokee-isaac', reasoningEffort: 'minimal', options: {} },
		credentials: { pokeeApi: { apiKey: DEFAULT_KEY, baseUrl: fake.baseUrl } },
	});
	expect(out.error.constructor.name).toBe('NodeOperationError');
	expect(out.error.message).toBe('The Pokee Chat Model needs n8n 2.16 or later');
	expect(out.error.description).toMatch(/other nodes work on this n8n/);
	expect(fake.requests).toHaveLength(0);
});
