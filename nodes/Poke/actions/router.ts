import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { routeOperations } from '../../shared/router';
import { pokeProfile } from '../transport';
import { message } from './message/Message.resource';
import { webhook } from './webhook/Webhook.resource';

/** The node's resources, in the order of the Resource list. */
export const resources = [message, webhook];

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeOperations(this, pokeProfile, resources);
}
