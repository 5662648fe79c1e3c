import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resourceProperty } from '../shared/resource';
import { resources, router } from './actions/router';

export class Poke implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Poke',
		name: 'poke',
		icon: { light: 'file:poke.svg', dark: 'file:poke.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Send messages to your Poke agent and create or fire Poke webhook triggers',
		defaults: { name: 'Poke' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'pokeApi', required: true }],
		properties: [resourceProperty(resources, 'message'), ...resources.flatMap((resource) => resource.description)],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
