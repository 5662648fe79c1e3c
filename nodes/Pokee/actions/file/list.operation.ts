import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkFilePath, checkId } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { sessionIdFields } from '../session/fields';
import { listFolder } from '../../transport/files';


export const description: INodeProperties[] = [
	...sessionIdFields('Any live session: it selects which file access scope applies'),
	{
		displayName: 'Folder',
		name: 'folder',
		type: 'string',
		default: '',
		placeholder: 'output',
		description: 'Workspace folder to list; empty lists the workspace root',
	},
	{
		displayName: 'Recursive',
		name: 'recursive',
		type: 'boolean',
		default: false,
		description: 'Whether to list sub-folders too',
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject[]> {
	const node = this.getNode();
	const sessionId = checkId(node, this.getNodeParameter('sessionId', itemIndex, '', { extractValue: true }), 'Session ID', itemIndex);
	const folder = checkFilePath(node, this.getNodeParameter('folder', itemIndex, ''), 'Folder', itemIndex, { allowEmpty: true });
	const recursive = this.getNodeParameter('recursive', itemIndex, false) as boolean;
	return await listFolder(this, env, sessionId, folder, recursive, itemIndex);
}
