import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { executionCancelSignal } from '../../shared/compat';
import type { PokeeEnv } from './index';
import { pokeeJson, seg } from './index';

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
