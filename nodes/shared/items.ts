import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ApiEnv, CredentialProfile } from './http';
import { readApiCredential } from './http';

/** What an operation returns for one input item: JSON object(s), or full items (e.g. with binary). */
type ItemResult = IDataObject | IDataObject[] | INodeExecutionData | INodeExecutionData[];

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

/** One operation of a node: its parameters, what it does for one item, and how many items may run at once. */
export interface OperationModule {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number, env: ApiEnv): Promise<ItemResult>;
	/** Items run at a time (read once, from the first item); 1 when absent. */
	concurrency?(ctx: IExecuteFunctions): number;
}

/**
 * The one router: picks the operation named by the resource and operation parameters, reads
 * the credential once for the execution (on the first item, so its errors are per item), and
 * runs the operation for every item.
 */
export async function routeOperations(
	ctx: IExecuteFunctions,
	profile: CredentialProfile,
	operations: Record<string, OperationModule>,
): Promise<INodeExecutionData[][]> {
	const resource = ctx.getNodeParameter('resource', 0) as string;
	const operation = ctx.getNodeParameter('operation', 0) as string;
	const op = operations[`${resource}.${operation}`];
	if (!op) {
		throw new NodeOperationError(ctx.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	// The credential is read and checked once, inside the item loop: a bad credential (e.g. a
	// plain-http Base URL) then fails each item, so Continue On Fail gives every item its {error}.
	let env: Promise<ApiEnv> | undefined;
	const readEnv = async () => await (env ??= readApiCredential(ctx, profile));
	const concurrency = op.concurrency && ctx.getInputData().length > 0 ? op.concurrency(ctx) : 1;
	return await runForEachItem(
		ctx,
		async (itemIndex) => await op.execute.call(ctx, itemIndex, await readEnv()),
		concurrency,
	);
}
