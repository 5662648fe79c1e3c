import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkFilePath } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { pokeeJson, sessionFilePath } from '../../transport';
import { sessionIdFields, sessionIdParam } from '../session/fields';
import { binaryBody, binaryPropertyField, filePathField, inputBinary, checkBinaryPropertyName } from './fields';

export const description: INodeProperties[] = [
	...sessionIdFields('Any live session whose write scope covers the path'),
	filePathField('inputs/research_notes.md', 'Workspace-relative destination path (an existing file is replaced)'),
	binaryPropertyField('Name of the input binary field holding the file'),
];

/** PUT is idempotent (the same bytes to the same path), so it is retried after 5xx. */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const sessionId = sessionIdParam(this, node, itemIndex);
	const path = checkFilePath(node, this.getNodeParameter('path', itemIndex), 'File Path', itemIndex);
	const binary = inputBinary(this, checkBinaryPropertyName(node, this.getNodeParameter('binaryPropertyName', itemIndex, 'data'), itemIndex), itemIndex);
	return await pokeeJson(
		this,
		env,
		{
			method: 'PUT',
			path: sessionFilePath(sessionId, path),
			// each attempt sends the whole file (a fresh stream from the binary store)
			openBody: binaryBody(this, binary),
			headers: { 'Content-Type': binary.mimeType || 'application/octet-stream' },
		},
		itemIndex,
	);
}
