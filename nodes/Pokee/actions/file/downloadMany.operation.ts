import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { inputError } from '../../../shared/params';
import { checkFilePath, globMatch } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { sessionIdFields, sessionIdParam } from '../session/fields';
import { downloadFile, listFolder } from '../../transport/files';
import { binaryPropertyField, checkBinaryPropertyName } from './fields';

export const description: INodeProperties[] = [
	...sessionIdFields('Any live session: it selects which file access scope applies'),
	{
		displayName: 'Folder',
		name: 'folder',
		type: 'string',
		default: 'output',
		description: 'Workspace folder to download from; empty means the workspace root',
	},
	{
		displayName: 'File Name Pattern',
		name: 'pattern',
		type: 'string',
		default: '*',
		placeholder: '*.pptx',
		description: 'Only files whose name matches: * is any run of characters, ? one character',
	},
	{
		displayName: 'Recursive',
		name: 'recursive',
		type: 'boolean',
		default: false,
		description: 'Whether to look in sub-folders too',
	},
	binaryPropertyField('Name of the binary field to put each file in', 'output'),
];

/** One output item per matching file, each streamed into n8n's binary store. */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const sessionId = sessionIdParam(this, node, itemIndex);
	const folder = checkFilePath(node, this.getNodeParameter('folder', itemIndex, ''), 'Folder', itemIndex, { allowEmpty: true });
	const pattern = String(this.getNodeParameter('pattern', itemIndex, '*') ?? '').trim();
	if (pattern === '' || pattern.includes('/')) {
		throw inputError(node, 'File Name Pattern', itemIndex, 'must be a file name pattern without "/"', 'For example *.pptx');
	}
	const recursive = this.getNodeParameter('recursive', itemIndex, false) as boolean;
	const property = checkBinaryPropertyName(node, this.getNodeParameter('binaryPropertyName', itemIndex, 'data'), itemIndex, 'Put Output File in Field');
	const files = (await listFolder(this, env, sessionId, folder, recursive, itemIndex)).filter(
		(entry) => entry.type === 'file' && globMatch(pattern, entry.name),
	);
	const out: INodeExecutionData[] = [];
	for (const file of files) {
		out.push(await downloadFile(this, env, sessionId, file.path, property, itemIndex));
	}
	return out;
}
