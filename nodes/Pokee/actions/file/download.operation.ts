import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { checkFilePath } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { sessionIdFields, sessionIdParam } from '../session/fields';
import { downloadFile } from '../../transport/files';
import { binaryPropertyField, existingFilePathFields, checkBinaryPropertyName } from './fields';

export const description: INodeProperties[] = [
	...sessionIdFields('Any live session: it selects which file access scope applies'),
	...existingFilePathFields('output/report.pptx', 'Workspace-relative path of the file'),
	binaryPropertyField('Name of the binary field to put the file in', 'output'),
];

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<INodeExecutionData> {
	const node = this.getNode();
	const sessionId = sessionIdParam(this, node, itemIndex);
	const path = checkFilePath(node, this.getNodeParameter('path', itemIndex, '', { extractValue: true }), 'File Path', itemIndex);
	const property = checkBinaryPropertyName(node, this.getNodeParameter('binaryPropertyName', itemIndex, 'data'), itemIndex, 'Put Output File in Field');
	return await downloadFile(this, env, sessionId, path, property, itemIndex);
}
