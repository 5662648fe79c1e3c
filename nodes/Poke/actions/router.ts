import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { OperationModule } from '../../shared/items';
import { routeOperations } from '../../shared/items';
import { pokeProfile } from '../transport';
import * as sendMessage from './message/send.operation';
import * as createWebhook from './webhook/create.operation';
import * as fireWebhook from './webhook/fire.operation';

/** Every operation, by "resource.operation". Adding one: its file, plus a line here and in Poke.node.ts. */
export const operations: Record<string, OperationModule> = {
	'message.send': sendMessage,
	'webhook.create': createWebhook,
	'webhook.fire': fireWebhook,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeOperations(this, pokeProfile, operations);
}
