import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { destroyBody, readSmallBody, statusError } from '../../../shared/http';
import { requireText } from '../../../shared/params';
import type { PokeeEnv } from '../../transport';
import { pokeeJson, pokeeProfile, pokeeRequest, seg, UNANSWERED } from '../../transport';
import { followTurn } from '../../transport/followTurn';
import { readSse } from '../../transport/sse';
import { TurnState } from '../../transport/turnState';
import { readSessionId, sessionCreateBody, sessionIdField, sessionOptionsField } from '../session/fields';
import { waitUntilIdle } from '../session/waitUntilIdle.operation';
import { finishTurn } from './finish';
import { derivedIdempotencyKey, readTurnOptions, turnOptionsField } from './turnOptions';
import {
	findTurnSession,
	inputTurnKey,
	readIdempotencyScope,
	sessionTurnKey,
	turnMetadata,
	withIdempotencyScope,
} from './turnScope';

const show = { resource: ['message'], operation: ['send'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Session',
		name: 'sessionMode',
		type: 'options',
		default: 'existing',
		options: [
			{ name: 'Existing Session', value: 'existing', description: 'Send to a session by its ID' },
			{ name: 'New Session', value: 'new', description: 'Create a session for each item, then send' },
		],
		displayOptions: { show },
	},
	sessionIdField({ ...show, sessionMode: ['existing'] }),
	sessionOptionsField({ ...show, sessionMode: ['new'] }),
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'Build a Temasek-style PPT on Q3 NVIDIA performance',
		description: 'Prompt for the agent, plain text or markdown',
		displayOptions: { show },
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to stream the turn to its end. Off: output the response ID as soon as it is known and let the turn run on (pick the result up with the Pokee Trigger, Session → Wait Until Idle or Message → Resume).',
		displayOptions: { show },
	},
	withIdempotencyScope(turnOptionsField(show, { busy: true, idempotency: true })),
];

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const mode = this.getNodeParameter('sessionMode', itemIndex, 'existing') as string;
	const message = requireText(node, this.getNodeParameter('message', itemIndex), 'Message', itemIndex);
	const wait = this.getNodeParameter('waitForCompletion', itemIndex, true) as boolean;
	const options = readTurnOptions(this, itemIndex);
	// all input checked before the first request
	let sessionId = mode === 'new' ? '' : readSessionId(this, itemIndex);
	let createBody = mode === 'new' ? sessionCreateBody(this, itemIndex) : undefined;

	const scope = readIdempotencyScope(this, itemIndex);
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

	const key =
		options.idempotencyKey ||
		(scope === 'input'
			? mode === 'new'
				? sessionTurnKey(turnKey, sessionId)
				: turnKey
			: derivedIdempotencyKey(this, itemIndex, sessionId));
	const state = new TurnState(options.includeRawEvents);
	state.sessionId = sessionId;

	for (;;) {
		// The Idempotency-Key makes this POST safe to repeat: a connection failure before the
		// response headers is retried with the same key, so the item never starts two turns.
		const response = await pokeeRequest(
			this,
			env,
			{
				method: 'POST',
				path: `/v1/sessions/${seg(sessionId)}/messages`,
				body: { message },
				headers: { Accept: 'text/event-stream', 'Idempotency-Key': key },
				encoding: 'stream',
				idempotent: true,
				ifUnanswered: UNANSWERED.turn(sessionId, !!options.idempotencyKey || scope === 'input'),
				passStatuses: [409],
			},
			itemIndex,
		);
		if (response.statusCode === 409) {
			const text = await readSmallBody(response.body);
			if (options.ifBusy === 'fail' || Date.now() >= options.deadline) {
				throw statusError(this, pokeeProfile, 409, text, itemIndex, [env.apiKey]);
			}
			await waitUntilIdle(this, env, sessionId, 2000, options.deadline, itemIndex);
			continue;
		}

		const contentType = String(response.headers['content-type'] ?? '');
		if (contentType.includes('application/json')) {
			// An idempotent replay whose events were already evicted: the id, but no events.
			const replay = JSON.parse((await readSmallBody(response.body)) || '{}') as IDataObject;
			state.responseId = String(replay.response_id ?? '');
			state.status = 'replayed';
			return { ...state.toJson(), note: replay.note ?? 'The turn already ran; its events are no longer available.' };
		}

		const header = response.headers['x-response-id'];
		if (typeof header === 'string' && header !== '') state.responseId = header;
		if (!wait) {
			if (!state.responseId) {
				// servers without the header: the first event (message.created) carries the id
				await readSse(response.body, (event) => {
					state.apply(event);
					return state.responseId !== undefined;
				}).catch(() => undefined);
			}
			destroyBody(response.body);
			return { session_id: sessionId, response_id: state.responseId ?? null, status: 'in_progress' };
		}
		await followTurn(this, env, { kind: 'session', sessionId }, state, response.body, options);
		return finishTurn(this, state, itemIndex);
	}
}
