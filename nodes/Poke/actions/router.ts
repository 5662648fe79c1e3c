import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readApiCredential } from '../../shared/http';
import { runForEachItem } from '../../shared/items';
import type { PokeEnv } from '../transport';
import { pokeProfile } from '../transport';
import * as sendMessage from './message/send.operation';
import * as createWebhook from './webhook/create.operation';
import * as fireWebhook from './webhook/fire.operation';

type Operation = (this: IExecuteFunctions, itemIndex: number, env: PokeEnv) => Promise<IDataObject>;

const operations: Record<string, Operation> = {
	'message.send': sendMessage.execute,
	'webhook.create': createWebhook.execute,
	'webhook.fire': fireWebhook.execute,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const run = operations[`${resource}.${operation}`];
	if (!run) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	const env = await readApiCredential(this, pokeProfile);
	let concurrency = 1;
	if (run === fireWebhook.execute && this.getInputData().length > 0) {
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		concurrency = Math.max(1, Math.min(64, Math.floor(Number(options.concurrency ?? 1)) || 1));
	}
	return await runForEachItem(this, async (itemIndex) => await run.call(this, itemIndex, env), concurrency);
}
