import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { deadlineSignal } from '../../../shared/compat';
import { statusError } from '../../../shared/errors';
import { destroyBody, readSmallBody } from '../../../shared/streams';
import { nodeVersion, requireText } from '../../../shared/params';
import { checkOutputShape, outputFields, shapeOutput, TURN_SIMPLIFIED } from '../../helpers/output';
import type { PokeeEnv } from '../../transport';
import { pokeeJson, pokeeProfile, pokeeRequest, seg, UNANSWERED } from '../../transport';
import { followTurn } from '../../transport/followTurn';
import { readSse } from '../../transport/sse';
import { TurnState } from '../../transport/turnState';
import { waitUntilIdle } from '../../transport/sessions';
import { sessionCreateBody, sessionIdFields, sessionIdParam, sessionOptionsField } from '../session/fields';
import { attemptKey, finishTurn, rememberFailedTurn, replayAnswer, turnFailed } from './finish';
import type { TurnOptions } from './turnOptions';
import { SIMPLIFIED_TURN_TEXT } from './fields';
import { derivedIdempotencyKey, turnOptions, turnOptionsFields } from './turnOptions';
import {
	findTurnSession,
	inputTurnKey,
	sessionTurnKey,
	turnMetadata,
	withIdempotencyScope,
} from './turnScope';

export const description: INodeProperties[] = [
	{
		displayName: 'Session',
		name: 'sessionMode',
		type: 'options',
		default: 'existing',
		options: [
			{ name: 'Existing Session', value: 'existing', description: 'Send to a session that exists' },
			{ name: 'New Session', value: 'new', description: 'Create a session for each item, then send' },
		],
	},
	...sessionIdFields(undefined, { sessionMode: ['existing'] }),
	sessionOptionsField({ sessionMode: ['new'] }),
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'Build a Temasek-style PPT on Q3 NVIDIA performance',
		description: 'Prompt for the agent, plain text or markdown',
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to stream the turn to its end. Off: output the response ID as soon as it is known and let the turn run on (pick the result up with the Pokee Trigger, Session → Wait Until Idle or Message → Resume).',
	},
	...outputFields(SIMPLIFIED_TURN_TEXT),
	...turnOptionsFields({ busy: true, idempotency: true }).map(withIdempotencyScope),
];

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	// every parameter read and checked here, before the first request
	const mode = this.getNodeParameter('sessionMode', itemIndex, 'existing') as string;
	const message = requireText(node, this.getNodeParameter('message', itemIndex), 'Message', itemIndex);
	const wait = this.getNodeParameter('waitForCompletion', itemIndex, true) as boolean;
	const options = turnOptions(node, this.getNodeParameter('options', itemIndex, {}) as IDataObject, itemIndex);
	const output = checkOutputShape(node, this.getNodeParameter('outputShape', itemIndex, 'raw'), this.getNodeParameter('outputFields', itemIndex, ''), itemIndex);
	let sessionId = mode === 'new' ? '' : sessionIdParam(this, node, itemIndex);
	let createBody =
		mode === 'new' ? sessionCreateBody(node, this.getNodeParameter('sessionOptions', itemIndex, {}) as IDataObject, itemIndex) : undefined;

	const scope = options.idempotencyScope;
	// A turn key that outlives the execution (Input Item scope, or a key set by the user): a new
	// session is found again by it, so a second execution reattaches instead of sending again.
	const turnKey =
		options.idempotencyKey || (scope === 'input' ? inputTurnKey(this, itemIndex, mode === 'new' ? 'new' : sessionId, message) : '');
	if (createBody && turnKey) {
		const earlier = await findTurnSession(this, env, turnKey, itemIndex);
		if (earlier) {
			sessionId = String(earlier.id);
			createBody = undefined;
		} else {
			createBody = { ...createBody, metadata: { ...((createBody.metadata as IDataObject | undefined) ?? {}), ...turnMetadata(this, turnKey) } };
		}
	}

	const created = createBody !== undefined;
	if (createBody) {
		const session = await pokeeJson(
			this,
			env,
			{ method: 'POST', path: '/v1/sessions', body: createBody, ifUnanswered: UNANSWERED.sessionCreate },
			itemIndex,
		);
		sessionId = String(session.id ?? '');
		if (!sessionId) {
			throw new NodeApiError(node, { status: 'no_session_id' }, { message: 'Pokee: the new session has no id', itemIndex });
		}
	}

	// Keys set by the user or by the Input Item scope are the turn's identity: a retry replays the
	// turn (and fails again if it failed). A derived key gets a new attempt after a failed turn.
	const derived = options.idempotencyKey || scope === 'input' ? '' : derivedIdempotencyKey(this, itemIndex, sessionId);
	const key = options.idempotencyKey || (scope === 'input' ? (mode === 'new' ? sessionTurnKey(turnKey, sessionId) : turnKey) : attemptKey(derived));
	const state = new TurnState(options.includeRawEvents);
	state.sessionId = sessionId;

	// the errors passed on are the transport's NodeApiErrors
	const response = await startTurn(this, env, sessionId, message, key, options, itemIndex).catch(async (error: unknown) => {
		// A session this item created whose turn never started only counts against the session
		// limit. Kept when a stable key may find it again and the send may have reached the API.
		if (created && (!turnKey || (error as NodeApiError).httpCode)) await deleteQuietly(this, env, sessionId, itemIndex);
		throw error;
	});

	const replay = await replayAnswer(this, response, itemIndex);
	if (replay) return shapeOutput({ ...state.toJson(), ...replay }, output, TURN_SIMPLIFIED);

	const header = response.headers['x-response-id'];
	if (typeof header === 'string' && header !== '') state.responseId = header;
	if (!wait) {
		if (!state.responseId) {
			// servers without the header: the first event (message.created) carries the id; read
			// for it no longer than the time limit, nor past a stopped execution
			const { signal } = deadlineSignal(this, options.deadline);
			const onAbort = () => destroyBody(response.body);
			signal.addEventListener('abort', onAbort, { once: true });
			await readSse(
				response.body,
				(event) => {
					state.apply(event);
					return state.responseId !== undefined;
				},
				signal,
			)
				.catch(() => undefined)
				.finally(() => signal.removeEventListener('abort', onAbort));
		}
		destroyBody(response.body);
		const started = { session_id: sessionId, response_id: state.responseId ?? null, status: 'in_progress' };
		// version 2: the shape of a finished turn (no text yet), so the next node maps the same fields
		return nodeVersion(node) >= 2 ? shapeOutput({ ...new TurnState(false).toJson(), ...started }, output, TURN_SIMPLIFIED) : started;
	}
	try {
		await followTurn(this, env, { kind: 'session', sessionId }, state, response.body, options);
		return shapeOutput(finishTurn(this, state, itemIndex, { keyed: true }), output, TURN_SIMPLIFIED);
	} finally {
		// the next attempt of this item (Retry On Fail) starts a new turn instead of replaying this one
		if (derived && turnFailed(state)) rememberFailedTurn(derived);
	}
}

/** Sends the message; a busy session (409) is waited for when the options say so. */
async function startTurn(
	ctx: IExecuteFunctions,
	env: PokeeEnv,
	sessionId: string,
	message: string,
	key: string,
	options: TurnOptions,
	itemIndex: number,
) {
	for (;;) {
		// the send and its retries end at the time limit too (or when the execution is stopped)
		const { timeLimit, signal } = deadlineSignal(ctx, options.deadline, 1);
		// The Idempotency-Key makes this POST safe to repeat: a connection failure before the
		// response headers is retried with the same key, so the item never starts two turns.
		const response = await pokeeRequest(
			ctx,
			env,
			{
				method: 'POST',
				path: `/v1/sessions/${seg(sessionId)}/messages`,
				body: { message },
				headers: { Accept: 'text/event-stream', 'Idempotency-Key': key },
				encoding: 'stream',
				idempotent: true,
				abortSignal: signal,
				ifUnanswered: UNANSWERED.turn(sessionId, !!options.idempotencyKey || options.idempotencyScope === 'input'),
				passStatuses: [409],
			},
			itemIndex,
		).catch((error: unknown) => {
			if (!timeLimit.aborted) throw error;
			throw new NodeOperationError(ctx.getNode(), `The send got no answer within the time limit of ${options.timeLimitSeconds} s (item ${itemIndex})`, {
				itemIndex,
				description: `The turn may not have started. Raise Time Limit, or check that the Pokee API is reachable (Session → Get shows whether session ${sessionId} is busy).`,
			});
		});
		if (response.statusCode !== 409) return response;
		const text = await readSmallBody(response.body);
		if (options.ifBusy === 'fail' || Date.now() >= options.deadline) {
			throw statusError(ctx, pokeeProfile, 409, text, itemIndex, [env.apiKey]);
		}
		await waitUntilIdle(ctx, env, sessionId, 2000, options.deadline, itemIndex);
	}
}

/** Deletes a session the item created; a failure here must not hide the send's own error. */
async function deleteQuietly(ctx: IExecuteFunctions, env: PokeeEnv, sessionId: string, itemIndex: number): Promise<void> {
	await pokeeRequest(
		ctx,
		env,
		{ method: 'DELETE', path: `/v1/sessions/${seg(sessionId)}`, timeout: 15_000, abortSignal: new AbortController().signal },
		itemIndex,
	).catch(() => undefined);
}
