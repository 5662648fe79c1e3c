import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { operations, router } from './actions/router';

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
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'File', value: 'file' },
					{ name: 'Message', value: 'message' },
					{ name: 'Response', value: 'response' },
					{ name: 'Session', value: 'session' },
					{ name: 'Skill', value: 'skill' },
					{ name: 'Tool Result', value: 'toolResult' },
					{ name: 'Usage', value: 'usage' },
				],
				default: 'message',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['session'] } },
				options: [
					{ name: 'Create', value: 'create', action: 'Create a session', description: 'Create an agent session' },
					{ name: 'Delete', value: 'delete', action: 'Delete a session', description: 'Destroy a session' },
					{ name: 'Delete Many', value: 'deleteMany', action: 'Delete many sessions', description: 'Destroy idle sessions inactive for a given time' },
					{ name: 'Get', value: 'get', action: 'Get a session', description: 'Get a session record' },
					{ name: 'Get Many', value: 'getMany', action: 'Get many sessions', description: 'List sessions' },
					{ name: 'Wait Until Idle', value: 'waitUntilIdle', action: 'Wait until a session is idle', description: 'Poll a session until its turn has finished' },
				],
				default: 'create',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['message'] } },
				options: [
					{ name: 'Cancel', value: 'cancel', action: 'Cancel a running turn', description: 'Cancel an in-flight turn' },
					{ name: 'Resume', value: 'resume', action: 'Resume a turn stream', description: 'Re-attach to a turn and stream it to its end' },
					{ name: 'Send', value: 'send', action: 'Send a message', description: 'Send a message to a session and stream the agent turn' },
				],
				default: 'send',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['toolResult'] } },
				options: [
					{ name: 'Submit', value: 'submit', action: 'Submit a tool result', description: 'Answer a client tool call and continue the turn' },
				],
				default: 'submit',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['file'] } },
				options: [
					{ name: 'Delete', value: 'delete', action: 'Delete a file', description: 'Delete a workspace file' },
					{ name: 'Download', value: 'download', action: 'Download a file', description: 'Download a workspace file as binary data' },
					{ name: 'Download Many', value: 'downloadMany', action: 'Download many files', description: 'Download every file of a folder matching a pattern' },
					{ name: 'List', value: 'list', action: 'List files', description: 'List a workspace folder' },
					{ name: 'Upload', value: 'upload', action: 'Upload a file', description: 'Upload binary data to the workspace' },
				],
				default: 'list',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['skill'] } },
				options: [
					{ name: 'Delete', value: 'delete', action: 'Delete a skill', description: 'Uninstall a custom skill' },
					{ name: 'Install', value: 'install', action: 'Install a skill', description: 'Install or replace a custom skill from a zip' },
					{ name: 'List', value: 'list', action: 'List skills', description: 'List custom skills' },
				],
				default: 'list',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['usage'] } },
				options: [
					{ name: 'Get', value: 'get', action: 'Get usage', description: 'Get rate-limit usage and the credit balance' },
				],
				default: 'get',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['response'] } },
				options: [
					{ name: 'Create', value: 'create', action: 'Create a response', description: 'Stateless OpenAI-compatible inference' },
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
