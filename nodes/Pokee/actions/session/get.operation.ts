import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { PokeeEnv } from '../../transport';
import { pokeeJson, seg } from '../../transport';
import { readSessionId, sessionIdField } from './fields';

export const description: INodeProperties[] = [sessionIdField()];

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const id = readSessionId(this, itemIndex);
	return await pokeeJson(this, env, { method: 'GET', path: `/v1/sessions/${seg(id)}` }, itemIndex);
}
