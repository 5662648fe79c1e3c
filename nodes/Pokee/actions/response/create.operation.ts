import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { inputError, nodeVersion, parseJsonArray, requireText } from '../../../shared/params';
import type { PokeeEnv } from '../../transport';
import { pokeeJson, pokeeRequest, UNANSWERED } from '../../transport';
import { followTurn } from '../../transport/followTurn';
import { argumentsJson, outputTextOf, parseArguments, TurnState } from '../../transport/turnState';
import { attemptKey, finishTurn, rememberFailedTurn, replayAnswer, turnFailed } from '../message/finish';
import { checkOutputShape, outputFields, RESPONSE_SIMPLIFIED, shapeOutput } from '../../helpers/output';
import { reasoningEffortField } from '../../helpers/reasoning';
import { checkTools } from '../../helpers/validate';
import { derivedIdempotencyKey, turnOptions, turnOptionsFields } from '../message/turnOptions';

export const description: INodeProperties[] = [
	{
		displayName: 'Input Type',
		name: 'inputType',
		type: 'options',
		default: 'text',
		options: [
			{ name: 'Text', value: 'text', description: 'One user message' },
			{ name: 'Items', value: 'items', description: 'OpenAI Responses input items: messages, function_call, function_call_output' },
		],
	},
	{
		displayName: 'Input',
		name: 'input',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'What is the weather in Paris?',
		displayOptions: { show: { inputType: ['text'] } },
	},
	{
		displayName: 'Input Items',
		name: 'inputItems',
		type: 'json',
		default: '[{"role": "user", "content": "Hello"}]',
		required: true,
		description: 'The whole conversation, as a JSON array of input items',
		displayOptions: { show: { inputType: ['items'] } },
	},
	{
		displayName: 'Model',
		name: 'model',
		type: 'string',
		default: '',
		placeholder: 'pokee-isaac-high-reasoning',
		description: "Model for this call (empty = the tenant's default)",
	},
	{
		displayName: 'Tools',
		name: 'tools',
		type: 'json',
		default: '[]',
		description: 'Function tools in the flat Responses shape (at most 128; names up to 64 characters)',
	},
	reasoningEffortField(),
	{
		displayName: 'Stream',
		name: 'stream',
		type: 'boolean',
		default: true,
		description: 'Whether to receive the answer as a resumable event stream (recommended for long answers)',
	},
	...outputFields('The response ID, status, text and function calls'),
	...turnOptionsFields({ toolCalls: false, idempotency: true }),
];

/**
 * The function calls of a Responses object, each with its arguments parsed under `input` and as
 * text under `arguments_json` instead of `arguments`, a name n8n's expression sandbox refuses
 * (`output` keeps the API's items as they came, to send back as input items).
 */
function functionCalls(response: IDataObject): IDataObject[] {
	const output = Array.isArray(response.output) ? (response.output as IDataObject[]) : [];
	return output
		.filter((item) => item && item.type === 'function_call')
		.map(({ arguments: raw, ...call }) => ({ ...call, input: parseArguments(raw) as IDataObject, arguments_json: argumentsJson(raw) }));
}

/** Stateless inference: one request, no session. Output: the Responses object plus `text`. */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const inputType = this.getNodeParameter('inputType', itemIndex, 'text') as string;
	const input =
		inputType === 'items'
			? parseJsonArray(node, this.getNodeParameter('inputItems', itemIndex), 'Input Items', itemIndex)
			: requireText(node, this.getNodeParameter('input', itemIndex), 'Input', itemIndex);
	if (Array.isArray(input) && input.length === 0) {
		throw inputError(node, 'Input Items', itemIndex, 'must not be empty');
	}
	const body: IDataObject = { input };
	const model = String(this.getNodeParameter('model', itemIndex, '') ?? '').trim();
	if (model) body.model = model;
	const tools = checkTools(node, this.getNodeParameter('tools', itemIndex, '[]'), 'Tools', itemIndex);
	if (tools.length) body.tools = tools;
	const effort = this.getNodeParameter('reasoningEffort', itemIndex, 'minimal') as string;
	if (effort !== 'minimal') body.reasoning = { effort };
	const stream = this.getNodeParameter('stream', itemIndex, true) as boolean;
	body.stream = stream;
	const options = turnOptions(node, this.getNodeParameter('options', itemIndex, {}) as IDataObject, itemIndex);
	const output = checkOutputShape(node, this.getNodeParameter('outputShape', itemIndex, 'raw'), this.getNodeParameter('outputFields', itemIndex, ''), itemIndex);
	// version 2 names the response response_id, as every other operation does
	const finish = (out: IDataObject): IDataObject => {
		if (nodeVersion(node) < 2) return out;
		const { id, ...rest } = out;
		return shapeOutput({ response_id: id ?? null, ...rest }, output, RESPONSE_SIMPLIFIED);
	};

	if (!stream) {
		const response = await pokeeJson(
			this,
			env,
			{
				method: 'POST',
				path: '/v1/responses',
				body,
				timeout: options.timeLimitSeconds * 1000,
				ifUnanswered: UNANSWERED.response(false, false),
			},
			itemIndex,
		);
		// a 200 can still carry a response that did not complete (Responses statuses)
		if (response.status === 'failed' || response.status === 'cancelled') {
			const error = response.error as IDataObject | string | undefined;
			const detail = typeof error === 'string' ? error : typeof error?.message === 'string' ? error.message : '';
			throw new NodeApiError(node, { status: response.status, id: String(response.id ?? ''), error: detail }, {
				message: `Pokee: the response ${String(response.id ?? '')} ended with status "${response.status}"`,
				description: detail ? `The API said: "${detail}".` : undefined,
				itemIndex,
			});
		}
		return finish({ ...response, text: outputTextOf(response), function_calls: functionCalls(response) });
	}

	// a key set by the user is the response's identity; a derived one moves on after a failed turn
	const derived = options.idempotencyKey ? '' : derivedIdempotencyKey(this, itemIndex, 'responses');
	const key = options.idempotencyKey || attemptKey(derived);
	const first = await pokeeRequest(
		this,
		env,
		{
			method: 'POST',
			path: '/v1/responses',
			body,
			headers: { Accept: 'text/event-stream', 'Idempotency-Key': key },
			encoding: 'stream',
			idempotent: true,
			ifUnanswered: UNANSWERED.response(true, !!options.idempotencyKey),
		},
		itemIndex,
	);
	const replay = await replayAnswer(this, first, itemIndex);
	if (replay) {
		return finish({ id: replay.response_id, status: replay.status, text: '', function_calls: [], note: replay.note });
	}
	const state = new TurnState(options.includeRawEvents);
	const header = first.headers['x-response-id'];
	if (typeof header === 'string' && header !== '') state.responseId = header;
	let turn: IDataObject;
	try {
		await followTurn(this, env, { kind: 'response' }, state, first.body, options);
		turn = finishTurn(this, state, itemIndex, { keyed: true });
	} finally {
		// the next attempt of this item (Retry On Fail) generates a new response instead of replaying this one
		if (derived && turnFailed(state)) rememberFailedTurn(derived);
	}
	const final = state.response ?? {};
	return finish({
		...final,
		id: final.id ?? state.responseId ?? null,
		status: state.status,
		text: (turn.text as string) || outputTextOf(final),
		function_calls: functionCalls(final),
		...(turn.thinking ? { thinking: turn.thinking } : {}),
		...(turn.events ? { events: turn.events } : {}),
	});
}
