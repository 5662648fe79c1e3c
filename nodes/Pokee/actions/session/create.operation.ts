import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { PokeeEnv } from '../../transport';
import { pokeeJson, UNANSWERED } from '../../transport';
import { sessionCreateBody, sessionOptionsField } from './fields';

export const description: INodeProperties[] = [sessionOptionsField()];

/** Not retried on 5xx: a repeat could create a second session. */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const body = sessionCreateBody(this.getNode(), this.getNodeParameter('sessionOptions', itemIndex, {}) as IDataObject, itemIndex);
	return await pokeeJson(this, env, { method: 'POST', path: '/v1/sessions', body, ifUnanswered: UNANSWERED.sessionCreate }, itemIndex);
}
