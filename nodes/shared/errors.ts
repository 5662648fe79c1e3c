import type { IDataObject, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { ApiProfile, ApiRequest, ApiResponse, RequestContext } from './http';

/** Errors where the request never reached the server: always safe to repeat. */
export const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** Replaces every secret in a text by "***". */
function redact(text: string, secrets: Array<string | undefined> = []): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.split(secret).join('***');
	}
	return out;
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

export function errorCode(error: unknown): string | undefined {
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
export function connectionError(
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
export function redirectError(
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
