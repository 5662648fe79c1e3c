import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkFilePath } from '../../helpers/validate';
import { FROM_V2, nodeVersion, resultLimit, returnAllFields } from '../../../shared/params';
import type { PokeeEnv } from '../../transport';
import { sessionIdFields, sessionIdParam } from '../session/fields';
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
	...returnAllFields(FROM_V2),
];

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject[]> {
	const node = this.getNode();
	const sessionId = sessionIdParam(this, node, itemIndex);
	const folder = checkFilePath(node, this.getNodeParameter('folder', itemIndex, ''), 'Folder', itemIndex, { allowEmpty: true });
	const recursive = this.getNodeParameter('recursive', itemIndex, false) as boolean;
	// version 1 has no limit: it returns the whole listing
	const limit =
		nodeVersion(node) >= 2
			? resultLimit(node, this.getNodeParameter('returnAll', itemIndex, false), this.getNodeParameter('limit', itemIndex, 50), itemIndex)
			: Infinity;
	return (await listFolder(this, env, sessionId, folder, recursive, itemIndex)).slice(0, limit);
}
