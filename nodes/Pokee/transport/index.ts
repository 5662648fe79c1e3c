import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { pokeeAuthHints } from '../../shared/authHints';
import type { ApiEnv, ApiRequest, ApiResponse, CredentialProfile, RequestContext } from '../../shared/http';
import { apiRequest } from '../../shared/http';
import { unsafeSegment } from '../helpers/validate';

export type PokeeContext = RequestContext;

export const pokeeProfile: CredentialProfile = {
	name: 'Pokee',
	credentialType: 'pokeeApi',
	messages: {
		401: 'Pokee: invalid API key',
	},
	hints: {
		400: 'Check the values sent for this operation.',
		401: pokeeAuthHints[401],
		402: 'The tenant is out of credits (hard credit mode). Check Usage → Get for the balance.',
		403: "The path is outside the session's file access scope, or not a valid workspace path.",
		404: 'The session, file or response does not exist (sessions end after their TTL or 5 minutes idle unless persistent).',
		409: 'The session is busy with another turn.',
		413: 'The upload is larger than the API accepts (about 100 MB per file).',
		416: 'The requested byte range is not available.',
		422: 'The Idempotency-Key was already used with a different message or session.',
		429: 'Rate limit reached. Usage → Get shows the current windows.',
		503: 'The service is degraded; try again later.',
	},
};

export type PokeeEnv = ApiEnv;

/** What a non-repeatable request may have done when its answer was lost, and how to check. */
export const UNANSWERED = {
	sessionCreate:
		'The session may already have been created: Session → Get Many lists the sessions (a new one is idle, with the metadata you gave); use or delete it before creating another.',
	toolResult: (callId: string, responseId: string) =>
		`The result for call ${callId} may already have been taken: Message → Resume with response ID ${responseId} shows whether the turn went on past the call; submit again only if it did not.`,
	/** keyOutlivesExecution: a key set by the user, or Idempotency Scope = Input Item */
	turn: (sessionId: string, keyOutlivesExecution: boolean) =>
		`The turn may already have started: Session → Get shows whether session ${sessionId} is busy, and the Pokee Trigger (Turn Finished) reports when it ends. ` +
		(keyOutlivesExecution
			? 'Running the item again with the same input and Idempotency Key (or Idempotency Scope) replays that turn instead of starting another.'
			: 'Running the item again in a new execution sends a new Idempotency-Key and can start a second turn, unless you set the Idempotency Key option or Idempotency Scope to Input Item.'),
	response: (streamed: boolean, keySet: boolean) =>
		streamed
			? 'The response may already be generating. ' +
				(keySet
					? 'Running the item again with the same Idempotency Key replays it instead of generating another.'
					: 'Running the item again in a new execution sends a new Idempotency-Key and generates (and bills) another, unless you set the Idempotency Key option.')
			: 'The response may already have been generated (and counted in Usage → Get); a stateless response cannot be looked up afterwards, and running the item again generates another. With Stream on, the request carries an Idempotency-Key and is retried safely.',
};

/**
 * Encodes one path segment (an id or a name). Encoding alone does not keep a value on its
 * endpoint: "." and ".." survive it and URL normalisation removes them (`/v1/sessions/..` is
 * sent as `/v1/`), so such values are refused here too, after the fields' own checks.
 */
export function seg(value: string): string {
	const problem = unsafeSegment(value);
	if (problem) throw new Error(`Pokee: an ID or name used in a URL path ${problem} (got "${value.slice(0, 100)}")`);
	return encodeURIComponent(value);
}

/**
 * A list answer: a JSON array or a `{data: [...]}` envelope. Anything else is an error, never
 * "nothing": a wrong Base URL must not look like an empty list.
 */
export function listBody(
	ctx: PokeeContext,
	body: unknown,
	what: string,
	request: string,
	itemIndex?: number,
): IDataObject[] {
	const list = Array.isArray(body) ? body : (body as IDataObject | null)?.data;
	if (!Array.isArray(list)) {
		throw new NodeApiError(ctx.getNode(), { body: JSON.stringify(body ?? null).slice(0, 500) }, {
			message: `Pokee: the ${what} is not a JSON array`,
			description: `${request} answered with something else. Check the Base URL in the Pokee API credential.`,
			itemIndex,
		});
	}
	return list as IDataObject[];
}

/** The URL path of a workspace file, seen through a session's scope; encoded segment by segment. */
export function sessionFilePath(sessionId: string, path: string): string {
	return `/v1/sessions/${seg(sessionId)}/files/${path.split('/').map(encodeURIComponent).join('/')}`;
}

type PokeeRequest = Omit<ApiRequest, 'url' | 'idempotent'> & {
	path: string;
	/** Defaults to true for GET, PUT and DELETE. */
	idempotent?: boolean;
};

/** Sends one request to the Pokee API under the credential's base URL. */
export async function pokeeRequest<T = unknown>(
	ctx: PokeeContext,
	env: PokeeEnv,
	req: PokeeRequest,
	itemIndex?: number,
): Promise<ApiResponse<T>> {
	const { path, idempotent, ...rest } = req;
	return await apiRequest<T>(
		ctx,
		pokeeProfile,
		{
			...rest,
			url: `${env.baseUrl}${path}`,
			idempotent: idempotent ?? req.method !== 'POST',
			secrets: [env.apiKey, ...(rest.secrets ?? [])],
		},
		itemIndex,
	);
}

/** Shorthand for JSON requests whose body is the result. */
export async function pokeeJson<T = IDataObject>(
	ctx: PokeeContext,
	env: PokeeEnv,
	req: PokeeRequest,
	itemIndex?: number,
): Promise<T> {
	const response = await pokeeRequest<T>(ctx, env, req, itemIndex);
	return response.body;
}

/**
 * GET /v1/sessions: the tenant's sessions, from a JSON array or a `{data: [...]}` envelope.
 * Anything else is an error, never "no sessions" (a trigger would take every session as ended).
 */
export async function listSessions(ctx: PokeeContext, env: PokeeEnv, itemIndex?: number): Promise<IDataObject[]> {
	const body = await pokeeJson<unknown>(ctx, env, { method: 'GET', path: '/v1/sessions' }, itemIndex);
	return listBody(ctx, body, 'session list', 'GET /v1/sessions', itemIndex);
}

/** GET /v1/skills: the tenant's custom skills; anything but a list is an error. */
export async function listSkills(ctx: PokeeContext, env: PokeeEnv, itemIndex?: number): Promise<IDataObject[]> {
	const body = await pokeeJson<unknown>(ctx, env, { method: 'GET', path: '/v1/skills' }, itemIndex);
	return listBody(ctx, body, 'skill list', 'GET /v1/skills', itemIndex);
}
