import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requireText } from '../../../shared/params';
import type { PokeEnv } from '../../transport';
import { pokePost } from '../../transport';

export const description: INodeProperties[] = [
	{
		displayName: 'Condition',
		name: 'condition',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'When a deploy fails',
		description: 'When the trigger applies, in plain words',
	},
	{
		displayName: 'Action',
		name: 'action',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Send me a summary of the error',
		description: 'What your agent should do when it fires, in plain words',
	},
];

/** Creating a trigger is not safe to repeat (it would create two), so it is never retried on 5xx. */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const condition = requireText(node, this.getNodeParameter('condition', itemIndex), 'Condition', itemIndex);
	const action = requireText(node, this.getNodeParameter('action', itemIndex), 'Action', itemIndex);
	// The output carries webhookToken by design: Webhook → Fire needs it.
	return await pokePost(this, env, '/api-keys/webhook', { condition, action }, itemIndex, {
		ifUnanswered:
			"The webhook trigger may already have been created: check your Poke agent's triggers before creating another, or there may be two.",
	});
}
