import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { PokeeEnv } from '../../transport';
import { pokeeJson } from '../../transport';

export const description: INodeProperties[] = [];

/** Rolling rate-limit windows and the credit balance, as the API returns them (either generation). */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	return await pokeeJson(this, env, { method: 'GET', path: '/v1/usage' }, itemIndex);
}
