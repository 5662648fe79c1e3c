import type { IDataObject, IExecuteFunctions, INode, INodeProperties } from 'n8n-workflow';

import type { Show } from '../../../shared/params';
import { FROM_V2, nodeVersion, parseJsonObject, positiveInteger, splitList, V1_ONLY } from '../../../shared/params';
import { checkFilePath, checkId, checkTools } from '../../helpers/validate';

/** The options of a new session, shared by Session → Create and Message → Send ("new session"). */
export function sessionOptionsField(show?: Show): INodeProperties {
	return {
		displayName: 'Session Options',
		name: 'sessionOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		...(show ? { displayOptions: { show } } : {}),
		options: [
			{
				displayName: 'File Access: Read Paths',
				name: 'readPaths',
				type: 'string',
				default: '',
				placeholder: 'projects/acme, shared/templates',
				description: 'Comma-separated workspace folders the session may read (empty = whole workspace)',
			},
			{
				displayName: 'File Access: Write Paths',
				name: 'writePaths',
				type: 'string',
				default: '',
				placeholder: 'projects/acme/output',
				description: 'Comma-separated workspace folders the session may write (empty = whole workspace)',
			},
			{
				displayName: 'Metadata',
				name: 'metadata',
				type: 'json',
				default: '{}',
				description: 'Free-form JSON object stored on the session and returned by Get',
			},
			{
				displayName: 'Model',
				name: 'model',
				type: 'string',
				default: '',
				placeholder: 'pokee-isaac-high-reasoning',
				description: "Catalog model for every turn of the session (empty = the tenant's default)",
			},
			{
				displayName: 'Persistent',
				name: 'persistent',
				type: 'boolean',
				default: false,
				description:
					'Whether the session lives until its TTL or until deleted. Otherwise it ends 5 minutes after its last response.',
			},
			{
				displayName: 'Session Tools',
				name: 'tools',
				type: 'json',
				default: '[]',
				description:
					'OpenAI-style function definitions the agent may call on your side, e.g. [{"type":"function","name":"lookup_order","description":"...","parameters":{...}}]',
			},
			{
				displayName: 'TTL (Seconds)',
				name: 'ttl',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 14400,
				description: 'Hard upper bound on the session lifetime',
			},
		],
	};
}

function prefixes(node: INode, value: unknown, field: string, itemIndex: number): string[] | undefined {
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	return splitList(value).map((p) => checkFilePath(node, p, field, itemIndex));
}

/** Builds the POST /v1/sessions body from the Session Options of an item. */
export function sessionCreateBody(node: INode, options: IDataObject, itemIndex: number): IDataObject {
	const body: IDataObject = {};
	if (options.persistent !== undefined) body.persistent = options.persistent === true;
	if (options.ttl !== undefined) body.ttl = positiveInteger(node, options.ttl, 'TTL', itemIndex);
	if (typeof options.model === 'string' && options.model.trim() !== '') body.model = options.model.trim();
	if (options.metadata !== undefined) {
		const metadata = parseJsonObject(node, options.metadata, 'Metadata', itemIndex);
		if (Object.keys(metadata).length) body.metadata = metadata;
	}
	const read = prefixes(node, options.readPaths, 'File Access: Read Paths', itemIndex);
	const write = prefixes(node, options.writePaths, 'File Access: Write Paths', itemIndex);
	// an empty field means the whole workspace ([''] to the API), as its description says
	if (read || write) body.file_access = { read: read ?? [''], write: write ?? [''] };
	if (options.tools !== undefined) {
		const tools = checkTools(node, options.tools, 'Session Tools', itemIndex);
		if (tools.length) body.tools = tools;
	}
	return body;
}

/**
 * The session of `sessionIdFields`, read and checked; an error names the field as the node's
 * version labels it ("Session ID" in version 1, "Session" from version 2).
 */
export function sessionIdParam(ctx: IExecuteFunctions, node: INode, itemIndex: number): string {
	const value = ctx.getNodeParameter('sessionId', itemIndex, '', { extractValue: true });
	return checkId(node, value, nodeVersion(node) >= 2 ? 'Session' : 'Session ID', itemIndex);
}

/**
 * The session an operation acts on: a plain ID in version 1, a list of the tenant's sessions
 * (or an ID) from version 2.
 */
export function sessionIdFields(description?: string, show: Show = {}): INodeProperties[] {
	return [
		{
			displayName: 'Session ID',
			name: 'sessionId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'sess_a86118c06688',
			description: description ?? 'ID of the session, e.g. sess_a86118c06688',
			displayOptions: { show: { ...show, ...V1_ONLY } },
		},
		{
			displayName: 'Session',
			name: 'sessionId',
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			required: true,
			description: description ?? 'The agent session',
			modes: [
				{
					displayName: 'From List',
					name: 'list',
					type: 'list',
					placeholder: 'Select a session...',
					typeOptions: { searchListMethod: 'searchSessions', searchable: true },
				},
				{
					displayName: 'By ID',
					name: 'id',
					type: 'string',
					placeholder: 'sess_a86118c06688',
				},
			],
			displayOptions: { show: { ...show, ...FROM_V2 } },
		},
	];
}
