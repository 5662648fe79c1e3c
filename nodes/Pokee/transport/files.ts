import type { IDataObject, IExecuteFunctions, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { destroyBody, peekBody } from '../../shared/streams';
import type { PokeeContext, PokeeEnv } from './index';
import { unsafeSegment } from '../helpers/validate';
import { listBody, pokeeJson, pokeeRequest, seg, sessionFilePath } from './index';

interface ListedEntry extends IDataObject {
	name: string;
	type: string;
	path: string;
}

/** Deepest folder nesting a recursive listing follows (a server listing a folder in itself ends here). */
const MAX_LIST_DEPTH = 32;

/**
 * Lists a workspace folder (optionally recursively); each entry gets its full `path`. A name
 * that is not one path segment ("", ".", "..", or with "/") is refused: it would make the next
 * request's path point elsewhere.
 */
export async function listFolder(
	ctx: PokeeContext,
	env: PokeeEnv,
	sessionId: string,
	folder: string,
	recursive: boolean,
	itemIndex: number,
	depth = 0,
): Promise<ListedEntry[]> {
	const body = await pokeeJson<unknown>(
		ctx,
		env,
		{ method: 'GET', path: `/v1/sessions/${seg(sessionId)}/files`, qs: folder ? { path: folder } : undefined },
		itemIndex,
	);
	const entries = listBody(ctx, body, `listing of "${folder || '/'}"`, 'GET /v1/sessions/{id}/files', itemIndex);
	const out: ListedEntry[] = [];
	for (const entry of entries) {
		const name = String(entry?.name ?? '');
		const problem = unsafeSegment(name);
		if (problem) {
			throw new NodeApiError(ctx.getNode(), { name: name.slice(0, 200) }, {
				message: `Pokee: the listing of "${folder || '/'}" has an entry whose name ${problem} (item ${itemIndex})`,
				description: `Got "${name.slice(0, 100)}". Such a name cannot be a file of the folder; nothing was read from it.`,
				itemIndex,
			});
		}
		const path = folder ? `${folder}/${name}` : name;
		out.push({ ...entry, name, type: String(entry.type ?? 'file'), path });
		if (recursive && entry.type === 'directory') {
			if (depth + 1 >= MAX_LIST_DEPTH) {
				throw new NodeApiError(ctx.getNode(), { path }, {
					message: `Pokee: the folder "${path}" is nested deeper than ${MAX_LIST_DEPTH} levels (item ${itemIndex})`,
					description: 'A recursive listing stops there. List a deeper folder on its own, or turn Recursive off.',
					itemIndex,
				});
			}
			out.push(...(await listFolder(ctx, env, sessionId, path, true, itemIndex, depth + 1)));
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
	ctx: IExecuteFunctions | IPollFunctions,
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
