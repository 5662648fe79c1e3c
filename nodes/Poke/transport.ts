import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ApiEnv, ApiProfile, ApiRequest, CredentialProfile } from '../shared/http';
import { pokeAuthHints } from '../shared/authHints';
import { apiRequest } from '../shared/http';

export const pokeProfile: CredentialProfile = {
	name: 'Poke',
	credentialType: 'pokeApi',
	messages: {
		401: 'Poke: invalid API key',
		403: "Poke: the API key doesn't have permission for this action",
		429: 'Poke: rate limited',
	},
	hints: {
		401: pokeAuthHints[401],
		403: pokeAuthHints[403],
		429: 'Slow the workflow down (fewer items at once) or try again later.',
	},
};

/** Profile for firing a webhook: authenticated by the webhook token, not the API key. */
export const pokeWebhookProfile: ApiProfile = {
	name: 'Poke webhook',
	messages: { 401: 'Poke: the webhook token was rejected' },
	hints: {
		401: 'Use the webhookToken returned by Webhook → Create for this webhook URL.',
		429: pokeProfile.hints[429],
	},
};

export type PokeEnv = ApiEnv;

/** POSTs JSON to a path under the credential's base URL and returns the parsed response. */
export async function pokePost(
	ctx: IExecuteFunctions,
	env: PokeEnv,
	path: string,
	body: IDataObject,
	itemIndex: number,
	extra: Partial<ApiRequest> = {},
): Promise<IDataObject> {
	const response = await apiRequest<IDataObject>(
		ctx,
		pokeProfile,
		{
			method: 'POST',
			url: `${env.baseUrl}${path}`,
			body,
			idempotent: false,
			secrets: [env.apiKey],
			...extra,
		},
		itemIndex,
	);
	return toObject(response.body);
}

/** Success bodies are JSON objects; anything else is wrapped so the output is always an object. */
export function toObject(body: unknown): IDataObject {
	if (body && typeof body === 'object' && !Array.isArray(body)) return body as IDataObject;
	if (typeof body === 'string' && body.trim() !== '') {
		try {
			const parsed = JSON.parse(body);
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as IDataObject;
			return { response: parsed };
		} catch {
			return { response: body };
		}
	}
	return body === undefined || body === '' ? {} : { response: body as IDataObject };
}
