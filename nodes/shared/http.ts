import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { normaliseBaseUrl } from './baseUrl';
import { executionCancelSignal, requireHelper } from './compat';

export type RequestContext = IExecuteFunctions | IPollFunctions;

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
/** Errors where the request never reached the server: always safe to repeat. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
/** Errors where the request may or may not have been processed. */
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);

/** Replaces every secret in a text by "***". */
function redact(text: string, secrets: Array<string | undefined> = []): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.split(secret).join('***');
	}
	return out;
}

/** Reads the whole of a small body (a stream, Buffer or string) as text, at most `limit` bytes. */
export async function readSmallBody(body: unknown, limit = 65_536): Promise<string> {
	if (body === undefined || body === null) return '';
	if (typeof body === 'string') return body.slice(0, limit);
	if (body instanceof Uint8Array) return Buffer.from(body).subarray(0, limit).toString('utf8');
	if (typeof (body as AsyncIterable<Buffer>)[Symbol.asyncIterator] === 'function') {
		const chunks: Buffer[] = [];
		let size = 0;
		for await (const chunk of body as AsyncIterable<Buffer>) {
			const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
			chunks.push(buf);
			size += buf.length;
			if (size >= limit) break;
		}
		destroyBody(body);
		return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
	}
	return JSON.stringify(body).slice(0, limit);
}

/** The part of a readable stream `peekBody` uses. */
interface PeekableStream {
	read(): Uint8Array | string | null;
	unshift(chunk: Uint8Array | string): void;
	once(event: string, listener: () => void): unknown;
	removeListener(event: string, listener: () => void): unknown;
	readableEnded?: boolean;
	destroyed?: boolean;
}

/**
 * The first bytes of a response stream, put back so whoever reads the stream next gets all of
 * it. Empty when the body is empty; undefined when it is not a stream or broke first.
 */
export async function peekBody(body: unknown): Promise<Buffer | undefined> {
	const stream = body as Partial<PeekableStream> | null | undefined;
	if (typeof stream?.read !== 'function' || typeof stream.unshift !== 'function') return undefined;
	const readable = stream as PeekableStream;
	for (;;) {
		const chunk = readable.read();
		if (chunk !== null) {
			readable.unshift(chunk);
			return Buffer.from(chunk);
		}
		if (readable.readableEnded) return Buffer.alloc(0);
		if (readable.destroyed) return undefined;
		await new Promise<void>((resolve) => {
			const events = ['readable', 'end', 'error', 'close'];
			const wake = () => {
				for (const event of events) readable.removeListener(event, wake);
				resolve();
			};
			for (const event of events) readable.once(event, wake);
		});
	}
}

/** Closes a response stream the caller no longer reads. */
export function destroyBody(body: unknown): void {
	const stream = body as { destroy?: () => void } | undefined;
	if (stream && typeof stream.destroy === 'function') stream.destroy();
}

/** The `error`/`message` an API put in its JSON error body, or the raw text. */
function apiErrorDetail(text: string): { detail: string; code?: string } {
	try {
		const parsed = JSON.parse(text) as IDataObject;
		if (parsed && typeof parsed === 'object') {
			const error = typeof parsed.error === 'string' ? parsed.error : undefined;
			const message = typeof parsed.message === 'string' ? parsed.message : undefined;
			if (error && message) return { detail: message, code: error };
			if (error || message) return { detail: (error ?? message) as string };
			if (parsed.error && typeof parsed.error === 'object') {
				const nested = parsed.error as IDataObject;
				if (typeof nested.message === 'string') return { detail: nested.message };
			}
		}
	} catch {
		// not JSON: the text itself is the detail
	}
	return { detail: text.trim().slice(0, 500) };
}

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

function errorCode(error: unknown): string | undefined {
	const e = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
	const code = e?.code ?? e?.cause?.code;
	return typeof code === 'string' ? code : undefined;
}

/** The low-level error (Node's or the HTTP client's) under n8n's wrapper, whose message is its own. */
function transportError(error: unknown): { message?: unknown; request?: unknown } | undefined {
	const e = error as { cause?: unknown; request?: unknown } | undefined;
	if (e && typeof e === 'object' && 'request' in e) return e as { message?: unknown; request?: unknown };
	const cause = e?.cause as { message?: unknown; request?: unknown } | undefined;
	return cause && typeof cause === 'object' ? cause : undefined;
}

/**
 * Whether the request left this machine whole: false when it provably did not (refused, no DNS
 * answer, unreachable host, or the request not completely written when the connection failed),
 * true when it was completely written, undefined when the error does not say.
 */
function requestWasSent(error: unknown): boolean | undefined {
	const code = errorCode(error);
	if (code !== undefined && NOT_SENT_CODES.has(code)) return false;
	const request = transportError(error)?.request as { writableFinished?: unknown } | undefined;
	if (typeof request?.writableFinished === 'boolean') return request.writableFinished;
	return undefined;
}

function isAbort(error: unknown, signal?: AbortSignal): boolean {
	if (signal?.aborted) return true;
	const e = error as { name?: string; code?: string } | undefined;
	return e?.name === 'AbortError' || e?.name === 'CanceledError' || e?.code === 'ERR_CANCELED';
}

/** Builds the NodeApiError for an HTTP error status, with the API's own message and a hint. */
export function statusError(
	ctx: RequestContext,
	profile: ApiProfile,
	statusCode: number,
	bodyText: string,
	itemIndex: number | undefined,
	secrets: Array<string | undefined> = [],
): NodeApiError {
	const { detail, code } = apiErrorDetail(bodyText);
	const apiMessage = redact(detail, secrets);
	const fixed = profile.messages?.[statusCode];
	const message = fixed ?? `${profile.name} API error (${statusCode}): ${apiMessage || 'no message'}`;
	const hint = profile.hints[statusCode];
	const description = [fixed && apiMessage ? `The API said: "${apiMessage}".` : '', hint ?? '']
		.filter(Boolean)
		.join(' ');
	const response: JsonObject = { status: statusCode, message: apiMessage };
	if (code) response.error = redact(code, secrets);
	return new NodeApiError(ctx.getNode(), response, {
		message,
		description: description || undefined,
		httpCode: String(statusCode),
		itemIndex,
	});
}

/**
 * Builds the NodeApiError for a request that got no HTTP answer. It tells apart a request that
 * never left (refused, DNS, unreachable: nothing happened, running the item again is safe) from
 * one that was sent and then lost its connection or timed out (the API may have carried it out:
 * for requests not safe to repeat, the error says so and how to check, and never invites a
 * retry). n8n's own texts for network errors ("You can retry the request immediately…") are not
 * passed on: the detail is the transport's message (e.g. "socket hang up").
 */
function connectionError(
	ctx: RequestContext,
	profile: ApiProfile,
	error: unknown,
	req: ApiRequest,
	itemIndex: number | undefined,
	attempts = 1,
): NodeApiError {
	const secrets = req.secrets ?? [];
	const code = errorCode(error) ?? 'network error';
	const low = transportError(error)?.message;
	let detail = redact(String(typeof low === 'string' && low ? low : (error as Error)?.message ?? error), secrets)
		.trim()
		.replace(/\.+$/, '');
	// without the transport's own error the message may be n8n's generic text: never pass that on
	if (/you can retry/i.test(detail)) detail = code;
	const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
	const sent = requestWasSent(error);
	let message: string;
	let description: string;
	if (sent === false) {
		message = `Could not reach the ${profile.name} API (${code})${tries}`;
		const how = NOT_SENT_CODES.has(code) ? 'not sent' : 'not completely sent';
		description =
			`The request was ${how} (${detail}), so nothing was carried out and the item can be run again. ` +
			'Check the Base URL in the credential and that the server is reachable.';
	} else {
		const broke = /timeout|timed out/i.test(detail)
			? `No answer came in time after the request was sent (${detail}).`
			: `The connection broke after the request was sent, before the answer came (${detail}).`;
		if (req.idempotent && !req.ifUnanswered) {
			message = `No answer from the ${profile.name} API (${code})${tries}`;
			description = `${broke} This request is safe to repeat. Check that the server is reachable.`;
		} else {
			message = `No answer from the ${profile.name} API (${code})${tries}: the request may already have been carried out`;
			description = `${broke} ${req.ifUnanswered ?? `The ${profile.name} API may have carried it out: check before running the item again, or it may be done twice.`}`;
		}
	}
	const apiError = new NodeApiError(
		ctx.getNode(),
		{ networkError: code, message: detail },
		{ description, itemIndex },
	);
	// set after construction: NodeApiError swaps messages naming an error code for n8n's generic
	// texts, and keeps the texts it swapped out: only ours stay
	apiError.message = message;
	apiError.messages = [detail];
	return apiError;
}

/** The error for a 3xx answer: it names where the redirect points, as the Base URL to use. */
function redirectError(
	ctx: RequestContext,
	profile: ApiProfile,
	req: ApiRequest,
	response: ApiResponse<unknown>,
	itemIndex: number | undefined,
): NodeApiError {
	const raw = response.headers.location;
	const location = Array.isArray(raw) ? raw[0] : raw;
	let target: string | undefined;
	if (typeof location === 'string' && location.trim() !== '') {
		try {
			target = new URL(location.trim(), req.url).href;
		} catch {
			target = location.trim();
		}
		target = redact(target, req.secrets).slice(0, 500);
	}
	const what = profile.credentialType ? 'the Base URL' : 'the URL';
	const status = response.statusCode;
	const message = target
		? `${profile.name} API: ${what} redirects to ${target} (${status}): set ${what} to that host`
		: `${profile.name} API: ${what} answered with a redirect (${status}) that names no Location`;
	const description = profile.credentialType
		? `Redirects are not followed: the API key would go along to another address. Check the Base URL in the ${profile.name} API credential.`
		: 'Redirects are not followed: the token would go along to another address.';
	return new NodeApiError(ctx.getNode(), { status, location: target ?? null } as JsonObject, {
		message,
		description,
		httpCode: String(status),
		itemIndex,
	});
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
		? requireHelper(ctx, 'httpRequestWithAuthentication', ctx.getNode(), itemIndex)
		: requireHelper(ctx, 'httpRequest', ctx.getNode(), itemIndex);

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
