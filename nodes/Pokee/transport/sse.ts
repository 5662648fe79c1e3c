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
 * eventsource-parser. `onEvent` returns true to stop reading. Resolves with how reading ended.
 */
export async function readSse(
	body: AsyncIterable<Uint8Array | string>,
	onEvent: (event: SseEvent) => boolean | void,
	onChunk?: () => void,
): Promise<'ended' | 'stopped'> {
	let stop = false;
	let failure: unknown;
	const parser = createParser({
		onEvent(message) {
			if (stop) return;
			try {
				if (onEvent({ id: message.id, event: message.event ?? 'message', data: message.data }) === true) {
					stop = true;
				}
			} catch (error) {
				failure = error;
				stop = true;
			}
		},
	});
	const decoder = new TextDecoder('utf-8');
	for await (const chunk of body) {
		onChunk?.();
		parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
		if (failure) throw failure;
		if (stop) return 'stopped';
	}
	parser.feed(decoder.decode());
	if (failure) throw failure;
	return stop ? 'stopped' : 'ended';
}
