import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkHttpsUrl } from '../../../shared/baseUrl';
import { apiRequest } from '../../../shared/http';
import { inputError, parseJsonObject, requireText } from '../../../shared/params';
import type { PokeEnv } from '../../transport';
import { pokeWebhookProfile, toObject } from '../../transport';
import { retryServerErrorsOption } from '../common';

export const description: INodeProperties[] = [
	{
		displayName: 'Webhook URL',
		name: 'webhookUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://poke.com/api/v1/inbound/webhook',
		description: 'The webhookUrl returned by Webhook → Create (map it from that step)',
	},
	{
		displayName: 'Webhook Token',
		name: 'webhookToken',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		description: 'The webhookToken returned by Webhook → Create. It is sent only to the webhook URL.',
	},
	{
		displayName: 'Send',
		name: 'dataSource',
		type: 'options',
		default: 'parameter',
		options: [
			{ name: 'JSON Data', value: 'parameter', description: 'Send the JSON object given below' },
			{ name: 'Incoming Item', value: 'item', description: "Send the incoming item's whole JSON" },
		],
	},
	{
		displayName: 'Data',
		name: 'data',
		type: 'json',
		default: '{}',
		description: 'JSON object sent as the request body, e.g. {"event": "deploy_failed", "repo": "my-app"}',
		displayOptions: { show: { dataSource: ['parameter'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Allow Another Host',
				name: 'allowOtherHost',
				type: 'boolean',
				default: false,
				description:
					"Whether to send the token to an https host other than the credential's Base URL host. Off by default so a mistyped or injected URL cannot receive the token.",
			},
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 64 },
				default: 1,
				description: 'How many items are sent at the same time (read from the first item)',
			},
			retryServerErrorsOption,
		],
	},
];

/** Fire only: its Concurrency option (1–64) sets how many items are sent at once. */
export function concurrency(ctx: IExecuteFunctions): number {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	return Math.max(1, Math.min(64, Math.floor(Number(options.concurrency ?? 1)) || 1));
}

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const target = checkHttpsUrl(node, this.getNodeParameter('webhookUrl', itemIndex), 'Webhook URL', itemIndex);
	const token = requireText(node, this.getNodeParameter('webhookToken', itemIndex), 'Webhook Token', itemIndex).trim();
	if (/\s/.test(token)) throw inputError(node, 'Webhook Token', itemIndex, 'must not contain spaces');

	const baseHost = new URL(env.baseUrl).host;
	if (target.url.host !== baseHost) {
		if (options.allowOtherHost !== true) {
			throw inputError(
				node,
				'Webhook URL',
				itemIndex,
				`points to ${target.url.host}, not to the credential's host ${baseHost}`,
				'The token is only sent to the Poke API host. Turn on "Allow Another Host" under Options if this webhook really lives elsewhere.',
			);
		}
		if (target.url.protocol !== 'https:') {
			throw inputError(node, 'Webhook URL', itemIndex, 'must use https when it is on another host');
		}
	}

	const data =
		this.getNodeParameter('dataSource', itemIndex, 'parameter') === 'item'
			? this.getInputData()[itemIndex].json
			: parseJsonObject(node, this.getNodeParameter('data', itemIndex, '{}'), 'Data', itemIndex);

	const response = await apiRequest<IDataObject>(
		this,
		pokeWebhookProfile,
		{
			method: 'POST',
			url: target.url.href,
			body: data,
			headers: { Authorization: `Bearer ${token}` },
			idempotent: options.retryServerErrors === true,
			ifUnanswered:
				'The webhook may already have fired and your Poke agent may be acting on it: check in Poke before firing it again, or the agent may act twice.',
			secrets: [token, env.apiKey],
		},
		itemIndex,
	);
	return toObject(response.body);
}
