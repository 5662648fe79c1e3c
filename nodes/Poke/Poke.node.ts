import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { operations, router } from './actions/router';

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
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Message', value: 'message' },
					{ name: 'Webhook', value: 'webhook' },
				],
				default: 'message',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['message'] } },
				options: [
					{
						name: 'Send',
						value: 'send',
						action: 'Send a message to your agent',
						description: 'Send a text message to your Poke agent',
					},
				],
				default: 'send',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['webhook'] } },
				options: [
					{
						name: 'Create',
						value: 'create',
						action: 'Create a webhook trigger',
						description: 'Create a trigger and get its webhook URL and token',
					},
					{
						name: 'Fire',
						value: 'fire',
						action: 'Fire a webhook trigger',
						description: 'Send data to a webhook trigger',
					},
				],
				default: 'create',
			},
			...Object.values(operations).flatMap((op) => op.description),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
