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
/** The blank line that ends an event, in any of SSE's line endings. */
const EVENT_END = /\n\r?\n|\r\r/g;

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
 *
 * With `onPause`, `onEvent` may return 'pause' (once per read): the rest of the chunk in hand is
 * held and nothing more is parsed until the caller calls the `resume` it is given. A consumer
 * waiting for the first text then gets it before the rest of a large chunk (a whole buffered
 * answer on a fast link) is parsed. Until that pause, such a read feeds a chunk event by event.
 */
export async function readSse(
	body: unknown,
	onEvent: (event: SseEvent) => boolean | 'pause' | void,
	signal?: AbortSignal,
	onPause?: (resume: () => void) => void,
): Promise<'ended' | 'stopped'> {
	let stop = false;
	let failure: unknown;
	/** A pause is wanted (onEvent said so), or may still come (splitting chunks until then). */
	let pauseWanted = false;
	let splitting = onPause !== undefined;
	const parser = createParser({
		onEvent(message) {
			if (stop) return;
			try {
				// the parser's own object is passed on (no copy per event); SSE's default type is "message"
				if (message.event === undefined) message.event = 'message';
				const answer = onEvent(message as SseEvent);
				if (answer === true) stop = true;
				else if (answer === 'pause' && splitting) pauseWanted = true;
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
	/** Text of a chunk held back by a pause, parsed on resume. */
	let held: string | undefined;
	/**
	 * Feeds one chunk's text; true once reading should stop. While a pause may come, the text is
	 * fed up to each blank line (an event's end) at a time, and what follows a pause is held.
	 */
	const feedSplit = (text: string): boolean => {
		let from = 0;
		while (splitting && from < text.length) {
			EVENT_END.lastIndex = from;
			const end = EVENT_END.exec(text);
			const to = end ? end.index + end[0].length : text.length;
			feedText(text.slice(from, to));
			from = to;
			if (stop) return true;
			if (pauseWanted) {
				splitting = false;
				if (from < text.length) held = text.slice(from);
				return false;
			}
		}
		if (from === 0) feedText(text);
		else if (from < text.length) feedText(text.slice(from));
		return stop;
	};
	const feed = (chunk: unknown): boolean =>
		feedSplit(typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true }));
	/** Parses what a pause held back; true once reading should stop. */
	const feedHeld = (): boolean => {
		const text = held;
		held = undefined;
		if (text !== undefined) feedText(text);
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
		// a body that arrived whole (a string or bytes): nothing to wait for, no pause
		splitting = false;
		if (body !== undefined && body !== null) feed(body);
		if (!stop) flush();
		return outcome();
	}
	if (signal?.aborted) throw new Error('aborted');
	if (body.readableEnded) return outcome();
	if (body.destroyed) throw new Error('the connection closed before the stream ended');
	const pausable = body as SseBody & { pause?: () => void; resume?: () => void };
	if (typeof pausable.pause !== 'function' || typeof pausable.resume !== 'function') splitting = false;

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
		/** Called by the caller after a pause: parses what was held, then reads on. */
		const resume = () => {
			if (settled) return;
			if (feedHeld()) settle(() => resolve(outcome()));
			else pausable.resume?.();
		};
		const onData = (chunk: unknown) => {
			if (feed(chunk)) return settle(() => resolve(outcome()));
			if (pauseWanted) {
				pauseWanted = false;
				// buffered chunks would follow at once, in this same call: stop the flow first
				pausable.pause?.();
				onPause?.(resume);
			}
		};
		const onEnd = () => {
			if (!feedHeld()) flush();
			settle(() => resolve(outcome()));
		};
		// what a pause held may hold the last event: parse it before deciding how reading ended
		const onError = (error: unknown) => settle(() => (feedHeld() ? resolve(outcome()) : reject(error)));
		const onClose = () =>
			settle(() => (feedHeld() ? resolve(outcome()) : reject(new Error('the connection closed before the stream ended'))));
		const onAbort = () => settle(() => reject(new Error('aborted')));
		signal?.addEventListener('abort', onAbort, { once: true });
		body.on('error', onError);
		body.on('end', onEnd);
		body.on('close', onClose);
		body.on('data', onData);
	});
}
