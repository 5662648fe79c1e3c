import type { IDataObject, INode, INodeProperties } from 'n8n-workflow';

import { FROM_V2, inputError, splitList } from '../../shared/params';

export type OutputShape = { shape: 'simplified' } | { shape: 'raw' } | { shape: 'fields'; fields: string[] };

/** The Output parameter (version 2) of operations whose output has more than ten fields. */
export function outputFields(simplified: string): INodeProperties[] {
	return [
		{
			displayName: 'Output',
			name: 'outputShape',
			type: 'options',
			default: 'simplified',
			options: [
				{ name: 'Simplified', value: 'simplified', description: simplified },
				{ name: 'Raw', value: 'raw', description: 'Every field the operation has' },
				{ name: 'Selected Fields', value: 'fields', description: 'Only the fields you name' },
			],
			displayOptions: { show: FROM_V2 },
		},
		{
			displayName: 'Fields',
			name: 'outputFields',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'text, usage',
			description: 'Comma-separated names of the top-level fields to output',
			displayOptions: { show: { ...FROM_V2, outputShape: ['fields'] } },
		},
	];
}

/** Checks the Output parameters (read by the operation); version 1 always outputs everything. */
export function checkOutputShape(node: INode, shape: unknown, fields: unknown, itemIndex: number): OutputShape {
	if (shape === 'raw') return { shape: 'raw' };
	if (shape !== 'fields') return { shape: 'simplified' };
	const names = splitList(fields);
	if (names.length === 0) throw inputError(node, 'Fields', itemIndex, 'must name at least one field');
	return { shape: 'fields', fields: names };
}

/** The output in the chosen shape: `simplifiedKeys` are the fields kept by Simplified (when present). */
export function shapeOutput(out: IDataObject, output: OutputShape, simplifiedKeys: string[]): IDataObject {
	if (output.shape === 'raw') return out;
	const keys = output.shape === 'fields' ? output.fields : simplifiedKeys;
	return Object.fromEntries(keys.filter((key) => Object.hasOwn(out, key)).map((key) => [key, out[key]]));
}

/** What Simplified keeps of a turn (Send, Resume, Submit): enough to answer a tool call too. */
export const TURN_SIMPLIFIED = ['session_id', 'response_id', 'status', 'text', 'tool_call', 'last_event_id', 'note'];
/** What Simplified keeps of Response → Create. */
export const RESPONSE_SIMPLIFIED = ['response_id', 'status', 'text', 'function_calls', 'note'];
