import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { PokeeEnv } from '../../transport';
import { pokeeRequest, seg } from '../../transport';
import { sessionIdFields, sessionIdParam } from './fields';

export const description: INodeProperties[] = sessionIdFields();

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const id = sessionIdParam(this, node, itemIndex);
	await pokeeRequest(this, env, { method: 'DELETE', path: `/v1/sessions/${seg(id)}` }, itemIndex);
	return { id, deleted: true };
}
