import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { readSmallBody } from '../../../shared/streams';
import type { TurnState } from '../../transport/turnState';
import { keyHash } from './turnOptions';

/**
 * Turns a followed turn into the item's output. Only a completed turn (or a client tool call the
 * user asked to get back) is a success: a turn that ended in error or cancelled, whoever
 * cancelled it, becomes a NodeApiError naming the response, its status and how much text came.
 */
export function finishTurn(ctx: IExecuteFunctions, state: TurnState, itemIndex: number, { keyed = false } = {}): IDataObject {
	if (state.status === 'error' || state.status === 'cancelled') {
		const id = state.responseId ?? '(unknown)';
		const got = `${state.text.length} characters of text`;
		// operations that send an Idempotency-Key (Send, Response → Create): how a re-run behaves
		const again = !keyed
			? ''
			: ' A run with the same Idempotency Key (one you set, or Idempotency Scope Input Item) replays this turn: use another key to start a new one.';
		throw new NodeApiError(
			ctx.getNode(),
			{ status: state.status, error: state.error ?? '', response_id: state.responseId ?? '', session_id: state.sessionId ?? '' },
			state.status === 'error'
				? {
						message: `Pokee agent error: ${state.error}`,
						description: `The turn ${id} ended with status "error" after ${got}.${again}`,
						itemIndex,
					}
				: {
						message: `Pokee: the turn ${id} was cancelled`,
						description: `The turn ${id} ended with status "cancelled" after ${got} (cancelled by a time limit, Message → Cancel or the server), so its output is incomplete.${again}`,
						itemIndex,
					},
		);
	}
	return state.toJson();
}

/** Whether the turn is known to be over without a result: a retry must start a new one. */
export function turnFailed(state: TurnState): boolean {
	return state.status === 'error' || state.status === 'cancelled' || state.cancelledByClient;
}

/**
 * The API's answer to an Idempotency-Key whose turn's events were evicted: `200 application/json
 * {"response_id", "status": "replayed"}` instead of an event stream. Returns that body, or
 * undefined for a stream (read nothing from it then). Shared by Message → Send and Response → Create.
 */
export async function replayAnswer(
	ctx: IExecuteFunctions,
	response: { headers: Record<string, unknown>; body: unknown },
	itemIndex: number,
): Promise<IDataObject | undefined> {
	const contentType = String(response.headers['content-type'] ?? '');
	if (!contentType.includes('application/json')) return undefined;
	let replay: unknown;
	try {
		replay = JSON.parse((await readSmallBody(response.body)) || '{}');
	} catch {
		replay = {};
	}
	const body = replay && typeof replay === 'object' && !Array.isArray(replay) ? (replay as IDataObject) : {};
	const header = response.headers['x-response-id'];
	const responseId =
		typeof body.response_id === 'string' && body.response_id !== ''
			? body.response_id
			: typeof header === 'string'
				? header
				: '';
	if (!responseId) {
		// a JSON answer that is not the documented replay is no proof the turn ever ran
		throw new NodeApiError(ctx.getNode(), { body: JSON.stringify(body).slice(0, 500) }, {
			message: `Pokee: the send was answered with JSON that names no turn (item ${itemIndex})`,
			description:
				'A turn is answered with an event stream, or with {"response_id", "status": "replayed"} when it already ran. Check the Base URL in the Pokee API credential.',
			itemIndex,
		});
	}
	return {
		response_id: responseId,
		status: 'replayed',
		note: body.note ?? 'The turn already ran; its events are no longer available.',
	};
}

/**
 * Derived Idempotency-Keys whose turn failed in this process, with how many attempts failed.
 * n8n's Retry On Fail reruns the node with the same execution id and run index, so without this
 * a retry would send the same key and get the failed turn replayed. Bounded: oldest dropped.
 */
const failedAttempts = new Map<string, number>();
const FAILED_ATTEMPTS_KEPT = 1000;

/** The key of the item's current attempt: the derived key, or after n failed turns a new one. */
export function attemptKey(derived: string): string {
	const failed = failedAttempts.get(derived) ?? 0;
	return failed === 0 ? derived : `n8n-${keyHash([derived, 'attempt', failed])}`;
}

/** Records that the turn sent under the derived key's current attempt failed. */
export function rememberFailedTurn(derived: string): void {
	const failed = (failedAttempts.get(derived) ?? 0) + 1;
	failedAttempts.delete(derived);
	failedAttempts.set(derived, failed);
	if (failedAttempts.size > FAILED_ATTEMPTS_KEPT) {
		const oldest = failedAttempts.keys().next().value;
		if (oldest !== undefined) failedAttempts.delete(oldest);
	}
}
