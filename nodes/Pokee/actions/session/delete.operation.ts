import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { PokeeEnv } from '../../transport';
import { pokeeRequest, seg } from '../../transport';
import { readSessionId, sessionIdField } from './fields';

export const description: INodeProperties[] = [sessionIdField()];

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const id = readSessionId(this, itemIndex);
	await pokeeRequest(this, env, { method: 'DELETE', path: `/v1/sessions/${seg(id)}` }, itemIndex);
	return { id, deleted: true };
}
