import type { IBinaryData, IExecuteFunctions, INode, INodeProperties } from 'n8n-workflow';
import { BINARY_ENCODING } from 'n8n-workflow';

import { FROM_V2, inputError, V1_ONLY } from '../../../shared/params';

/** The binary field a file comes from ('input') or goes to ('output'), with n8n's labels. */
export function binaryPropertyField(description: string, direction: 'input' | 'output' = 'input'): INodeProperties {
	return {
		displayName: direction === 'input' ? 'Input Binary Field' : 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description,
	};
}

/** The File Path field of Download, Upload and Delete. */
export function filePathField(placeholder: string, description: string): INodeProperties {
	return {
		displayName: 'File Path',
		name: 'path',
		type: 'string',
		default: '',
		required: true,
		placeholder,
		description,
	};
}

/**
 * A workspace file that exists (Download, Delete): a path in version 1; from version 2 picked
 * from the files the chosen session sees, or given by path.
 */
export function existingFilePathFields(placeholder: string, description: string): INodeProperties[] {
	return [
		{ ...filePathField(placeholder, description), displayOptions: { show: V1_ONLY } },
		{
			displayName: 'File',
			name: 'path',
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			required: true,
			description,
			modes: [
				{
					displayName: 'From List',
					name: 'list',
					type: 'list',
					placeholder: 'Select a file...',
					typeOptions: { searchListMethod: 'searchFiles', searchable: true },
				},
				{ displayName: 'By Path', name: 'path', type: 'string', placeholder },
			],
			displayOptions: { show: FROM_V2 },
		},
	];
}

export function checkBinaryPropertyName(node: INode, value: unknown, itemIndex: number, field = 'Input Binary Field'): string {
	const name = String(value ?? '').trim();
	if (name === '') throw inputError(node, field, itemIndex, 'must not be empty');
	return name;
}

/** The input item's binary data under `property`, checked before any request is sent. */
export function inputBinary(ctx: IExecuteFunctions, property: string, itemIndex: number): IBinaryData {
	const binary = ctx.getInputData()[itemIndex]?.binary?.[property];
	if (!binary) {
		throw inputError(
			ctx.getNode(),
			'Input Binary Field',
			itemIndex,
			`"${property}" is not on the input item`,
			'Connect a node that outputs a file (e.g. Read/Write Files from Disk, HTTP Request) and give its binary property name.',
		);
	}
	return binary;
}

/**
 * Opens the bytes of a binary property for one request attempt: a new stream from n8n's store
 * each time when it keeps them out of memory (a retry must send the whole file again).
 */
export function binaryBody(ctx: IExecuteFunctions, binary: IBinaryData): () => Promise<Buffer> {
	if (binary.id) {
		const id = binary.id;
		// typed as Buffer for the request options; n8n's HTTP helper sends a stream as it comes
		return async () => (await ctx.helpers.getBinaryStream(id)) as unknown as Buffer;
	}
	const bytes = Buffer.from(binary.data, BINARY_ENCODING);
	return async () => bytes;
}
