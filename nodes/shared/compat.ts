import type { IExecuteFunctions, ILoadOptionsFunctions, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * What differs between the n8n versions this package supports (tested: n8n 1.123.x and 2.41.x;
 * README, Compatibility). Every n8n API the nodes use beyond the basic helpers is reached through
 * here with a typeof check, so an n8n that lacks one degrades instead of failing to load or
 * failing with "x is not a function":
 *
 * - the execution's cancel signal (`getExecutionCancelSignal`): without it a stopped execution
 *   does not interrupt a running turn; the turn's time limit still applies;
 * - the chat stream (`isStreaming` + `sendChunk`): without them the answer arrives whole at the
 *   end instead of chunk by chunk;
 * - the HTTP and binary helpers: without them the operation fails with a message naming the
 *   missing helper and the n8n versions that have it.
 */

/** The oldest n8n the package is tested with (peerDependencies, README). */
export const OLDEST_TESTED_N8N = '1.123';

/** The execution's cancel signal, or undefined (poll contexts and n8n versions without it). */
export function executionCancelSignal(ctx: IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions): AbortSignal | undefined {
	const get = (ctx as Partial<IExecuteFunctions>).getExecutionCancelSignal;
	return typeof get === 'function' ? get.call(ctx) : undefined;
}

/**
 * A signal that fires when `deadline` (epoch ms) passes or the execution is stopped, whichever
 * comes first; `timeLimit` alone tells the two apart. A timer of `minMs` at least.
 */
export function deadlineSignal(
	ctx: IExecuteFunctions,
	deadline: number,
	minMs = 0,
): { timeLimit: AbortSignal; signal: AbortSignal } {
	const timeLimit = AbortSignal.timeout(Math.max(minMs, deadline - Date.now()));
	const stopped = executionCancelSignal(ctx);
	return { timeLimit, signal: stopped ? AbortSignal.any([timeLimit, stopped]) : timeLimit };
}

/** Sends text to a streaming chat response; undefined when n8n is not streaming or cannot. */
export type ChunkSender = (type: 'begin' | 'item' | 'end', content?: string) => void;

export function chatStream(ctx: IExecuteFunctions, itemIndex: number): ChunkSender | undefined {
	const { isStreaming, sendChunk } = ctx as Partial<IExecuteFunctions>;
	if (typeof isStreaming !== 'function' || typeof sendChunk !== 'function') return undefined;
	if (!isStreaming.call(ctx)) return undefined;
	// sendChunk is async: a failed chunk (the chat went away) must not become an unhandled rejection
	return (type, content) => {
		try {
			void Promise.resolve(sendChunk.call(ctx, type, itemIndex, content)).catch(() => undefined);
		} catch {
			// a synchronous failure: the turn goes on without its chat stream
		}
	};
}

/** An n8n helper the operation cannot work without; a clear error when this n8n lacks it. */
export function requireHelper<K extends keyof IExecuteFunctions['helpers']>(
	ctx: IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions,
	name: K,
	itemIndex?: number,
): NonNullable<IExecuteFunctions['helpers'][K]> {
	const helper = (ctx.helpers as Partial<IExecuteFunctions['helpers']>)[name];
	if (typeof helper !== 'function') {
		// the node is read only here: n8n's getNode() returns a deep copy
		throw new NodeOperationError(ctx.getNode(), `This n8n has no helpers.${String(name)}, which this operation needs`, {
			itemIndex,
			description: `This package is tested with n8n ${OLDEST_TESTED_N8N} and later: update n8n to use this operation.`,
		});
	}
	return helper as NonNullable<IExecuteFunctions['helpers'][K]>;
}
