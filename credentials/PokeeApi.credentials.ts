import type {
	IAuthenticate,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { bearerApiKey, pokeeAuthHints } from '../nodes/shared/authHints';

export class PokeeApi implements ICredentialType {
	name = 'pokeeApi';

	displayName = 'Pokee API';

	icon: Icon = { light: 'file:../nodes/Pokee/pokee.svg', dark: 'file:../nodes/Pokee/pokee.dark.svg' };

	documentationUrl = 'https://docs.pokee.ai/docs/quickstart';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'pk_<tenant>_<token>',
			hint: 'The tenant key Pokee gave you, of the form pk_<tenant>_<token>',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://your-tenant.enterprise.pokee.ai',
			description:
				"Your tenant's API root. Must be https; plain http is accepted only for loopback hosts (for local testing).",
		},
	];

	// Authorization: Bearer <API key> (a function: see bearerApiKey)
	authenticate: IAuthenticate = bearerApiKey;

	// GET /v1/usage only reads rate-limit and credit counters; it starts no turn and is not billed.
	// (/health would not do: it answers without checking the key.)
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.trim().replace(/\\/+$/, "")}}',
			url: '/v1/usage',
			method: 'GET',
		},
		// n8n shows these instead of its generic "Unauthorized"/"Forbidden" (matched by status)
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: `Pokee rejected the API key (HTTP 401). ${pokeeAuthHints[401]}`,
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: `Pokee accepted the API key but refused to read usage with it (HTTP 403). ${pokeeAuthHints[403]}`,
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message: `The Base URL answered 404 for /v1/usage. ${pokeeAuthHints[404]}`,
				},
			},
		],
	};
}
