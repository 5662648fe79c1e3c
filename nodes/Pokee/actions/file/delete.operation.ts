import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkFilePath } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { pokeeRequest, sessionFilePath } from '../../transport';
import { sessionIdFields, sessionIdParam } from '../session/fields';
import { existingFilePathFields } from './fields';

export const description: INodeProperties[] = [
	...sessionIdFields('Any live session whose write scope covers the path'),
	...existingFilePathFields('output/old.pptx', 'Workspace-relative path of the file to delete'),
];

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const sessionId = sessionIdParam(this, node, itemIndex);
	const path = checkFilePath(node, this.getNodeParameter('path', itemIndex, '', { extractValue: true }), 'File Path', itemIndex);
	await pokeeRequest(this, env, { method: 'DELETE', path: sessionFilePath(sessionId, path) }, itemIndex);
	return { path, deleted: true };
}
