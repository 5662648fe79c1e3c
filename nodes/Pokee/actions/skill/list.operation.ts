import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { PokeeEnv } from '../../transport';
import { listBody, pokeeJson } from '../../transport';

export const description: INodeProperties[] = [];

/** Custom (uploaded) skills, one item each. */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject[]> {
	const body = await pokeeJson<unknown>(this, env, { method: 'GET', path: '/v1/skills' }, itemIndex);
	return listBody(this, body, 'skill list', 'GET /v1/skills', itemIndex);
}
