import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkOutputShape, outputFields, shapeOutput, TURN_SIMPLIFIED } from '../../helpers/output';
import { checkEventId, checkId } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { followTurn } from '../../transport/followTurn';
import { TurnState } from '../../transport/turnState';
import { sessionIdFields, sessionIdParam } from '../session/fields';
import { finishTurn } from './finish';
import { responseIdField, SIMPLIFIED_TURN_TEXT } from './fields';
import { turnOptions, turnOptionsFields } from './turnOptions';

export const description: INodeProperties[] = [
	...sessionIdFields(),
	responseIdField(),
	{
		displayName: 'Last Event ID',
		name: 'lastEventId',
		type: 'string',
		default: '',
		description: 'Continue after this event number; empty replays the turn from its first event',
	},
	...outputFields(SIMPLIFIED_TURN_TEXT),
	...turnOptionsFields(),
];

/** Re-attaches to a turn's stream (running or finished within the grace period). */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const sessionId = sessionIdParam(this, node, itemIndex);
	const responseId = checkId(node, this.getNodeParameter('responseId', itemIndex), 'Response ID', itemIndex);
	const after = checkEventId(node, this.getNodeParameter('lastEventId', itemIndex, ''), 'Last Event ID', itemIndex);
	const options = turnOptions(node, this.getNodeParameter('options', itemIndex, {}) as IDataObject, itemIndex);
	const output = checkOutputShape(node, this.getNodeParameter('outputShape', itemIndex, 'raw'), this.getNodeParameter('outputFields', itemIndex, ''), itemIndex);
	const state = new TurnState(options.includeRawEvents);
	state.sessionId = sessionId;
	state.responseId = responseId;
	if (after !== undefined) state.lastSeq = after;
	await followTurn(this, env, { kind: 'session', sessionId }, state, undefined, options);
	return shapeOutput(finishTurn(this, state, itemIndex), output, TURN_SIMPLIFIED);
}
