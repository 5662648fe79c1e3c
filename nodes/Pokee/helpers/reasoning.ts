import type { INodeProperties } from 'n8n-workflow';

/** Reasoning Effort, as /v1/responses takes it (Response → Create and the Pokee Chat Model). */
export function reasoningEffortField(description?: string): INodeProperties {
	return {
		displayName: 'Reasoning Effort',
		name: 'reasoningEffort',
		type: 'options',
		default: 'minimal',
		options: [
			{ name: 'Minimal (Thinking Off)', value: 'minimal' },
			{ name: 'Low', value: 'low' },
			{ name: 'Medium', value: 'medium' },
			{ name: 'High', value: 'high' },
		],
		...(description ? { description } : {}),
	};
}
