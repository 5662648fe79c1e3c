import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { inputError, parseJsonObject, requireText } from '../../../shared/params';
import type { PokeEnv } from '../../transport';
import { pokePost } from '../../transport';
import { retryServerErrorsOption } from '../common';

export const description: INodeProperties[] = [
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'Summarize my unread emails',
		description: 'Text sent to your Poke agent, handled as if you had texted it',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Extra Context',
				name: 'extraContext',
				type: 'json',
				default: '{}',
				description:
					'A JSON object whose fields are added to the request body beside the message (Poke forwards the whole body to your agent as context), e.g. {"source": "n8n", "run_id": "42"}',
			},
			retryServerErrorsOption,
		],
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const message = requireText(node, this.getNodeParameter('message', itemIndex), 'Message', itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const extra = parseJsonObject(node, options.extraContext ?? '{}', 'Extra Context', itemIndex);
	if ('message' in extra) {
		throw inputError(node, 'Extra Context', itemIndex, 'must not contain a "message" field', 'Put the text in the Message field.');
	}
	return await pokePost(this, env, '/inbound/api-message', { ...extra, message }, itemIndex, {
		idempotent: options.retryServerErrors === true,
		ifUnanswered: 'Poke may already have received the message: look for it in your Poke conversation before sending it again, or it may arrive twice.',
	});
}
