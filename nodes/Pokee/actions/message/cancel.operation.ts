import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkId } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { cancelTurn } from '../../transport/followTurn';
import { sessionIdFields, sessionIdParam } from '../session/fields';
import { responseIdField } from './fields';

export const description: INodeProperties[] = [...sessionIdFields(), responseIdField()];

/** 202 cancelling, or 200 already_complete: both are outputs, not errors. */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const sessionId = sessionIdParam(this, node, itemIndex);
	const responseId = checkId(node, this.getNodeParameter('responseId', itemIndex), 'Response ID', itemIndex);
	const answer = await cancelTurn(this, env, { kind: 'session', sessionId }, responseId, itemIndex);
	return { session_id: sessionId, response_id: responseId, ...answer };
}
