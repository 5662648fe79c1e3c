import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { normaliseBaseUrl } from './baseUrl';
import { executionCancelSignal, requireHelper } from './compat';
import { connectionError, errorCode, NOT_SENT_CODES, redirectError, statusError } from './errors';
import { destroyBody, readSmallBody } from './streams';

export type RequestContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;

/** Describes one API for the shared request helper: its name, credential and error hints. */
export interface ApiProfile {
	/** "Poke" or "Pokee": used in error messages. */
	name: string;
	/** Credential type that authenticates the request; undefined = caller sets its own header. */
	credentialType?: string;
	/** Hints shown under the error message, by HTTP status. */
	hints: Record<number, string>;
	/** Message replacing the API's own for some statuses (e.g. 401). */
	messages?: Record<number, string>;
}

/** A profile whose requests authenticate with the API key credential. */
export type CredentialProfile = ApiProfile & { credentialType: string };

/** A checked credential: its normalised base URL and its key (kept only to redact it). */
export interface ApiEnv {
	baseUrl: string;
	apiKey: string;
}

/** Reads and checks an API's credential (once per execution or poll). */
export async function readApiCredential(
	ctx: RequestContext,
	profile: CredentialProfile,
): Promise<ApiEnv> {
	const credentials = await ctx.getCredentials<{ apiKey: string; baseUrl: string }>(profile.credentialType);
	return {
		baseUrl: normaliseBaseUrl(ctx.getNode(), credentials.baseUrl, `${profile.name} API`),
		apiKey: String(credentials.apiKey ?? ''),
	};
}

export interface ApiRequest {
	method: IHttpRequestMethods;
	url: string;
	qs?: IDataObject;
	headers?: IDataObject;
	body?: IHttpRequestOptions['body'];
	/**
	 * Opens the body afresh for each attempt, instead of `body`: a stream (an upload from n8n's
	 * binary store) is used up by the first attempt, and a retry with it would send nothing.
	 */
	openBody?: () => Promise<IHttpRequestOptions['body']>;
	/** 'stream' returns the body as a Readable; default parses JSON. */
	encoding?: 'json' | 'stream' | 'text';
	/**
	 * True when repeating the request cannot do anything twice (GET, PUT, DELETE, or a POST
	 * carrying an Idempotency-Key). Only such requests are retried after 5xx or a connection
	 * reset; every request is retried after 429 and after a refused connection.
	 */
	idempotent: boolean;
	/** Milliseconds until the response headers must have arrived. */
	timeout?: number;
	abortSignal?: AbortSignal;
	/** Values that must never appear in an error message (keys, tokens). */
	secrets?: string[];
	/** Statuses the caller handles itself (returned instead of thrown). */
	passStatuses?: number[];
	/**
	 * For a request whose repeat could do something twice: what it may already have done when
	 * the connection broke after it was sent, and how to check (one or two sentences). Shown in
	 * the error instead of any invitation to retry.
	 */
	ifUnanswered?: string;
}

export interface ApiResponse<T = unknown> {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: T;
}

const RETRY_POLICY = {
	/** Retries after the first attempt. */
	maxRetries: 3,
	/** First backoff; doubles on each retry. */
	baseDelayMs: 250,
	/** A Retry-After longer than this is not waited for: the request fails at once. */
	maxRetryAfterMs: 60_000,
};

const RETRYABLE_STATUSES = new Set([500, 502, 503, 504]);
/** Errors where the request may or may not have been processed. */
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
function retryAfterMs(value: unknown): number | undefined {
	const raw = Array.isArray(value) ? value[0] : value;
	if (typeof raw !== 'string' || raw.trim() === '') return undefined;
	const seconds = Number(raw.trim());
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(raw);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - Date.now());
}

function isAbort(error: unknown, signal?: AbortSignal): boolean {
	if (signal?.aborted) return true;
	const e = error as { name?: string; code?: string } | undefined;
	return e?.name === 'AbortError' || e?.name === 'CanceledError' || e?.code === 'ERR_CANCELED';
}

/**
 * n8n's authenticated request helper replaces a request's abortSignal with the execution's
 * cancel signal, read from the calling context. A request with a signal of its own (a turn's
 * time limit, or a cancel that must go out after the execution was stopped) is therefore made
 * through a context whose cancel signal is that one.
 */
function withSignal(ctx: RequestContext, signal: AbortSignal | undefined): RequestContext {
	if (!signal || signal === executionCancelSignal(ctx)) return ctx;
	const scoped = Object.create(ctx) as RequestContext & { getExecutionCancelSignal: () => AbortSignal };
	scoped.getExecutionCancelSignal = () => signal;
	return scoped;
}

/**
 * The one place that sends HTTP requests for both APIs: authentication through n8n's helper,
 * bounded retries (429 with Retry-After for every request; 5xx and resets only for
 * idempotent ones), and errors mapped to NodeApiError with secrets removed.
 */
export async function apiRequest<T = unknown>(
	ctx: RequestContext,
	profile: ApiProfile,
	req: ApiRequest,
	itemIndex?: number,
): Promise<ApiResponse<T>> {
	// a stopped execution cancels the request unless the caller gave a signal of its own
	const signal = req.abortSignal ?? executionCancelSignal(ctx);
	const headers: IDataObject = { Accept: 'application/json', ...(req.headers ?? {}) };
	// bodies are JSON unless the caller says otherwise (uploads)
	if ((req.body !== undefined || req.openBody) && headers['Content-Type'] === undefined) headers['Content-Type'] = 'application/json';
	const options: IHttpRequestOptions = {
		method: req.method,
		url: req.url,
		qs: req.qs,
		headers,
		body: req.body,
		json: req.encoding !== 'stream' && req.encoding !== 'text',
		encoding: req.encoding === 'stream' ? 'stream' : req.encoding === 'text' ? 'text' : undefined,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: req.timeout ?? 300_000,
		abortSignal: signal,
	};
	if (options.body === undefined) delete options.body;
	const secrets = req.secrets ?? [];
	// an n8n without the helper fails here, clearly, before anything is sent
	const send = profile.credentialType
		? requireHelper(ctx, 'httpRequestWithAuthentication', itemIndex)
		: requireHelper(ctx, 'httpRequest', itemIndex);

	try {
		for (let attempt = 0; ; attempt++) {
			const canRetry = attempt < RETRY_POLICY.maxRetries;
			const backoff = RETRY_POLICY.baseDelayMs * 2 ** attempt;
			let response: ApiResponse<unknown>;
			if (req.openBody) {
				// the previous attempt's stream is spent (or half read): close it, send a whole new one
				destroyBody(options.body);
				options.body = await req.openBody();
			}
			try {
				response = (profile.credentialType
					? await (send as IExecuteFunctions['helpers']['httpRequestWithAuthentication']).call(
							withSignal(ctx, signal),
							profile.credentialType,
							options,
						)
					: await (send as IExecuteFunctions['helpers']['httpRequest']).call(ctx, options)) as ApiResponse<unknown>;
			} catch (error) {
				if (isAbort(error, signal)) {
					throw new NodeApiError(ctx.getNode(), { code: 'ABORTED' }, {
						message: `The request to the ${profile.name} API was cancelled`,
						itemIndex,
					});
				}
				const code = errorCode(error);
				const retryable =
					(code !== undefined && NOT_SENT_CODES.has(code)) ||
					(req.idempotent && (code === undefined || DROPPED_CODES.has(code)));
				if (retryable && canRetry) {
					await sleep(backoff);
					continue;
				}
				throw connectionError(ctx, profile, error, req, itemIndex, attempt + 1);
			}

			const { statusCode } = response;
			if (req.passStatuses?.includes(statusCode)) return response as ApiResponse<T>;
			// redirects are not followed (the key would go along): one is never a success
			if (statusCode >= 300 && statusCode < 400) {
				destroyBody(response.body);
				throw redirectError(ctx, profile, req, response, itemIndex);
			}
			if (statusCode < 300) return response as ApiResponse<T>;

			if (statusCode === 429 && canRetry) {
				const wait = retryAfterMs(response.headers['retry-after']) ?? backoff;
				if (wait <= RETRY_POLICY.maxRetryAfterMs) {
					destroyBody(response.body);
					await sleep(wait);
					continue;
				}
			}
			if (RETRYABLE_STATUSES.has(statusCode) && req.idempotent && canRetry) {
				destroyBody(response.body);
				await sleep(retryAfterMs(response.headers['retry-after']) ?? backoff);
				continue;
			}

			const text = await readSmallBody(response.body);
			const err = statusError(ctx, profile, statusCode, text, itemIndex, secrets);
			if (statusCode === 429) {
				const wait = retryAfterMs(response.headers['retry-after']);
				err.description = [
					err.description,
					attempt > 0 ? `Still rate limited after ${attempt + 1} attempts.` : '',
					wait !== undefined ? `The API asks to wait ${Math.ceil(wait / 1000)} s.` : '',
				]
					.filter(Boolean)
					.join(' ');
			} else if (attempt > 0) {
				err.description = [err.description, `Failed after ${attempt + 1} attempts.`]
					.filter(Boolean)
					.join(' ');
			}
			throw err;
		}
	} finally {
		// the last attempt's stream, if it was never read (a refused connection), holds a file open
		if (req.openBody) destroyBody(options.body);
	}
}
