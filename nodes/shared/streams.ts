/** Small utilities for HTTP response bodies that arrive as streams. */

/** Reads the whole of a small body (a stream, Buffer or string) as text, at most `limit` bytes. */
export async function readSmallBody(body: unknown, limit = 65_536): Promise<string> {
	if (body === undefined || body === null) return '';
	if (typeof body === 'string') return body.slice(0, limit);
	if (body instanceof Uint8Array) return Buffer.from(body).subarray(0, limit).toString('utf8');
	if (typeof (body as AsyncIterable<Buffer>)[Symbol.asyncIterator] === 'function') {
		const chunks: Buffer[] = [];
		let size = 0;
		for await (const chunk of body as AsyncIterable<Buffer>) {
			const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
			chunks.push(buf);
			size += buf.length;
			if (size >= limit) break;
		}
		destroyBody(body);
		return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
	}
	return JSON.stringify(body).slice(0, limit);
}

/** The part of a readable stream `peekBody` uses. */
interface PeekableStream {
	read(): Uint8Array | string | null;
	unshift(chunk: Uint8Array | string): void;
	once(event: string, listener: () => void): unknown;
	removeListener(event: string, listener: () => void): unknown;
	readableEnded?: boolean;
	destroyed?: boolean;
}

/**
 * The first bytes of a response stream, put back so whoever reads the stream next gets all of
 * it. Empty when the body is empty; undefined when it is not a stream or broke first.
 */
export async function peekBody(body: unknown): Promise<Buffer | undefined> {
	const stream = body as Partial<PeekableStream> | null | undefined;
	if (typeof stream?.read !== 'function' || typeof stream.unshift !== 'function') return undefined;
	const readable = stream as PeekableStream;
	for (;;) {
		const chunk = readable.read();
		if (chunk !== null) {
			readable.unshift(chunk);
			return Buffer.from(chunk);
		}
		if (readable.readableEnded) return Buffer.alloc(0);
		if (readable.destroyed) return undefined;
		await new Promise<void>((resolve) => {
			const events = ['readable', 'end', 'error', 'close'];
			const wake = () => {
				for (const event of events) readable.removeListener(event, wake);
				resolve();
			};
			for (const event of events) readable.once(event, wake);
		});
	}
}

/** Closes a response stream the caller no longer reads. */
export function destroyBody(body: unknown): void {
	const stream = body as { destroy?: () => void } | undefined;
	if (stream && typeof stream.destroy === 'function') stream.destroy();
}
