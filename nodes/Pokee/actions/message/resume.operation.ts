import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { inputError } from '../../../shared/params';
import { checkId } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { followTurn } from '../../transport/followTurn';
import { TurnState } from '../../transport/turnState';
import { readSessionId, sessionIdField } from '../session/fields';
import { finishTurn } from './finish';
import { readTurnOptions, turnOptionsField } from './turnOptions';


export const responseIdField = (): INodeProperties => ({
	displayName: 'Response ID',
	name: 'responseId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'msg_a1b2c3d4e5f6',
	description: 'The response_id of the turn (from Send Message)',
});

export const description: INodeProperties[] = [
	sessionIdField(),
	responseIdField(),
	{
		displayName: 'Last Event ID',
		name: 'lastEventId',
		type: 'string',
		default: '',
		description: 'Continue after this event number; empty replays the turn from its first event',
	},
	turnOptionsField(),
];

/** Reads an optional event number parameter: empty, or a whole number >= 0. */
export function readEventId(ctx: IExecuteFunctions, name: string, field: string, itemIndex: number): number | undefined {
	const raw = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	if (raw === '' || raw === undefined || raw === null) return undefined;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 0) throw inputError(ctx.getNode(), field, itemIndex, 'must be a whole number of 0 or more');
	return value;
}

/** Re-attaches to a turn's stream (running or finished within the grace period). */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const sessionId = readSessionId(this, itemIndex);
	const responseId = checkId(node, this.getNodeParameter('responseId', itemIndex), 'Response ID', itemIndex);
	const after = readEventId(this, 'lastEventId', 'Last Event ID', itemIndex);
	const options = readTurnOptions(this, itemIndex);
	const state = new TurnState(options.includeRawEvents);
	state.sessionId = sessionId;
	state.responseId = responseId;
	if (after !== undefined) state.lastSeq = after;
	await followTurn(this, env, { kind: 'session', sessionId }, state, undefined, options);
	return finishTurn(this, state, itemIndex);
}
