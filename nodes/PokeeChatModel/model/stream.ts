import type { IDataObject, IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import type { ApiEnv, ApiProfile, ApiResponse } from '../../shared/http';
import { apiRequest } from '../../shared/http';
import { destroyBody, readSmallBody } from '../../shared/streams';
import { pokeeProfile } from '../../Pokee/transport';
import { MAX_RESUMES_WITHOUT_PROGRESS } from '../../Pokee/transport/followTurn';
import { readSse } from '../../Pokee/transport/sse';
import type { SseEvent } from '../../Pokee/transport/sse';

/**
 * Errors of calls whose response is known to be over without an answer (failed, cancelled, or
 * cancelled by the node on a timeout, a stop or a broken stream): replaying its key would only
 * give the failure back, so the next identical call must start a new response.
 */
const endedWithoutAnswer = new WeakSet<object>();
export function responseEndedWithoutAnswer(error: unknown): boolean {
	return typeof error === 'object' && error !== null && endedWithoutAnswer.has(error);
}
function ended<E extends object>(error: E): E {
	endedWithoutAnswer.add(error);
	return error;
}

/** Pokee's profile with hints that fit a chat model's /v1/responses calls. */
const chatModelProfile: ApiProfile = {
	...pokeeProfile,
	hints: {
		...pokeeProfile.hints,
		400: 'Check the Model name (the tenant must have it) and the options (Reasoning Effort, Temperature, Maximum Output Tokens).',
		404: 'The tenant has no /v1/responses endpoint enabled, or the answer being resumed is older than 120 s. Ask your Pokee admin to enable stateless responses.',
		422: 'The same call was sent before with a different body under this Idempotency-Key; run the workflow again.',
		429: 'Rate limit reached for stateless responses. Wait and run again, or lower how often the agent calls the model.',
	},
};

/** What one streamed call to POST /v1/responses needs. */
export interface ResponseCall {
	ctx: IExecuteFunctions;
	env: ApiEnv;
	body: IDataObject;
	idempotencyKey: string;
	/** Fires on the caller's abort, a stopped execution or the time limit. */
	signal: AbortSignal;
	timeoutSeconds: number;
	onTextDelta?: (delta: string) => void;
	onReasoningDelta?: (delta: string) => void;
	/**
	 * Given: reading pauses after the response's first text (before the rest of its chunk is
	 * parsed), and this gets the function that goes on reading.
	 */
	onPause?: (resume: () => void) => void;
}

/** The end of a call: the final response object and its id. */
export interface ResponseResult {
	responseId?: string;
	response: IDataObject;
	/** Resumes needed to get the whole answer (0 on a connection that held). */
	resumes: number;
}

const TERMINAL = new Set(['response.completed', 'response.failed', 'response.cancelled', 'response.incomplete', 'error']);

/**
 * The state of one streamed response, built from its events: events are numbered by their SSE
 * id (or sequence_number), and one already applied is ignored, so a resume or an idempotent
 * replay (which restarts at id 0) never repeats a delta.
 */
class ResponseState {
	responseId?: string;

	lastSeq = -1;

	eventCount = 0;

	/** Whether a text delta came (after it, reading never pauses). */
	textSeen = false;

	terminal?: { type: string; data: IDataObject };

	apply(event: SseEvent, call: ResponseCall): boolean | 'pause' {
		let data: IDataObject;
		try {
			const parsed: unknown = event.data === '' ? {} : JSON.parse(event.data);
			if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
			data = parsed as IDataObject;
		} catch {
			throw new NodeApiError(call.ctx.getNode(), { event: event.event, data: event.data.slice(0, 500) }, {
				message: `Pokee sent a malformed "${event.event}" event: its data is not a JSON object`,
			});
		}
		const explicit = event.id !== undefined && event.id !== '' ? Number(event.id) : NaN;
		const seq = Number.isFinite(explicit)
			? explicit
			: typeof data.sequence_number === 'number'
				? data.sequence_number
				: this.lastSeq + 1;
		if (seq <= this.lastSeq) return false;
		this.lastSeq = seq;
		this.eventCount++;
		const type = typeof data.type === 'string' && event.event === 'message' ? data.type : event.event;
		switch (type) {
			case 'response.created': {
				const id = data.id ?? (data.response as IDataObject | undefined)?.id;
				if (typeof id === 'string') this.responseId = id;
				return false;
			}
			case 'response.output_text.delta':
				if (typeof data.delta !== 'string') return false;
				call.onTextDelta?.(data.delta);
				if (this.textSeen) return false;
				this.textSeen = true;
				return 'pause';
			case 'response.reasoning_summary_text.delta':
			case 'response.reasoning_text.delta':
				if (typeof data.delta === 'string') call.onReasoningDelta?.(data.delta);
				return false;
			default:
				if (!TERMINAL.has(type)) return false;
				this.terminal = { type, data };
				return true;
		}
	}
}

/** Whether a response's body is JSON (an idempotent replay whose events were evicted). */
function isJson(response: ApiResponse<unknown>): boolean {
	const type = response.headers['content-type'];
	return typeof type === 'string' && type.includes('application/json');
}

/**
 * Sends one streamed POST /v1/responses and follows it to its terminal event, whatever the
 * network does: the request carries an Idempotency-Key (so a retry after a lost answer replays
 * instead of generating again), and a dropped stream is resumed from the last event id with
 * GET /v1/responses/{id}/events, never re-requested. A stopped execution or the time limit
 * cancels the response on the server, so it is not billed unseen.
 */
export async function runResponse(call: ResponseCall): Promise<ResponseResult> {
	const { ctx, env, signal } = call;
	const secrets = [env.apiKey];
	const state = new ResponseState();
	let body: unknown;
	let resumes = 0;
	const onAbort = () => destroyBody(body);
	signal.addEventListener('abort', onAbort, { once: true });

	/** POST (first time, or again with the same key when no id is known yet: a replay). */
	const post = async () => {
		const response = await apiRequest(
			ctx,
			chatModelProfile,
			{
				method: 'POST',
				url: `${env.baseUrl}/v1/responses`,
				body: call.body,
				headers: { Accept: 'text/event-stream', 'Idempotency-Key': call.idempotencyKey },
				encoding: 'stream',
				idempotent: true,
				abortSignal: signal,
				timeout: call.timeoutSeconds * 1000,
				secrets,
			},
		);
		if (isJson(response)) {
			const text = await readSmallBody(response.body);
			throw new NodeApiError(ctx.getNode(), { body: text.slice(0, 500) } as JsonObject, {
				message: 'Pokee: this answer was already generated, but its events are no longer available',
				description:
					'The same call (same Idempotency-Key) ended more than 120 s ago and Pokee no longer holds its events. Run the workflow again for a new answer.',
			});
		}
		const header = response.headers['x-response-id'];
		if (typeof header === 'string' && header !== '' && !state.responseId) state.responseId = header;
		return response.body;
	};

	const resume = async () => {
		const headers: IDataObject = { Accept: 'text/event-stream' };
		if (state.lastSeq >= 0) headers['Last-Event-ID'] = String(state.lastSeq);
		const response = await apiRequest(ctx, chatModelProfile, {
			method: 'GET',
			url: `${env.baseUrl}/v1/responses/${encodeURIComponent(state.responseId ?? '')}/events`,
			headers,
			encoding: 'stream',
			idempotent: true,
			abortSignal: signal,
			timeout: call.timeoutSeconds * 1000,
			secrets,
		});
		return response.body;
	};

	const follow = async (): Promise<ResponseResult | undefined> => {
		let withoutProgress = 0;
		body = await post();
		for (;;) {
			if (body === undefined) {
				resumes++;
				body = state.responseId ? await resume() : await post();
			}
			const before = state.eventCount;
			// a dropped connection rejects with a plain Error: resumed below; ours are NodeApiErrors
			const failure = await readSse(body, (event) => state.apply(event, call), signal, state.textSeen ? undefined : call.onPause).then(
				() => undefined,
				(error: unknown) => error,
			);
			destroyBody(body);
			body = undefined;
			if (failure instanceof NodeApiError) throw failure;
			if (signal.aborted) return undefined;
			if (state.terminal) return finish(call, state, resumes);
			withoutProgress = state.eventCount > before ? 0 : withoutProgress + 1;
			if (withoutProgress >= MAX_RESUMES_WITHOUT_PROGRESS) {
				await cancelQuietly(call, state.responseId);
				throw ended(
					new NodeApiError(ctx.getNode(), { status: 'incomplete_stream' } as JsonObject, {
						message: 'Pokee: the answer stream ended without a terminal event',
						description: `Response ${state.responseId ?? '(unknown)'} sent ${state.eventCount} events but no response.completed, also after ${withoutProgress} reconnections.`,
					}),
				);
			}
			if (withoutProgress > 0) await sleep(250 * withoutProgress);
		}
	};
	const outcome = await follow().then(
		(result) => ({ result }),
		(failed: unknown) => ({ failed }),
	);
	signal.removeEventListener('abort', onAbort);
	destroyBody(body);
	if ('result' in outcome && outcome.result) return outcome.result;
	// an error caused by our own abort (a destroyed stream, a cancelled request) is not the story
	if ('failed' in outcome && !signal.aborted) throw outcome.failed;

	// stopped: the caller's abort, the execution's Stop, or the time limit
	await cancelQuietly(call, state.responseId);
	if ((signal.reason as Error | undefined)?.name === 'TimeoutError') {
		throw ended(
			new NodeOperationError(ctx.getNode(), `Pokee did not finish the answer within the timeout of ${call.timeoutSeconds} s`, {
				description: `Response ${state.responseId ?? '(unknown)'} sent ${state.eventCount} events; it was cancelled on the server. Raise Timeout in the Pokee Chat Model's options.`,
			}),
		);
	}
	throw ended(new NodeOperationError(ctx.getNode(), 'The model call was stopped; the answer was cancelled on the server'));
}

/** Cancels a response on the server (best effort: a failure is not the story). */
async function cancelQuietly(call: ResponseCall, responseId: string | undefined): Promise<void> {
	if (!responseId) return;
	await apiRequest(call.ctx, chatModelProfile, {
		method: 'POST',
		url: `${call.env.baseUrl}/v1/responses/${encodeURIComponent(responseId)}/cancel`,
		body: {},
		idempotent: true,
		timeout: 15_000,
		// the cancel must go out although the call's own signal has fired
		abortSignal: new AbortController().signal,
		secrets: [call.env.apiKey],
	}).catch(() => undefined);
}

function finish(call: ResponseCall, state: ResponseState, resumes: number): ResponseResult {
	const { type, data } = state.terminal as { type: string; data: IDataObject };
	const response = (data.response && typeof data.response === 'object' ? data.response : data) as IDataObject;
	if (type === 'response.completed' || type === 'response.incomplete') {
		return { responseId: state.responseId ?? (response.id as string | undefined), response, resumes };
	}
	const err = (response.error ?? data.error ?? data.message) as unknown;
	const detail =
		typeof err === 'string'
			? err
			: err && typeof err === 'object' && typeof (err as IDataObject).message === 'string'
				? ((err as IDataObject).message as string)
				: type === 'response.cancelled'
					? 'the response was cancelled'
					: 'Pokee reported an error without a message';
	throw ended(
		new NodeApiError(call.ctx.getNode(), { status: type, message: detail } as JsonObject, {
			message: `Pokee: ${detail}`,
			description:
				type === 'response.cancelled'
					? 'The answer was cancelled on the server (by a cancel request) before it was complete.'
					: 'Pokee failed while generating the answer. Run the workflow again; if it keeps failing, check the model name and the tenant status.',
		}),
	);
}
