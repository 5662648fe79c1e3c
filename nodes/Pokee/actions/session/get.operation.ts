import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkId } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { pokeeJson, seg } from '../../transport';
import { sessionIdFields } from './fields';

export const description: INodeProperties[] = sessionIdFields();

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const id = checkId(node, this.getNodeParameter('sessionId', itemIndex, '', { extractValue: true }), 'Session ID', itemIndex);
	return await pokeeJson(this, env, { method: 'GET', path: `/v1/sessions/${seg(id)}` }, itemIndex);
}
