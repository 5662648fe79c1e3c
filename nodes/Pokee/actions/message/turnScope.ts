import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { PokeeEnv } from '../../transport';
import { listSessions } from '../../transport';
import { ownValue } from '../../../shared/params';
import { keyHash as hash } from './turnOptions';

/**
 * Crash-safe turns (queue mode, webhooks re-sent after a 500, a workflow run again with the same
 * data): the "Input Item" idempotency scope derives the turn's identity from what the node was
 * given instead of from the execution, so a second execution with the same input reattaches to
 * the turn the first one started (the API replays it by Idempotency-Key) instead of starting
 * another. n8n gives a node no public way to learn that an execution is a retry of another, and
 * a worker killed mid-turn leaves no node data behind, so the input is the only identity both
 * executions share.
 */

export type IdempotencyScope = 'execution' | 'input';

/** The metadata keys a Send with a stable turn key writes on the session it creates. */
export const TURN_KEY_METADATA = 'n8n_turn_key';

/** The "Idempotency Scope" option, added to Message → Send's options. */
export const idempotencyScopeOption: INodeProperties = {
	displayName: 'Idempotency Scope',
	name: 'idempotencyScope',
	type: 'options',
	default: 'execution',
	options: [
		{
			name: 'Execution',
			value: 'execution',
			description:
				'Each execution is its own turn: a repeat inside the execution (a network retry) replays it, another execution sends again',
		},
		{
			name: 'Input Item',
			value: 'input',
			description:
				'The same input item at the same node of the same workflow is one turn for 24 hours, across executions: a webhook re-sent after a failure or the workflow run again with the same data (e.g. after a crashed queue-mode worker) reattaches to the turn instead of starting another. Add a unique field (e.g. a job ID) to items that must run separately.',
		},
	],
	description:
		'What makes two sends the same turn (ignored when an Idempotency Key is set). With New Session, Input Item (or a set key) also reuses the session the first send created.',
};

/** Appends the Idempotency Scope option to a turn options collection (kept sorted by name). */
export function withIdempotencyScope(field: INodeProperties): INodeProperties {
	const options = [...((field.options ?? []) as INodeProperties[]), idempotencyScopeOption];
	options.sort((a, b) => a.displayName.localeCompare(b.displayName));
	return { ...field, options };
}

/** JSON with object keys sorted at every level: the same data always gives the same text. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.entries(value as IDataObject)
			.filter(([, v]) => v !== undefined && typeof v !== 'function')
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
	}
	return JSON.stringify(value ?? null) ?? 'null';
}

/**
 * The identity of an item's turn under the Input Item scope: workflow, node, run and item index,
 * the session target ('new' or the session ID), the message, and the item's JSON (binary data is
 * left out: its IDs differ between executions). The same on a retry or a re-sent webhook.
 */
export function inputTurnKey(ctx: IExecuteFunctions, itemIndex: number, target: string, message: string): string {
	const runIndex = ctx.getWorkflowDataProxy(itemIndex).$runIndex;
	const item = ctx.getInputData()[itemIndex];
	const parts = [
		'input',
		ctx.getWorkflow().id ?? '',
		ctx.getNode().name,
		runIndex,
		itemIndex,
		target,
		message,
		canonicalJson(item?.json ?? {}),
	];
	return `n8n-in-${hash(parts)}`;
}

/** The Idempotency-Key of a turn key on one session (a new session gets a new key: no 422). */
export function sessionTurnKey(turnKey: string, sessionId: string): string {
	return `n8n-in-${hash([turnKey, sessionId])}`;
}

/** The value stored under n8n_turn_key: a hash, so a key set by the user is not readable there. */
export function turnKeyTag(turnKey: string): string {
	return hash(['turn', turnKey]);
}

/** Metadata a Send with a stable turn key puts on the session it creates. */
export function turnMetadata(ctx: IExecuteFunctions, turnKey: string): IDataObject {
	return {
		[TURN_KEY_METADATA]: turnKeyTag(turnKey),
		n8n_workflow_id: ctx.getWorkflow().id ?? '',
		n8n_execution_id: ctx.getExecutionId(),
		n8n_node: ctx.getNode().name,
	};
}

/**
 * The session an earlier send of the same turn key created (one GET /v1/sessions), or undefined.
 * Several (two sends raced): the busy one, else the newest.
 */
export async function findTurnSession(
	ctx: IExecuteFunctions,
	env: PokeeEnv,
	turnKey: string,
	itemIndex: number,
): Promise<IDataObject | undefined> {
	const tag = turnKeyTag(turnKey);
	const matches = (await listSessions(ctx, env, itemIndex)).filter((s) => {
		return typeof s.id === 'string' && s.id !== '' && ownValue(s.metadata, TURN_KEY_METADATA) === tag;
	});
	matches.sort((a, b) => Number(b.busy === true) - Number(a.busy === true) || Number(b.created_at ?? 0) - Number(a.created_at ?? 0));
	return matches[0];
}
