import { createParser } from 'eventsource-parser';

/** One Server-Sent Event as it came off the wire. */
export interface SseEvent {
	id?: string;
	event: string;
	data: string;
}

/** The part of a Node.js readable stream (an HTTP response body) the decoder uses. */
interface SseBody {
	on(event: string, listener: (arg: unknown) => void): unknown;
	removeListener(event: string, listener: (arg: unknown) => void): unknown;
	readableEnded?: boolean;
	destroyed?: boolean;
}

const CR = 13;
const LF = 10;

function isStream(body: unknown): body is SseBody {
	const candidate = body as Partial<SseBody> | null | undefined;
	return typeof candidate?.on === 'function' && typeof candidate.removeListener === 'function';
}

/**
 * Decodes an SSE body incrementally, as bytes arrive: UTF-8 is decoded in streaming mode (so a
 * character split across chunks is joined) and framing (LF, CRLF or CR line endings, comments,
 * ids) is left to eventsource-parser, flushed when the body ends (see `flush`). `onEvent`
 * returns true to stop reading. Resolves with how reading ended;
 * rejects when the connection breaks before the body ended or `signal` fires (a destroyed
 * socket alone does not always wake a pending read, the signal does).
 *
 * The body is read through its 'data' events, each chunk decoded as it comes: no promise per
 * chunk and no re-joining of buffered chunks, which matters on turns of many thousand events.
 */
export async function readSse(
	body: unknown,
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
	/** The last character fed to the parser (its UTF-16 code), 0 before any. */
	let lastChar = 0;
	const feedText = (text: string) => {
		if (text === '') return;
		lastChar = text.charCodeAt(text.length - 1);
		parser.feed(text);
	};
	/** Feeds one chunk; true once reading should stop. */
	const feed = (chunk: unknown): boolean => {
		feedText(typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true }));
		return stop;
	};
	/**
	 * Called once the body has ended. eventsource-parser holds back a CR at the end of what it
	 * was fed (it cannot know yet whether an LF follows, making one CRLF line ending), so on a
	 * stream whose lines end in bare CR the last line, and with it the last event, would never be
	 * dispatched; nor would an event whose last line ended but no blank line followed. When the
	 * body ended at a line ending, two LFs complete it: the first ends a held-back line (a held
	 * CR plus this LF count as one CRLF) or is the blank line that dispatches the event, the
	 * second dispatches an event still pending; on a stream that ended with its blank line both
	 * are empty lines that do nothing. A last line cut off without any line ending is dropped,
	 * as the SSE spec says (it may be a fragment; the caller resumes for the rest).
	 * (The parser's `reset({consume: true})` is no help here: it parses held text as one line,
	 * a held CR included, and never dispatches the event.)
	 */
	const flush = () => {
		feedText(decoder.decode());
		if (stop || (lastChar !== CR && lastChar !== LF)) return;
		parser.feed('\n');
		if (!stop) parser.feed('\n');
	};
	const outcome = (): 'ended' | 'stopped' => {
		if (failure) throw failure;
		return stop ? 'stopped' : 'ended';
	};

	if (!isStream(body)) {
		// a body that arrived whole (a string or bytes)
		if (body !== undefined && body !== null) feed(body);
		if (!stop) flush();
		return outcome();
	}
	if (signal?.aborted) throw new Error('aborted');
	if (body.readableEnded) return outcome();
	if (body.destroyed) throw new Error('the connection closed before the stream ended');

	return await new Promise<'ended' | 'stopped'>((resolve, reject) => {
		let settled = false;
		const settle = (finish: () => void) => {
			if (settled) return;
			settled = true;
			body.removeListener('data', onData);
			body.removeListener('end', onEnd);
			body.removeListener('close', onClose);
			// the 'error' listener stays: an error after this point (the caller destroys the body
			// next) must not go unhandled
			signal?.removeEventListener('abort', onAbort);
			try {
				finish();
			} catch (error) {
				reject(error);
			}
		};
		const onData = (chunk: unknown) => {
			if (feed(chunk)) settle(() => resolve(outcome()));
		};
		const onEnd = () => {
			if (!stop) flush();
			settle(() => resolve(outcome()));
		};
		const onError = (error: unknown) => settle(() => reject(error));
		const onClose = () => settle(() => reject(new Error('the connection closed before the stream ended')));
		const onAbort = () => settle(() => reject(new Error('aborted')));
		signal?.addEventListener('abort', onAbort, { once: true });
		body.on('error', onError);
		body.on('end', onEnd);
		body.on('close', onClose);
		body.on('data', onData);
	});
}
