'use strict';
/**
 * The workflow photographed for the README (docs/screenshots): realistic parameter values
 * instead of the empty defaults the panel checks use.
 *   Manual Trigger -> Pokee: send a prompt in a new session -> Pokee: download the deck
 *                  -> Poke: fire a webhook trigger
 *   Pokee Trigger (turn finished) -> Poke: send a message
 */
const NAMES = {
	manual: 'When clicking ‘Execute workflow’',
	ask: 'Ask Pokee for a deck',
	download: 'Download the deck',
	fire: 'Fire Poke webhook',
	trigger: 'When a Pokee turn finishes',
	notify: 'Tell me on Poke',
};

/** [{ file, node? }]: a canvas picture, then the panels of three nodes. */
const SHOTS = [
	{ file: 'workflow-canvas.png' },
	{ file: 'pokee-send-message.png', node: NAMES.ask },
	{ file: 'poke-fire-webhook.png', node: NAMES.fire },
	{ file: 'pokee-trigger.png', node: NAMES.trigger },
];

function showcaseWorkflow(credentials) {
	const poke = { pokeApi: credentials.pokeApi };
	const pokee = { pokeeApi: credentials.pokeeApi };
	let n = 0;
	const node = (name, type, position, parameters, creds) => ({
		id: `11111111-0000-4000-8000-${String(++n).padStart(12, '0')}`,
		name,
		type,
		typeVersion: 1,
		position,
		parameters,
		...(creds ? { credentials: creds } : {}),
	});
	const nodes = [
		node(NAMES.manual, 'n8n-nodes-base.manualTrigger', [0, 0], {}),
		node(NAMES.ask, 'n8n-nodes-pokee.pokee', [240, 0], {
			resource: 'message',
			operation: 'send',
			sessionMode: 'new',
			sessionOptions: { persistent: true },
			message: 'Build a Temasek-style PPT on Q3 NVIDIA performance',
			waitForCompletion: true,
			options: { timeLimit: 1800 },
		}, pokee),
		node(NAMES.download, 'n8n-nodes-pokee.pokee', [480, 0], {
			resource: 'file',
			operation: 'downloadMany',
			sessionId: '={{ $json.session_id }}',
			folder: 'output',
			pattern: '*.pptx',
		}, pokee),
		node(NAMES.fire, 'n8n-nodes-poke.poke', [720, 0], {
			resource: 'webhook',
			operation: 'fire',
			webhookUrl: 'https://poke.com/api/v1/inbound/webhook',
			webhookToken: 'whk_0123456789abcdef',
			dataSource: 'parameter',
			data: '{\n  "event": "deck_ready",\n  "title": "Q3 NVIDIA performance"\n}',
		}, poke),
		node(NAMES.trigger, 'n8n-nodes-pokee.pokeeTrigger', [0, 260], {
			event: 'turnFinished',
			watch: 'all',
			options: { downloadPattern: '*.pptx', includeListing: true },
		}, pokee),
		node(NAMES.notify, 'n8n-nodes-poke.poke', [240, 260], {
			resource: 'message',
			operation: 'send',
			message: 'A Pokee session just finished a turn: the files are attached in n8n.',
		}, poke),
	];
	const link = (to) => ({ main: [[{ node: to, type: 'main', index: 0 }]] });
	return {
		name: 'Pokee deck to Poke',
		nodes,
		connections: {
			[NAMES.manual]: link(NAMES.ask),
			[NAMES.ask]: link(NAMES.download),
			[NAMES.download]: link(NAMES.fire),
			[NAMES.trigger]: link(NAMES.notify),
		},
		settings: {},
	};
}

module.exports = { showcaseWorkflow, SHOTS };
