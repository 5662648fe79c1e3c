import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resourceProperty } from '../shared/resource';
import { resources, router } from './actions/router';

export class Pokee implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Pokee',
		name: 'pokee',
		icon: { light: 'file:pokee.svg', dark: 'file:pokee.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Run Pokee Enterprise agent sessions: streamed turns, files, skills, usage and stateless responses',
		defaults: { name: 'Pokee' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'pokeeApi', required: true }],
		properties: [resourceProperty(resources, 'message'), ...resources.flatMap((resource) => resource.description)],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
