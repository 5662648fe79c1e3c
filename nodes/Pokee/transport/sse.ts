import { createParser } from 'eventsource-parser';

/** One Server-Sent Event as it came off the wire. */
export interface SseEvent {
	id?: string;
	event: string;
	data: string;
}

/**
 * Decodes an SSE body incrementally, as bytes arrive: UTF-8 is decoded in streaming mode (so a
 * character split across chunks is joined) and framing (LF or CRLF, comments, ids) is left to
 * eventsource-parser. `onEvent` returns true to stop reading. Resolves with how reading ended;
 * rejects when the connection breaks or `signal` fires (a destroyed socket alone does not
 * always wake a pending read, the signal does).
 */
export async function readSse(
	body: AsyncIterable<Uint8Array | string>,
	onEvent: (event: SseEvent) => boolean | void,
	signal?: AbortSignal,
): Promise<'ended' | 'stopped'> {
	let stop = false;
	let failure: unknown;
	const parser = createParser({
		onEvent(message) {
			if (stop) return;
			try {
				// the parser's own object is passed on (no copy per event); SSE's default type is "message"
				if (message.event === undefined) message.event = 'message';
				if (onEvent(message as SseEvent) === true) {
					stop = true;
				}
			} catch (error) {
				failure = error;
				stop = true;
			}
		},
	});
	const decoder = new TextDecoder('utf-8');
	const iterator = body[Symbol.asyncIterator]();
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<never>((_resolve, reject) => {
		onAbort = () => reject(new Error('aborted'));
		if (signal?.aborted) onAbort();
		else signal?.addEventListener('abort', onAbort, { once: true });
	});
	aborted.catch(() => undefined);
	try {
		for (;;) {
			const next = signal ? await Promise.race([iterator.next(), aborted]) : await iterator.next();
			if (next.done) break;
			const chunk = next.value;
			parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
			if (failure) throw failure;
			if (stop) return 'stopped';
		}
		parser.feed(decoder.decode());
		if (failure) throw failure;
		return stop ? 'stopped' : 'ended';
	} finally {
		if (onAbort) signal?.removeEventListener('abort', onAbort);
		void iterator.return?.().catch(() => undefined);
	}
}
