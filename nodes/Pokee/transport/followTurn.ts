import type { IDataObject, IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { chatStream, deadlineSignal } from '../../shared/compat';
import { destroyBody } from '../../shared/streams';
import type { PokeeEnv } from './index';
import { pokeeRequest, seg } from './index';
import { readSse } from './sse';
import { MalformedEventError, TurnState } from './turnState';

/** Consecutive reconnections that bring no new event before the stream counts as broken. */
export const MAX_RESUMES_WITHOUT_PROGRESS = 3;

interface TurnTarget {
	/** 'session' for session turns, 'response' for stateless /v1/responses streams. */
	kind: 'session' | 'response';
	sessionId?: string;
}

export interface FollowOptions {
	itemIndex: number;
	/** Epoch milliseconds by which the turn must have ended. */
	deadline: number;
	/** The configured limit in seconds, for messages. */
	timeLimitSeconds: number;
	/** Cancel the turn on the server when the time limit passes. */
	cancelOnTimeout: boolean;
	/** Stop and output the call when the agent asks for a client-side session tool. */
	returnToolCalls: boolean;
}

function eventsPath(target: TurnTarget, responseId: string): string {
	return target.kind === 'session'
		? `/v1/sessions/${seg(target.sessionId ?? '')}/responses/${seg(responseId)}/events`
		: `/v1/responses/${seg(responseId)}/events`;
}

function cancelPath(target: TurnTarget, responseId: string): string {
	return target.kind === 'session'
		? `/v1/sessions/${seg(target.sessionId ?? '')}/responses/${seg(responseId)}/cancel`
		: `/v1/responses/${seg(responseId)}/cancel`;
}

/** Asks the server to cancel a turn; returns the API's answer (or the failure text). */
export async function cancelTurn(
	ctx: IExecuteFunctions,
	env: PokeeEnv,
	target: TurnTarget,
	responseId: string,
	itemIndex: number,
): Promise<IDataObject> {
	const response = await pokeeRequest<IDataObject>(
		ctx,
		env,
		{
			method: 'POST',
			path: cancelPath(target, responseId),
			body: {},
			idempotent: true,
			timeout: 15_000,
			// a cancel must go out even when the execution's own signal has fired
			abortSignal: new AbortController().signal,
		},
		itemIndex,
	);
	return response.body ?? {};
}

/**
 * Follows a turn's event stream to its end (or to a client tool call), whatever the network
 * does: a dropped connection is resumed from the last event id, a replayed event is ignored,
 * a time limit or a stopped execution cancels the turn on the server. `first` is the body of
 * the request that started the turn, if there is one; otherwise the stream is opened by resume.
 */
export async function followTurn(
	ctx: IExecuteFunctions,
	env: PokeeEnv,
	target: TurnTarget,
	state: TurnState,
	first: unknown,
	options: FollowOptions,
): Promise<TurnState> {
	const { itemIndex } = options;
	const node = ctx.getNode();
	// Ends reading when the time limit passes or the execution is stopped, whichever comes first.
	const { signal } = deadlineSignal(ctx, options.deadline);
	/** The stream being read; destroyed when the signal fires (a stalled read may not wake otherwise). */
	let body: unknown = first;
	const onAbort = () => destroyBody(body);
	signal.addEventListener('abort', onAbort, { once: true });

	const chunk = chatStream(ctx, itemIndex);
	const onText = chunk ? (delta: string) => chunk('item', delta) : undefined;
	// a chat streaming this turn gets its end also when the turn fails
	chunk?.('begin');
	/** Cancels the turn on the server, if it has an id; true when the server accepted. */
	const cancelQuietly = async (): Promise<boolean> =>
		state.responseId
			? await cancelTurn(ctx, env, target, state.responseId, itemIndex).then(
					(answer) => {
						// 'already_complete': the turn ended on its own; a retry may replay it
						if (answer.status !== 'already_complete') state.cancelledByClient = true;
						return true;
					},
					() => false,
				)
			: false;

	try {
		let withoutProgress = 0;
		for (;;) {
			if (signal.aborted) break;
			if (body === undefined) {
				if (!state.responseId) {
					throw new NodeApiError(node, { status: 'no_response_id' } as JsonObject, {
						message: 'Pokee: the stream broke before the turn had an id, so it cannot be resumed',
						itemIndex,
					});
				}
				const headers: IDataObject = { Accept: 'text/event-stream' };
				if (state.lastSeq >= 0) headers['Last-Event-ID'] = String(state.lastSeq);
				// pokeeRequest fails with a NodeApiError; one caused by our own abort is not the story
				const resumed = await pokeeRequest(
					ctx,
					env,
					{
						method: 'GET',
						path: eventsPath(target, state.responseId),
						headers,
						encoding: 'stream',
						abortSignal: signal,
					},
					itemIndex,
				).catch((error: unknown) => ({ failed: error }));
				if ('failed' in resumed) {
					if (signal.aborted) break;
					throw resumed.failed;
				}
				body = resumed.body;
			}

			state.newConnection();
			const before = state.eventCount;
			let outcome: 'terminal' | 'tool_call' | undefined;
			try {
				await readSse(body, (event) => {
					const result = state.apply(event, onText);
					if (result === 'terminal' || result === 'tool_call') {
						outcome = result;
						return true;
					}
					return false;
				}, signal);
			} catch (error) {
				if (error instanceof MalformedEventError) {
					// the item fails, so the turn must not run on (and bill) unseen
					await cancelQuietly();
					throw new NodeApiError(node, { event: error.event.event, data: error.event.data.slice(0, 500) }, {
						message: `Pokee sent a ${error.message}`,
						description: 'The turn could not be read. Turn on "Include Raw Events" to see what arrived before it.',
						itemIndex,
					});
				}
				// a dropped connection: resumed below
			} finally {
				destroyBody(body);
				body = undefined;
			}
			if (signal.aborted) break;

			if (outcome === 'terminal') return state;
			if (outcome === 'tool_call') {
				if (options.returnToolCalls) {
					state.status = 'tool_call_requested';
					return state;
				}
				await cancelQuietly();
				throw new NodeOperationError(
					node,
					`The agent asked for the client tool "${state.toolCall?.name}", and Return Tool Calls is off (item ${itemIndex})`,
					{
						itemIndex,
						description:
							'The turn was cancelled. Turn on "Return Tool Calls" to answer the call with other nodes and Tool Result → Submit.',
					},
				);
			}

			withoutProgress = state.eventCount > before ? 0 : withoutProgress + 1;
			if (withoutProgress >= MAX_RESUMES_WITHOUT_PROGRESS) {
				await cancelQuietly();
				throw new NodeApiError(node, { status: 'incomplete_stream' } as JsonObject, {
					message: 'Pokee: the event stream ended without a terminal event',
					description: `The turn ${state.responseId ?? ''} sent ${state.eventCount} events but no message.completed, message.error or message.cancelled, also after ${withoutProgress} reconnections. Its output would be incomplete, so the item fails.`,
					itemIndex,
				});
			}
			if (withoutProgress > 0) await sleep(250 * withoutProgress);
		}
	} finally {
		signal.removeEventListener('abort', onAbort);
		chunk?.('end');
	}

	// Stopped by the time limit or by the user stopping the execution.
	const responseId = state.responseId;
	if ((signal.reason as Error | undefined)?.name === 'TimeoutError') {
		let cancelled = '';
		if (options.cancelOnTimeout && responseId) {
			cancelled = (await cancelQuietly())
				? ' The turn was cancelled on the server.'
				: ' Cancelling the turn on the server failed.';
		}
		throw new NodeOperationError(
			node,
			`The turn did not finish within the time limit of ${options.timeLimitSeconds} s (item ${itemIndex})`,
			{
				itemIndex,
				description: `Response ${responseId ?? '(unknown)'} received ${state.eventCount} events.${cancelled} Raise Time Limit, or turn off Wait for Completion and pick the result up later (Pokee Trigger or Session → Wait Until Idle).`,
			},
		);
	}
	await cancelQuietly();
	throw new NodeOperationError(node, `The execution was stopped; the turn was cancelled (item ${itemIndex})`, {
		itemIndex,
	});
}
