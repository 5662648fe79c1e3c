import { createHash } from 'node:crypto';

import type { IDataObject, IExecuteFunctions, INode, INodeProperties } from 'n8n-workflow';

import { FROM_V2, MAX_SECONDS, nodeVersion, positiveInteger, V1_ONLY } from '../../../shared/params';
import type { FollowOptions } from '../../transport/followTurn';
import type { IdempotencyScope } from './turnScope';

/**
 * Options of every operation that follows a turn's stream (Send, Resume, Submit, Response): one
 * collection per node version, whose Time Limit defaults differ (900 s in 1; 5400 s, the API's
 * own limit, from 2, so a default never cancels a turn the API would let run).
 */
export function turnOptionsFields(flags: { toolCalls?: boolean; busy?: boolean; idempotency?: boolean } = {}): INodeProperties[] {
	return [
		{ ...turnOptionsField(flags, defaultTimeLimit(1)), displayOptions: { show: V1_ONLY } },
		{ ...turnOptionsField(flags, defaultTimeLimit(2)), displayOptions: { show: FROM_V2 } },
	];
}

/** The Time Limit a node version defaults to, in seconds. */
function defaultTimeLimit(version: number): number {
	return version >= 2 ? MAX_SECONDS.turn : 900;
}

function turnOptionsField({ toolCalls = true, busy = false, idempotency = false }, timeLimit: number): INodeProperties {
	const options: INodeProperties[] = [
		{
			displayName: 'Cancel on Time Limit',
			name: 'cancelOnTimeout',
			type: 'boolean',
			default: true,
			description: 'Whether to cancel the turn on the server when the time limit passes',
		},
		{
			displayName: 'Include Raw Events',
			name: 'includeRawEvents',
			type: 'boolean',
			default: false,
			description: 'Whether to add every event received (unknown types included) to the output as "events"',
		},
		{
			displayName: 'Time Limit (Seconds)',
			name: 'timeLimit',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_SECONDS.turn },
			default: timeLimit,
			description: 'How long the turn may take before the item fails (at most 5400, the 90 minutes after which the API ends a turn)',
		},
	];
	if (toolCalls) {
		options.push({
			displayName: 'Return Tool Calls',
			name: 'returnToolCalls',
			type: 'boolean',
			default: false,
			description:
				'Whether to output a client-side tool call (status "tool_call_requested") so the workflow can answer it with other nodes and Tool Result → Submit. Off: such a call cancels the turn and fails the item.',
		});
	}
	if (busy) {
		options.push({
			displayName: 'If Session Is Busy',
			name: 'ifBusy',
			type: 'options',
			default: 'wait',
			options: [
				{ name: 'Wait Until Idle, Then Send', value: 'wait' },
				{ name: 'Fail', value: 'fail' },
			],
			description: 'What to do when the session is still running another turn (HTTP 409)',
		});
	}
	if (idempotency) {
		options.push({
			displayName: 'Idempotency Key',
			name: 'idempotencyKey',
			type: 'string',
			default: '',
			description:
				'Key that makes a repeated send replay the same turn instead of starting another, also when that turn failed (use another key to run it again). Empty: one is derived from the execution, node and item, and Retry On Fail after a failed or cancelled turn starts a new turn.',
		});
	}
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: options.sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

export interface TurnOptions extends FollowOptions {
	includeRawEvents: boolean;
	ifBusy: 'wait' | 'fail';
	idempotencyKey: string;
	idempotencyScope: IdempotencyScope;
}

/** Checks the Options collection of a turn operation (its value, read by the operation). */
export function turnOptions(node: INode, options: IDataObject, itemIndex: number): TurnOptions {
	const timeLimitSeconds = positiveInteger(node, options.timeLimit ?? defaultTimeLimit(nodeVersion(node)), 'Time Limit', itemIndex, MAX_SECONDS.turn);
	return {
		itemIndex,
		timeLimitSeconds,
		deadline: Date.now() + timeLimitSeconds * 1000,
		cancelOnTimeout: options.cancelOnTimeout !== false,
		returnToolCalls: options.returnToolCalls === true,
		includeRawEvents: options.includeRawEvents === true,
		ifBusy: options.ifBusy === 'fail' ? 'fail' : 'wait',
		idempotencyKey: typeof options.idempotencyKey === 'string' ? options.idempotencyKey.trim() : '',
		idempotencyScope: options.idempotencyScope === 'input' ? 'input' : 'execution',
	};
}

/**
 * The Idempotency-Key of an item: the same item of the same node run in the same execution
 * always sends the same key (so retries replay instead of starting a second turn); other
 * items, runs (loops) and executions differ.
 */
export function derivedIdempotencyKey(ctx: IExecuteFunctions, itemIndex: number, scope: string): string {
	const runIndex = ctx.getWorkflowDataProxy(itemIndex).$runIndex;
	return `n8n-${keyHash([ctx.getExecutionId(), ctx.getNode().id, runIndex, itemIndex, scope])}`;
}

/** 32 hex characters of the SHA-256 of the parts (joined by NUL): the body of every derived key. */
export function keyHash(parts: unknown[]): string {
	return createHash('sha256')
		.update(parts.join('\u0000'))
		.digest('hex')
		.slice(0, 32);
}
