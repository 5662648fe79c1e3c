/**
 * What to do about a refused API key: the one text for each case, shown both under a node's
 * error and by the credential test (credentials/*.ts build their test messages from these).
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

export const POKE_KEYS_URL = 'https://poke.com/kitchen/api-keys';

// Plain string literals (the URL written out, not interpolated): the build then drops the hints
// a package does not use, so n8n-nodes-pokee ships no Poke text and n8n-nodes-poke no Pokee text.
export const pokeAuthHints = {
	/** 401: an unknown or revoked key, or a legacy V1 pk_ key. */
	401: 'Create a V2 key in poke.com Kitchen → API Keys (https://poke.com/kitchen/api-keys) and paste it into the Poke API credential. Legacy pk_ keys from the app settings are not accepted.',
	/** 403: a valid key without the permission the request needs. */
	403: "Check the key's scopes at https://poke.com/kitchen/api-keys.",
};

export const pokeeAuthHints = {
	/** 401: a wrong or revoked tenant key (or a Base URL of another tenant). */
	401: 'Check the API key (pk_<tenant>_<token>) and the Base URL in the Pokee API credential.',
	/** 403 on a tenant-wide request: the key is valid but not allowed to do this. */
	403: 'The key is valid but lacks the permission for this request: ask your Pokee tenant admin for a key with the needed scope.',
	/** 404 on a tenant-wide endpoint: the Base URL is not the tenant's API root. */
	404: "Check the Base URL in the Pokee API credential: it must be your tenant's API root (e.g. https://your-tenant.enterprise.pokee.ai), without /v1.",
};

/**
 * The credentials' `authenticate`: `Authorization: Bearer <apiKey>` on every request. A function
 * instead of n8n's generic block (`Authorization: '=Bearer {{$credentials.apiKey}}'`): n8n 2.x
 * evaluates a generic block's expression in its isolated expression engine on every request
 * (2.1 ms of CPU per request, measured in a queue-mode worker, two requests per turn); the
 * function sets the same header without it.
 */
export async function bearerApiKey(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	return {
		...requestOptions,
		headers: { ...(requestOptions.headers ?? {}), Authorization: `Bearer ${String(credentials.apiKey ?? '')}` },
	};
}
