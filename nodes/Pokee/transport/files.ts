import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { destroyBody, peekBody } from '../../shared/http';
import type { PokeeContext, PokeeEnv } from './index';
import { pokeeJson, pokeeRequest, seg, sessionFilePath } from './index';

interface ListedEntry extends IDataObject {
	name: string;
	type: string;
	path: string;
}

/** Lists a workspace folder (optionally recursively); each entry gets its full `path`. */
export async function listFolder(
	ctx: PokeeContext,
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

/** How a folder listing starts: an empty array, or an entry whose first field is a listing field. */
const LISTING_START = /^\s*\[\s*(\]|\{\s*"(name|type|size|modified|path)"\s*:)/;

/**
 * Downloads one workspace file into n8n's binary data store. The response stream is handed to
 * n8n as it arrives, so the file is never held whole in memory.
 */
export async function downloadFile(
	ctx: PokeeContext,
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
			path: sessionFilePath(sessionId, path),
			headers: { Accept: '*/*' },
			encoding: 'stream',
		},
		itemIndex,
	);
	const mimeType = String(response.headers['content-type'] ?? 'application/octet-stream').split(';')[0].trim();
	if (mimeType === 'application/json' && response.headers['accept-ranges'] === undefined) {
		// The API answers a folder with its JSON listing. Only the first bytes are looked at, and
		// put back: a JSON file must reach the binary store whole.
		const start = (await peekBody(response.body))?.subarray(0, 256).toString('utf8') ?? '';
		if (LISTING_START.test(start)) {
			destroyBody(response.body);
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
