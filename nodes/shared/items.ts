import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ItemResult } from './resource';

type ItemHandler = (itemIndex: number) => Promise<ItemResult>;

function isExecutionData(value: unknown): value is INodeExecutionData {
	return (
		typeof value === 'object' &&
		value !== null &&
		'json' in value &&
		typeof (value as INodeExecutionData).json === 'object'
	);
}

function toItems(result: ItemResult, itemIndex: number): INodeExecutionData[] {
	const list = Array.isArray(result) ? result : [result];
	return list.map((entry) => {
		const item = isExecutionData(entry) ? entry : { json: entry as IDataObject };
		return { ...item, pairedItem: { item: itemIndex } };
	});
}

/**
 * The one item loop: runs `handler` for every input item, `concurrency` at a time, and keeps
 * the output in input order with `pairedItem` set. A failing item becomes `{error}` when the
 * node continues on fail; otherwise the first failure (in input order) stops the node.
 */
export async function runForEachItem(
	ctx: IExecuteFunctions,
	handler: ItemHandler,
	concurrency = 1,
): Promise<INodeExecutionData[][]> {
	const count = ctx.getInputData().length;
	const results: Array<INodeExecutionData[] | undefined> = new Array(count);
	const failures: Array<Error | undefined> = new Array(count);
	let next = 0;
	let stop = false;

	const worker = async () => {
		while (!stop && next < count) {
			const i = next++;
			try {
				results[i] = toItems(await handler(i), i);
			} catch (error) {
				const wrapped =
					error instanceof NodeApiError || error instanceof NodeOperationError
						? error
						: new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: i });
				if (ctx.continueOnFail()) {
					results[i] = [
						{
							json: { error: wrapped.message, ...(wrapped.description ? { description: wrapped.description } : {}) },
							pairedItem: { item: i },
						},
					];
				} else {
					failures[i] = wrapped;
					stop = true;
				}
			}
		}
	};
	const workers = Math.max(1, Math.min(concurrency, count));
	await Promise.all(Array.from({ length: workers }, worker));

	const firstFailure = failures.find((f) => f !== undefined);
	if (firstFailure) throw firstFailure;
	return [results.flatMap((r) => r ?? [])];
}
