import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requireText } from '../../../shared/params';
import { checkOutputShape, outputFields, shapeOutput, TURN_SIMPLIFIED } from '../../helpers/output';
import { checkEventId, checkId } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { pokeeRequest, seg, UNANSWERED } from '../../transport';
import { followTurn } from '../../transport/followTurn';
import { TurnState } from '../../transport/turnState';
import { finishTurn } from '../message/finish';
import { SIMPLIFIED_TURN_TEXT } from '../message/fields';
import { turnOptions, turnOptionsFields } from '../message/turnOptions';

export const description: INodeProperties[] = [
	{
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		default: '={{ $json.session_id }}',
		required: true,
		description: 'Session of the waiting turn (mapped from the tool_call_requested item by default)',
	},
	{
		displayName: 'Response ID',
		name: 'responseId',
		type: 'string',
		default: '={{ $json.response_id }}',
		required: true,
		description: 'The waiting turn',
	},
	{
		displayName: 'Call ID',
		name: 'callId',
		type: 'string',
		default: '={{ $json.tool_call.call_id }}',
		required: true,
		description: 'The call_id of the tool call being answered',
	},
	{
		displayName: 'Tool Output',
		name: 'output',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: '{"order_id": "A-1042", "status": "shipped"}',
		description:
			"The tool result given to the agent: text, often JSON. The call's parsed arguments are under tool_call.input of the item that carries the call (e.g. tool_call.input.order_id): map them from there.",
	},
	{
		displayName: 'Last Event ID',
		name: 'lastEventId',
		type: 'string',
		default: '={{ $json.last_event_id }}',
		description: 'Event number at which the call was output; calls up to it are not returned again',
	},
	...outputFields(SIMPLIFIED_TURN_TEXT),
	...turnOptionsFields(),
];

/**
 * Posts the tool result, then follows the turn to its end (or its next tool call). The output is
 * the whole turn, replayed from its first event, in the same shape as Message → Send.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const sessionId = checkId(node, this.getNodeParameter('sessionId', itemIndex, '', { extractValue: true }), 'Session ID', itemIndex);
	const responseId = checkId(node, this.getNodeParameter('responseId', itemIndex), 'Response ID', itemIndex);
	const callId = checkId(node, this.getNodeParameter('callId', itemIndex), 'Call ID', itemIndex);
	const raw = this.getNodeParameter('output', itemIndex) as unknown;
	const output = typeof raw === 'object' && raw !== null ? JSON.stringify(raw) : requireText(node, raw, 'Output', itemIndex);
	const upTo = checkEventId(node, this.getNodeParameter('lastEventId', itemIndex, ''), 'Last Event ID', itemIndex);
	const options = turnOptions(node, this.getNodeParameter('options', itemIndex, {}) as IDataObject, itemIndex);
	const outputShape = checkOutputShape(node, this.getNodeParameter('outputShape', itemIndex, 'raw'), this.getNodeParameter('outputFields', itemIndex, ''), itemIndex);

	await pokeeRequest(
		this,
		env,
		{
			method: 'POST',
			path: `/v1/sessions/${seg(sessionId)}/tool_results`,
			body: { call_id: callId, output },
			// not repeated on 5xx: the result may already have been taken
			idempotent: false,
			ifUnanswered: UNANSWERED.toolResult(callId, responseId),
		},
		itemIndex,
	);
	const state = new TurnState(options.includeRawEvents, { upTo, callIds: [callId] });
	state.sessionId = sessionId;
	state.responseId = responseId;
	await followTurn(this, env, { kind: 'session', sessionId }, state, undefined, options);
	return shapeOutput(finishTurn(this, state, itemIndex), outputShape, TURN_SIMPLIFIED);
}
