import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { BINARY_ENCODING, NodeApiError } from 'n8n-workflow';

import { destroyBody, readSmallBody } from '../../../shared/http';
import type { Show } from '../../../shared/params';
import { inputError } from '../../../shared/params';
import type { PokeeEnv } from '../../transport';
import { filePath, pokeeJson, pokeeRequest, seg } from '../../transport';

export function binaryPropertyField(show: Show, description: string): INodeProperties {
	return {
		displayName: 'Binary Property',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description,
		displayOptions: { show },
	};
}

export function readBinaryPropertyName(ctx: IExecuteFunctions, itemIndex: number): string {
	const name = String(ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') ?? '').trim();
	if (name === '') throw inputError(ctx.getNode(), 'Binary Property', itemIndex, 'must not be empty');
	return name;
}

/** The input item's binary data under `property`, checked before any request is sent. */
export function inputBinary(ctx: IExecuteFunctions, property: string, itemIndex: number): IBinaryData {
	const binary = ctx.getInputData()[itemIndex]?.binary?.[property];
	if (!binary) {
		throw inputError(
			ctx.getNode(),
			'Binary Property',
			itemIndex,
			`"${property}" is not on the input item`,
			'Connect a node that outputs a file (e.g. Read/Write Files from Disk, HTTP Request) and give its binary property name.',
		);
	}
	return binary;
}

/** The bytes of a binary property as a stream when n8n stores them out of memory. */
export async function binaryBody(ctx: IExecuteFunctions, binary: IBinaryData): Promise<unknown> {
	if (binary.id) return await ctx.helpers.getBinaryStream(binary.id);
	return Buffer.from(binary.data, BINARY_ENCODING);
}

export interface ListedEntry extends IDataObject {
	name: string;
	type: string;
	path: string;
}

/** Lists a workspace folder (optionally recursively); each entry gets its full `path`. */
export async function listFolder(
	ctx: IExecuteFunctions,
	env: PokeeEnv,
	sessionId: string,
	folder: string,
	recursive: boolean,
	itemIndex: number,
): Promise<ListedEntry[]> {
	const body = await pokeeJson<unknown>(
		ctx,
		env,
		{ method: 'GET', path: `/v1/sessions/${seg(sessionId)}/files`, qs: folder ? { path: folder } : undefined },
		itemIndex,
	);
	const entries = (Array.isArray(body) ? body : []) as IDataObject[];
	const out: ListedEntry[] = [];
	for (const entry of entries) {
		const name = String(entry.name ?? '');
		const path = folder ? `${folder}/${name}` : name;
		out.push({ ...entry, name, type: String(entry.type ?? 'file'), path });
		if (recursive && entry.type === 'directory') {
			out.push(...(await listFolder(ctx, env, sessionId, path, true, itemIndex)));
		}
	}
	return out;
}

/**
 * Downloads one workspace file into n8n's binary data store. The response stream is handed to
 * n8n as it arrives, so the file is never held whole in memory.
 */
export async function downloadFile(
	ctx: IExecuteFunctions,
	env: PokeeEnv,
	sessionId: string,
	path: string,
	property: string,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const response = await pokeeRequest(
		ctx,
		env,
		{
			method: 'GET',
			path: `/v1/sessions/${seg(sessionId)}/files/${filePath(path)}`,
			headers: { Accept: '*/*' },
			encoding: 'stream',
		},
		itemIndex,
	);
	const mimeType = String(response.headers['content-type'] ?? 'application/octet-stream').split(';')[0].trim();
	if (mimeType === 'application/json' && response.headers['accept-ranges'] === undefined) {
		// the API answers a directory with its JSON listing
		const listing = await readSmallBody(response.body, 2048);
		if (listing.trim().startsWith('[')) {
			throw new NodeApiError(ctx.getNode(), { path }, {
				message: `Pokee: "${path}" is a folder, not a file (item ${itemIndex})`,
				description: 'Use File → List or File → Download Many for folders.',
				itemIndex,
			});
		}
	}
	const fileName = path.split('/').pop() ?? path;
	try {
		const binary = await ctx.helpers.prepareBinaryData(
			response.body as Parameters<typeof ctx.helpers.prepareBinaryData>[0],
			fileName,
			mimeType,
		);
		return {
			json: { session_id: sessionId, path, fileName, mimeType, size: Number(binary.bytes ?? response.headers['content-length'] ?? 0) },
			binary: { [property]: binary },
		};
	} finally {
		destroyBody(response.body);
	}
}
