import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resourceProperty } from '../shared/resource';
import { resources, router } from './actions/router';
import { searchFiles, searchSessions, searchSkills } from './methods/listSearch';

export class Pokee implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Pokee',
		name: 'pokee',
		icon: { light: 'file:pokee.svg', dark: 'file:pokee.dark.svg' },
		group: ['transform'],
		// 2: resource locators, Get Many limits, a Time Limit of 90 minutes and response_id keys;
		// workflows saved at 1 keep their parameters and outputs
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Run Pokee Enterprise agent sessions: streamed turns, files, skills, usage and stateless responses',
		defaults: { name: 'Pokee' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'pokeeApi', required: true }],
		properties: [resourceProperty(resources, 'message'), ...resources.flatMap((resource) => resource.description)],
	};

	methods = { listSearch: { searchFiles, searchSessions, searchSkills } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
