import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { executionCancelSignal } from '../../../shared/compat';
import { MAX_SECONDS, positiveInteger } from '../../../shared/params';
import type { PokeeEnv } from '../../transport';
import { pokeeJson, seg } from '../../transport';
import { readSessionId, sessionIdField } from './fields';


export const description: INodeProperties[] = [
	sessionIdField(),
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_SECONDS.pollInterval },
		default: 5,
		description: 'How often to read the session (at most 3600)',
	},
	{
		displayName: 'Time Limit (Seconds)',
		name: 'timeLimit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_SECONDS.idleWait },
		default: 3600,
		description: 'Fail when the session is still busy after this long (at most 86400, one day)',
	},
];

/** Polls the session until it is idle, then outputs its final record with its metadata. */
export async function waitUntilIdle(
	ctx: IExecuteFunctions,
	env: PokeeEnv,
	sessionId: string,
	intervalMs: number,
	deadline: number,
	itemIndex: number,
): Promise<IDataObject> {
	const signal = executionCancelSignal(ctx);
	for (;;) {
		const record = await pokeeJson(ctx, env, { method: 'GET', path: `/v1/sessions/${seg(sessionId)}` }, itemIndex);
		if (record.busy !== true) return record;
		const left = deadline - Date.now();
		if (left <= 0) {
			throw new NodeOperationError(ctx.getNode(), `Session ${sessionId} is still busy at the time limit (item ${itemIndex})`, {
				itemIndex,
				description: `Last metadata: ${JSON.stringify(record.metadata ?? {})}`,
			});
		}
		if (signal?.aborted) {
			throw new NodeOperationError(ctx.getNode(), `The execution was stopped while waiting for ${sessionId} (item ${itemIndex})`, { itemIndex });
		}
		await sleep(Math.min(intervalMs, left));
	}
}

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const id = readSessionId(this, itemIndex);
	const interval = positiveInteger(node, this.getNodeParameter('pollInterval', itemIndex, 5), 'Poll Interval', itemIndex, MAX_SECONDS.pollInterval);
	const limit = positiveInteger(node, this.getNodeParameter('timeLimit', itemIndex, 3600), 'Time Limit', itemIndex, MAX_SECONDS.idleWait);
	return await waitUntilIdle(this, env, id, interval * 1000, Date.now() + limit * 1000, itemIndex);
}
