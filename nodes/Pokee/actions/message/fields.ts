import type { INodeProperties } from 'n8n-workflow';

/** The Response ID field of Message → Resume and Message → Cancel. */
export const responseIdField = (): INodeProperties => ({
	displayName: 'Response ID',
	name: 'responseId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'msg_a1b2c3d4e5f6',
	description: 'The response_id of the turn (from Send Message)',
});

/** What the Simplified output of a turn holds, for the Output parameter's description. */
export const SIMPLIFIED_TURN_TEXT = 'The session and response IDs, status and text; with a tool call, the call and its event number';
