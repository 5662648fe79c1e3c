import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkId } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { pokeeRequest, seg } from '../../transport';
import { sessionIdFields } from './fields';

export const description: INodeProperties[] = sessionIdFields();

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const id = checkId(node, this.getNodeParameter('sessionId', itemIndex, '', { extractValue: true }), 'Session ID', itemIndex);
	await pokeeRequest(this, env, { method: 'DELETE', path: `/v1/sessions/${seg(id)}` }, itemIndex);
	return { id, deleted: true };
}
