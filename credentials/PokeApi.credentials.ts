import type {
	IAuthenticate,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { bearerApiKey, pokeAuthHints } from '../nodes/shared/authHints';

export class PokeApi implements ICredentialType {
	name = 'pokeApi';

	displayName = 'Poke API';

	icon: Icon = { light: 'file:../nodes/Poke/poke.svg', dark: 'file:../nodes/Poke/poke.dark.svg' };

	documentationUrl = 'https://poke.com/docs/api';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			hint: 'A V2 key from poke.com Kitchen → API Keys (https://poke.com/kitchen/api-keys). Legacy pk_ keys from the app settings do not work.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://poke.com/api/v1',
			required: true,
			description:
				'Root of the Poke API. Must be https; plain http is accepted only for loopback hosts (for local testing).',
		},
	];

	// Authorization: Bearer <API key> (a function: see bearerApiKey)
	authenticate: IAuthenticate = bearerApiKey;

	// GET /user/profile only reads the key owner's profile: it sends no message and creates nothing.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.trim().replace(/\\/+$/, "")}}',
			url: '/user/profile',
			method: 'GET',
		},
		// n8n shows these instead of its generic "Unauthorized"/"Forbidden" (matched by status)
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: `Poke rejected the API key (HTTP 401): it is wrong or revoked, or it is a legacy pk_ key. ${pokeAuthHints[401]}`,
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: `Poke accepted the API key but refused to read the profile with it (HTTP 403): the key lacks a scope. ${pokeAuthHints[403]}`,
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message: 'The Base URL answered 404 for /user/profile: it must be the root of the Poke API (https://poke.com/api/v1).',
				},
			},
		],
	};
}
