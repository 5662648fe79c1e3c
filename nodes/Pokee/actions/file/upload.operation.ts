import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkFilePath, checkId } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { filePath, pokeeJson, seg } from '../../transport';
import { sessionIdField } from '../session/fields';
import { binaryBody, binaryPropertyField, filePathField, inputBinary, readBinaryPropertyName } from './fields';

const show = { resource: ['file'], operation: ['upload'] };

export const description: INodeProperties[] = [
	sessionIdField(show, 'Any live session whose write scope covers the path'),
	filePathField(show, 'inputs/research_notes.md', 'Workspace-relative destination path (an existing file is replaced)'),
	binaryPropertyField(show, 'Name of the input binary property holding the file'),
];

/** PUT is idempotent (the same bytes to the same path), so it is retried after 5xx. */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const sessionId = checkId(node, this.getNodeParameter('sessionId', itemIndex), 'Session ID', itemIndex);
	const path = checkFilePath(node, this.getNodeParameter('path', itemIndex), 'File Path', itemIndex);
	const binary = inputBinary(this, readBinaryPropertyName(this, itemIndex), itemIndex);
	const body = await binaryBody(this, binary);
	return await pokeeJson(
		this,
		env,
		{
			method: 'PUT',
			path: `/v1/sessions/${seg(sessionId)}/files/${filePath(path)}`,
			body: body as Buffer,
			headers: { 'Content-Type': binary.mimeType || 'application/octet-stream' },
			// a stream cannot be sent twice
			idempotent: Buffer.isBuffer(body),
		},
		itemIndex,
	);
}
