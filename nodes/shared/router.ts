import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ApiEnv, CredentialProfile } from './http';
import { readApiCredential } from './http';
import { runForEachItem } from './items';
import type { Resource } from './resource';

/**
 * The one router: finds the operation module by the resource and operation parameters, reads
 * the credential once for the execution (on the first item, so its errors are per item), and
 * runs the operation for every item.
 */
export async function routeOperations(
	ctx: IExecuteFunctions,
	profile: CredentialProfile,
	resources: Resource[],
): Promise<INodeExecutionData[][]> {
	const resource = ctx.getNodeParameter('resource', 0) as string;
	const operation = ctx.getNodeParameter('operation', 0) as string;
	const operations = resources.find((r) => r.value === resource)?.operations;
	const op = operations && Object.hasOwn(operations, operation) ? operations[operation] : undefined;
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
