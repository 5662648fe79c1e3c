'use strict';
/**
 * A fake of the Pokee Enterprise API (see /work/shared/api/POKEE.md) served over real HTTP on
 * 127.0.0.1, using Node built-ins only. It is shared by node tests, benchmarks and the demo, so:
 *
 * - Turns run detached from HTTP connections. A turn appends events to its own buffer on its own
 *   schedule; every connection (the original send, an idempotent replay, a resume) is just a
 *   reader of that buffer. Disconnecting never stops a turn.
 * - Readers write SSE frames in ~64 KiB batches and wait for 'drain', so 200,000-event turns and
 *   slow clients cost neither 200,000 writes nor unbounded memory.
 * - Virtual files (putLargeFile) are never materialised; downloads are zero-copy slices of a
 *   precomputed period-256 pattern.
 * - Clocks (TTL, idle destroy, resume grace, idempotency keys) are checked lazily on each request.
 * - fake.fault(spec) injects transport misbehaviour (resets, drops, stalls, odd framing).
 *
 * Script directives in the message text (first match wins, default `short`) pick what the agent
 * does; expectedText(message) gives the concatenated text.delta content a turn produces.
 */
const http = require('node:http');
const crypto = require('node:crypto');
const zlib = require('node:zlib');

const DEFAULT_KEY = 'pk_acme_0123456789abcdef';
const DAY_MS = 86_400_000;
const CHUNK = 64 * 1024;
const EVENT_BATCH = 4096; // undelayed scripts yield to the event loop every this many events
const CANCELLED = Symbol('turn ended'); // thrown inside a script whose turn was ended under it
const TERMINAL = new Set([
	'message.completed',
	'message.cancelled',
	'message.error',
	'response.completed',
	'response.cancelled',
	'response.failed',
]);
const MIME = {
	pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	pdf: 'application/pdf',
	txt: 'text/plain',
	md: 'text/markdown',
	csv: 'text/csv',
	html: 'text/html',
	json: 'application/json',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	zip: 'application/zip',
};
const ERROR_NAMES = {
	400: 'bad_request',
	401: 'unauthorized',
	402: 'insufficient_credits',
	403: 'forbidden',
	404: 'not_found',
	409: 'conflict',
	413: 'payload_too_large',
	416: 'range_not_satisfiable',
	422: 'idempotency_mismatch',
	429: 'rate_limited',
	500: 'internal_error',
	502: 'bad_gateway',
	503: 'service_unavailable',
};
const FAULT_KINDS = new Set(['reset', 'hang', 'dropAfter', 'status', 'stall', 'split', 'crlf', 'eol', 'comments', 'noTerminal']);
const LINE_ENDINGS = new Set(['\n', '\r\n', '\r']);

const noop = () => {};
const hex = (n) => crypto.randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);
const nowSec = () => Date.now() / 1000;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
const tokensOf = (text) => Math.ceil(Buffer.byteLength(text) / 4);

// ---------------------------------------------------------------------------------------------
// Scripts: the exact texts, shared by the turn runners and expectedText().

const SHORT = ['Hello ', 'from ', 'Pokee.'];
// Multi-byte characters on purpose, so split faults cut inside UTF-8 sequences.
const LONG = Array.from({ length: 200 }, (_, i) => `${i + 1}. Pokée streams — café 🙂\n`);
const THINKING = ['Let me think ', 'about this — ', 'carefully 🙂'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const TOOL_RESULT_CONTENT = 'Pokee Enterprise API — agent sessions with streamed turns.';
const DIRECTIVE =
	/#(long|events:(\d+)|thinking|tools|client-tool|error|error-once|slow:(\d+)|slow-once:(\d+)|deck|unknown-events|malformed|missing-fields)(?![\w-])/;

/** The first directive in a message: {name, arg}; `short` when there is none. */
function parseDirective(message) {
	const m = DIRECTIVE.exec(String(message ?? ''));
	if (!m) return { name: 'short', arg: 0 };
	const [name] = m[1].split(':');
	return { name, arg: Number(m[2] ?? m[3] ?? m[4] ?? 0) };
}

const eventLetters = (n) => Array.from({ length: n }, (_, i) => LETTERS[i % 26]);
const deckSlug = (sessionId) => `deck-${String(sessionId).replace(/^sess_/, '')}`;
const deckDeltas = (sessionId) => [
	'Outlining the deck…\n',
	'Rendering 12 slides…\n',
	`Saved output/${deckSlug(sessionId)}.pptx\n`,
];

/**
 * The text.delta contents a session turn streams for `message`, in order. `toolOutput` is what
 * the test posts to /tool_results (#client-tool); `sessionId` names the #deck output.
 */
function scriptDeltas(message, { toolOutput = '', sessionId = '' } = {}) {
	const d = parseDirective(message);
	switch (d.name) {
		case 'long':
			return LONG;
		case 'events':
			return eventLetters(d.arg);
		case 'error':
			return ['Hello '];
		case 'client-tool':
			return ['Tool result: ', String(toolOutput)];
		case 'deck':
			return deckDeltas(sessionId);
		default:
			return SHORT;
	}
}

/** Concatenated text of a session turn (see scriptDeltas). Stateless responses: see statelessDeltas. */
function expectedText(message, opts) {
	return scriptDeltas(message, opts).join('');
}

/** Stateless /v1/responses text: #long and #events:N as for sessions, anything else the short text. */
function statelessDeltas(text) {
	const d = parseDirective(text);
	return d.name === 'long' || d.name === 'events' ? scriptDeltas(text) : SHORT;
}

/** Example arguments for a JSON-schema `parameters` object: a property's first `examples` value, else strings "example", numbers 1, booleans true. */
function exampleArguments(parameters) {
	const sample = { string: 'example', number: 1, integer: 1, boolean: true, array: [], object: {} };
	const props = isObject(parameters?.properties) ? parameters.properties : {};
	// a property's JSON Schema `examples` give its value, as a model would pick a plausible one
	const value = (v) => (Array.isArray(v?.examples) && v.examples.length ? v.examples[0] : sample[v?.type] ?? null);
	return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, value(v)]));
}

/** Tool definitions come flat ({name, parameters}) or nested ({function: {name, parameters}}). */
const toolFn = (tool) => (isObject(tool?.function) ? tool.function : tool ?? {});

// ---------------------------------------------------------------------------------------------
// Zip: a writer for tests and the #deck output, and a central-directory reader for skills.

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c;
});
function crc32(buf) {
	let c = -1;
	for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 255] ^ (c >>> 8);
	return (c ^ -1) >>> 0;
}

/**
 * Builds a zip archive. entries: [{name, data: Buffer|string}] (a name ending in '/' is a
 * directory). Stored by default; {deflate: true} compresses with raw deflate (method 8).
 * Timestamps are fixed (1980-01-01) so the output is deterministic.
 */
function makeZip(entries, { deflate = false } = {}) {
	const parts = [];
	const central = [];
	let offset = 0;
	for (const { name, data } of entries) {
		const raw = Buffer.isBuffer(data) ? data : Buffer.from(data ?? '');
		const body = deflate ? zlib.deflateRawSync(raw) : raw;
		const nameBuf = Buffer.from(name);
		const fields = [deflate ? 8 : 0, crc32(raw), body.length, raw.length, nameBuf.length];
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4); // version needed
		local.writeUInt16LE(fields[0], 8);
		local.writeUInt16LE(0x21, 12); // DOS date 1980-01-01
		local.writeUInt32LE(fields[1], 14);
		local.writeUInt32LE(fields[2], 18);
		local.writeUInt32LE(fields[3], 22);
		local.writeUInt16LE(fields[4], 26);
		const cd = Buffer.alloc(46);
		cd.writeUInt32LE(0x02014b50, 0);
		cd.writeUInt16LE(20, 4);
		cd.writeUInt16LE(20, 6);
		cd.writeUInt16LE(fields[0], 10);
		cd.writeUInt16LE(0x21, 14);
		cd.writeUInt32LE(fields[1], 16);
		cd.writeUInt32LE(fields[2], 20);
		cd.writeUInt32LE(fields[3], 24);
		cd.writeUInt16LE(fields[4], 28);
		cd.writeUInt32LE(offset, 42);
		parts.push(local, nameBuf, body);
		central.push(cd, nameBuf);
		offset += 30 + nameBuf.length + body.length;
	}
	const cdBuf = Buffer.concat(central);
	const eocd = Buffer.alloc(22);
	eocd.writeUInt32LE(0x06054b50, 0);
	eocd.writeUInt16LE(entries.length, 8);
	eocd.writeUInt16LE(entries.length, 10);
	eocd.writeUInt32LE(cdBuf.length, 12);
	eocd.writeUInt32LE(offset, 16);
	return Buffer.concat([...parts, cdBuf, eocd]);
}

/**
 * Reads a zip's central directory and unpacks each entry (stored or deflated) to learn its real
 * size. Returns [{name, size, dir}]; throws an Error with a client-facing message when invalid.
 */
function readZip(buf) {
	const limits = { entries: 1000, total: 50 * 1024 * 1024, file: 25 * 1024 * 1024 };
	let eocd = -1;
	for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
		if (buf.readUInt32LE(i) === 0x06054b50) {
			eocd = i;
			break;
		}
	}
	if (eocd < 0) throw new Error('not a zip archive');
	const count = buf.readUInt16LE(eocd + 10);
	if (count > limits.entries) throw new Error(`too many entries (max ${limits.entries})`);
	const out = [];
	let total = 0;
	let p = buf.readUInt32LE(eocd + 16);
	for (let i = 0; i < count; i++) {
		if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt central directory');
		const [flags, method, csize, usize] = [buf.readUInt16LE(p + 8), buf.readUInt16LE(p + 10), buf.readUInt32LE(p + 20), buf.readUInt32LE(p + 24)];
		const [nlen, xlen, clen] = [buf.readUInt16LE(p + 28), buf.readUInt16LE(p + 30), buf.readUInt16LE(p + 32)];
		const fileType = (buf.readUInt32LE(p + 38) >>> 16) & 0o170000; // unix mode, when recorded
		const local = buf.readUInt32LE(p + 42);
		const name = buf.toString('utf8', p + 46, p + 46 + nlen);
		p += 46 + nlen + xlen + clen;
		if (fileType !== 0 && fileType !== 0o100000 && fileType !== 0o040000) throw new Error(`'${name}' is a symlink or special file`);
		if (name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.includes('\\') || name.split('/').includes('..')) {
			throw new Error(`invalid entry path '${name}'`);
		}
		if (flags & 1) throw new Error('encrypted entries are not supported');
		if (usize > limits.file) throw new Error(`'${name}' exceeds the per-file limit`);
		if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error('corrupt local header');
		const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
		const raw = buf.subarray(start, start + csize);
		if (raw.length !== csize) throw new Error('truncated entry');
		let data;
		if (method === 0) data = raw;
		else if (method === 8) data = zlib.inflateRawSync(raw, { maxOutputLength: limits.file + 1 });
		else throw new Error(`unsupported compression method ${method}`);
		if (data.length !== usize) throw new Error(`size mismatch in '${name}'`);
		total += usize;
		if (total > limits.total) throw new Error('bundle exceeds the uncompressed size limit');
		out.push({ name, size: usize, dir: name.endsWith('/') });
	}
	return out;
}

// ---------------------------------------------------------------------------------------------
// Files: virtual large files and the #deck deliverable.

// byte i of a virtual file is (i*31+7)&255, which has period 256: any window of up to 64 KiB is a
// slice of this buffer, so downloads of any size cost no allocation.
const PATTERN = Buffer.from(Array.from({ length: CHUNK + 256 }, (_, j) => (j * 31 + 7) & 255));
function virtualFile(size) {
	return {
		size,
		byteAt: (i) => (i * 31 + 7) & 255,
		// [start, end) with end - start <= CHUNK
		slice: (start, end) => PATTERN.subarray(start & 255, (start & 255) + (end - start)),
	};
}
const sizeOf = (data) => (Buffer.isBuffer(data) ? data.length : data.size);
const sliceOf = (data, start, end) => (Buffer.isBuffer(data) ? data.subarray(start, end) : data.slice(start, end));
function* chunksOf(data, start, end) {
	for (let pos = start; pos < end; pos += CHUNK) yield sliceOf(data, pos, Math.min(pos + CHUNK, end));
}

/** The deterministic ~50 KB .pptx (a zip) that #deck writes to output/deck-<session hex>.pptx. */
function deckFile(sessionId) {
	const slug = deckSlug(sessionId);
	const entries = [
		{ name: '[Content_Types].xml', data: '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>' },
		{ name: 'ppt/presentation.xml', data: `<?xml version="1.0"?><p:presentation><!-- ${slug} --></p:presentation>` },
	];
	for (let n = 1; n <= 12; n++) {
		const text = `Slide ${n} of ${slug}: Temasek-style market overview. `.repeat(80);
		entries.push({ name: `ppt/slides/slide${n}.xml`, data: `<?xml version="1.0"?><p:sld><a:t>${text}</a:t></p:sld>` });
	}
	return { path: `output/${slug}.pptx`, data: makeZip(entries) };
}

// ---------------------------------------------------------------------------------------------
// Paths and scope.

/** A workspace path is relative, '/'-separated, without empty, '.', '..' segments, '\' or NUL. */
function validPath(p) {
	if (p === '') return true;
	if (p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
	return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** URL path tail -> workspace path, decoding each segment; null when invalid. */
function decodeFilePath(rest) {
	const segs = rest.split('/');
	if (segs.length > 1 && segs[segs.length - 1] === '') segs.pop(); // tolerate "dir/"
	let p;
	try {
		p = segs.map(decodeURIComponent).join('/');
	} catch {
		return null;
	}
	return validPath(p) ? p : null;
}

function scopeOf(session) {
	const norm = (list) => (Array.isArray(list) ? list : []).map((r) => String(r).replace(/\/+$/, ''));
	const write = [...norm(session.file_access.write), `.sessions/${session.id}`];
	return { read: [...norm(session.file_access.read), ...write], write };
}
const within = (p, prefixes) => prefixes.some((r) => r === '' || p === r || p.startsWith(`${r}/`));
// p is a directory on the way down to a scoped prefix (listable as a skeleton).
const ancestorOf = (p, prefixes) => prefixes.some((r) => r !== '' && (p === '' || r.startsWith(`${p}/`)));

/** "1h30m" | "90s" | "2h" -> ms; NaN when malformed. */
function parseDuration(s) {
	const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(String(s));
	if (!m || s === '') return NaN;
	return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

/** Range header -> {start, end} (inclusive) | 'bad'. Only single ranges are supported. */
function parseRange(header, size) {
	const m = /^bytes=(\d*)-(\d*)$/.exec(String(header).trim());
	if (!m || (m[1] === '' && m[2] === '')) return 'bad';
	if (m[1] === '') {
		const n = Number(m[2]);
		return n === 0 || size === 0 ? 'bad' : { start: Math.max(0, size - n), end: size - 1 };
	}
	const start = Number(m[1]);
	const end = m[2] === '' ? size - 1 : Number(m[2]);
	if (start >= size || end < start) return 'bad';
	return { start, end: Math.min(end, size - 1) };
}

// ---------------------------------------------------------------------------------------------
// Turns.

/**
 * A turn (session message or stateless stream): an append-only event buffer plus the runner's
 * pause state. Public fields: rid, sessionId, events [{seq, type, data}], done, status,
 * idempotencyKey. `data` excludes sequence_number, which is added on the wire.
 */
class Turn {
	constructor({ rid, kind, sessionId, idempotencyKey, authKey, model, noTerminal, onEnd }) {
		this.rid = rid;
		this.kind = kind; // 'session' | 'response'
		this.sessionId = sessionId;
		this.events = [];
		this.done = false;
		this.status = 'in_progress'; // then completed | cancelled | error | incomplete | stopped
		this.idempotencyKey = idempotencyKey;
		this.authKey = authKey;
		this.model = model;
		this.noTerminal = noTerminal; // fault: the turn ends without its terminal event
		this.pendingCall = null; // {callId, name} while waiting for /tool_results
		this.endedAt = null;
		this.tokens = 0;
		this.onEnd = onEnd;
		this.waiters = [];
		this.notifyQueued = false;
		this.timer = null;
		this.wake = null;
	}

	/** The text this turn emitted, in order: text.delta (session turns), output_text deltas (responses). */
	text() {
		return this.events
			.map((e) => (e.type === 'text.delta' ? e.data.content : e.type === 'response.output_text.delta' ? e.data.delta : '') ?? '')
			.join('');
	}

	push(type, data, raw = false) {
		if (this.done) throw CANCELLED;
		this.events.push(raw ? { seq: this.events.length, type, data, raw } : { seq: this.events.length, type, data });
		this.notify();
	}

	/** Wakes readers once per burst of pushes (a microtask), not once per event. */
	notify() {
		if (this.notifyQueued) return;
		this.notifyQueued = true;
		queueMicrotask(() => {
			this.notifyQueued = false;
			const waiters = this.waiters;
			this.waiters = [];
			for (const w of waiters) w();
		});
	}

	/** Resolves on the next push or on the end of the turn. */
	changed() {
		return new Promise((resolve) => this.waiters.push(resolve));
	}

	sleep(ms) {
		return new Promise((resolve) => {
			this.wake = resolve;
			this.timer = setTimeout(resolve, ms);
		}).then(() => this.resumed());
	}

	/** Pauses the script until deliverToolResult() or the end of the turn. */
	waitTool(call) {
		this.pendingCall = call;
		return new Promise((resolve) => (this.wake = resolve)).then((v) => this.resumed(v));
	}

	deliverToolResult(output) {
		this.pendingCall = null;
		this.wake(output);
	}

	resumed(value) {
		this.timer = null;
		this.wake = null;
		if (this.done) throw CANCELLED;
		return value;
	}

	/** Ends the turn: appends the terminal event (unless suppressed) and unwinds a paused script. */
	finish(status, type, data) {
		if (this.done) return;
		if (type && !this.noTerminal) this.events.push({ seq: this.events.length, type, data });
		this.done = true;
		this.status = type && this.noTerminal ? 'incomplete' : status;
		this.endedAt = Date.now();
		this.pendingCall = null;
		clearTimeout(this.timer);
		this.wake?.();
		this.notify();
		this.onEnd?.(this);
	}

	cancel() {
		if (this.kind === 'session') this.finish('cancelled', 'message.cancelled', { id: this.rid, status: 'cancelled' });
		else this.finish('cancelled', 'response.cancelled', { type: 'response.cancelled', id: this.rid, response: this.responseShell('cancelled') });
	}

	fail(message) {
		if (this.kind === 'session') this.finish('error', 'message.error', { id: this.rid, error: message });
		else {
			const response = { ...this.responseShell('failed'), error: { code: 'server_error', message } };
			this.finish('error', 'response.failed', { type: 'response.failed', response });
		}
	}

	responseShell(status, output, usage) {
		return responseObject(this.rid, this.model, status, output, usage);
	}
}

/** An OpenAI-style response object. */
function responseObject(id, model, status, output = [], usage = null) {
	return { id, object: 'response', created_at: Math.floor(nowSec()), status, model, output, usage };
}

/** Serialises one event as an SSE frame; sequence_number is spliced into the JSON. */
function frame(ev, eol) {
	let data = ev.data;
	if (!ev.raw) {
		const json = JSON.stringify(data);
		data = json === '{}' ? `{"sequence_number":${ev.seq}}` : `${json.slice(0, -1)},"sequence_number":${ev.seq}}`;
	}
	return `id: ${ev.seq}${eol}event: ${ev.type}${eol}data: ${data}${eol}${eol}`;
}

// ---------------------------------------------------------------------------------------------
// Low-level response writing. Every response goes through open(), so 'reset' faults apply to all
// endpoints, and every body byte goes through put(), so 'split' faults and backpressure do too.

function open(ctx, status, headers) {
	if (ctx.fault?.kind === 'reset') {
		ctx.req.socket.destroy(); // the work was done; the client just never hears back
		return false;
	}
	if (ctx.fault?.kind === 'hang') return false; // the work was done; no answer ever comes (the socket stays open)
	ctx.res.writeHead(status, headers);
	return true;
}

function drained(res) {
	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};
		res.on('drain', done);
		res.on('close', done);
	});
}

/** Writes a chunk; resolves when more may be written. false once the connection is gone. */
async function put(ctx, chunk) {
	const { res, fault } = ctx;
	if (res.destroyed) return false;
	const every = fault?.kind === 'split' ? fault.every : fault?.kind === 'eol' ? fault.split : undefined;
	if (every !== undefined) {
		const buf = Buffer.from(chunk);
		for (let i = 0; i < buf.length && !res.destroyed; ) {
			const n = every === 'random' ? 1 + Math.floor(Math.random() * 16) : every;
			res.write(buf.subarray(i, (i += n)));
			await new Promise(setImmediate);
		}
	} else if (!res.write(chunk)) await drained(res);
	return !res.destroyed;
}

/** Kills the connection after everything written so far has reached the kernel. */
function drop(ctx) {
	const socket = ctx.res.socket;
	if (!socket) return;
	ctx.res.flushHeaders();
	socket.end(); // flushes queued (even corked) bytes and sends FIN; the body stays unfinished
	socket.once('finish', () => socket.destroy());
}

/** Sends a non-SSE response whose body is an iterable of Buffers. */
async function sendBody(ctx, status, headers, chunks = []) {
	if (!open(ctx, status, headers)) return;
	const { res, fault } = ctx;
	if (fault?.kind === 'stall') return void res.flushHeaders();
	let budget = fault?.kind === 'dropAfter' ? fault.bytes ?? 0 : Infinity;
	for (const chunk of chunks) {
		if (budget <= 0) break;
		const piece = chunk.length > budget ? chunk.subarray(0, budget) : chunk;
		if (piece.length && !(await put(ctx, piece))) return;
		budget -= piece.length;
	}
	if (budget <= 0) return drop(ctx);
	if (!res.destroyed) res.end();
}

function sendJson(ctx, status, obj, headers = {}) {
	const body = Buffer.from(JSON.stringify(obj));
	return sendBody(ctx, status, { 'content-type': 'application/json', 'content-length': body.length, ...headers }, [body]);
}

function fail(ctx, status, message, error = ERROR_NAMES[status], headers = {}) {
	return sendJson(ctx, status, { error, message }, headers);
}

/**
 * Streams a turn to one connection: buffered events after `after`, then live ones, until the
 * terminal event. Stream faults (dropAfter, stall, crlf, comments, noTerminal, split) apply here.
 */
async function streamTurn(ctx, turn, after) {
	const headers = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-response-id': turn.rid };
	// a server that names the turn only in its first event (any stream fault may ask for that)
	if (ctx.fault?.noResponseId) delete headers['x-response-id'];
	if (!open(ctx, 200, headers)) return;
	const { res, fault } = ctx;
	res.flushHeaders(); // the client learns X-Response-Id before the first event
	const kind = fault?.kind;
	const eol = kind === 'crlf' ? '\r\n' : kind === 'eol' ? fault.eol : '\n';
	// eol {finalBlank: false}: the stream ends right after the terminal event's data line, without
	// the blank line that would end the event
	const cutFinalBlank = kind === 'eol' && fault.finalBlank === false;
	const ping = kind === 'comments' ? `: ping${eol}` : '';
	const limit = kind === 'dropAfter' ? fault.events ?? 0 : Infinity;
	const stallAt = kind === 'stall' ? fault.at ?? turn.events.length : Infinity;
	let next = after + 1;
	let sent = 0;
	for (;;) {
		const end = Math.min(turn.events.length, stallAt);
		let chunk = '';
		while (next < end && sent < limit && chunk.length < CHUNK) {
			const ev = turn.events[next++];
			if (kind === 'noTerminal' && TERMINAL.has(ev.type)) continue;
			const framed = frame(ev, eol);
			chunk += ping + (cutFinalBlank && TERMINAL.has(ev.type) ? framed.slice(0, -eol.length) : framed);
			sent++;
		}
		if (chunk && !(await put(ctx, chunk))) return;
		if (sent >= limit) return drop(ctx);
		if (next >= stallAt) return; // stall: keep the connection open, never write again
		if (next < turn.events.length) continue;
		if (turn.done) return void res.end();
		await turn.changed();
		if (res.destroyed) return;
	}
}

function readBody(req, limit) {
	return new Promise((resolve) => {
		const chunks = [];
		let size = 0;
		let ended = false;
		req.on('data', (c) => {
			size += c.length;
			if (size <= limit) chunks.push(c);
			else chunks.length = 0; // keep draining so the client can read the 413, store nothing
		});
		req.on('end', () => {
			ended = true;
			resolve({ body: size > limit ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge: size > limit });
		});
		req.on('close', () => ended || resolve({ aborted: true }));
		req.on('error', noop);
	});
}

// ---------------------------------------------------------------------------------------------

/**
 * Starts the fake. Options: keys, graceMs, idleDestroyMs, eventDelayMs, port, deckMs,
 * maxUploadBytes, maxSessions, models. See the module header and the returned object.
 */
async function startFakePokee(options = {}) {
	const opts = {
		keys: [DEFAULT_KEY],
		graceMs: 120_000,
		idleDestroyMs: 300_000,
		eventDelayMs: 2,
		port: 0,
		deckMs: 1500,
		maxUploadBytes: 100 * 1024 * 1024,
		maxSessions: 10,
		models: ['pokee-isaac-high-reasoning', 'pokee-isaac'],
		...options,
	};
	const keys = new Set(opts.keys);
	const sessions = new Map();
	const turns = new Map();
	const files = new Map();
	const skills = new Map();
	const idempotency = new Map(); // key -> {scope, fingerprint, rid, at}
	const liveTurns = new Map(); // sessionId -> running Turn
	const usageLog = []; // completed turns: {at, bucket, tokens}
	const requests = [];
	const faults = [];
	const shaCache = new WeakMap();
	const credits = { enabled: true, mode: 'soft', balance: 100000 };

	// The handle tests use: live state (sessions, turns, files, skills, credits, requests,
	// turnsStarted) plus hooks that act as the agent, the clock or a broken network would.
	const fake = {
		baseUrl: '',
		requests,
		sessions,
		turns,
		files,
		skills,
		credits,
		turnsStarted: 0,
		/** Whether file downloads carry Accept-Ranges (the API's docs do not say they do). */
		acceptRanges: true,
		clearRequests: () => void (requests.length = 0),
		putFile(path, data) {
			if (!validPath(path) || path === '') throw new Error(`invalid path ${path}`);
			files.set(path, { data: Buffer.from(data), modified: nowSec() });
		},
		putLargeFile(path, size) {
			if (!validPath(path) || path === '') throw new Error(`invalid path ${path}`);
			files.set(path, { data: virtualFile(size), modified: nowSec() });
		},
		fileSha256(path) {
			const file = files.get(path);
			if (!file) throw new Error(`no file ${path}`);
			if (!shaCache.has(file.data)) {
				const hash = crypto.createHash('sha256');
				for (const c of chunksOf(file.data, 0, sizeOf(file.data))) hash.update(c);
				shaCache.set(file.data, hash.digest('hex'));
			}
			return shaCache.get(file.data);
		},
		setMetadata(sessionId, patch) {
			const s = sessions.get(sessionId);
			if (!s) throw new Error(`no session ${sessionId}`);
			Object.assign(s.metadata, patch);
		},
		expireSession: (id) => destroySession(id, 'session expired'),
		/**
		 * Creates a session as POST /v1/sessions with this JSON body would (same validation,
		 * defaults, session limit and lazy clocks), in-process: no request logged, no fault taken,
		 * no key needed. Returns the 201 body (a copy); throws where the API would answer an error.
		 */
		createSession(body = {}) {
			sweep();
			// the body as the API would parse it: a copy, with JSON's rules (undefined fields dropped)
			const r = addSession(JSON.parse(JSON.stringify(body) ?? 'null'));
			if (!r.session) {
				throw Object.assign(new Error(`POST /v1/sessions would answer ${r.status}: ${r.message}`), { status: r.status });
			}
			return JSON.parse(JSON.stringify(r.session));
		},
		/**
		 * Queues a misbehaviour for the next request matching {method?, path?: RegExp|string}
		 * (path without query), used `times` times (default 1). Kinds: reset {beforeProcessing?}
		 * (the request is carried out, then the connection is destroyed before any answer), hang
		 * (carried out, then no answer and the connection left open), dropAfter {events | bytes},
		 * status {status, body?, headers?}, stall {at?: n (after n events;
		 * default: after the events already buffered)}, split {every: 'random'|n}, crlf, eol {eol:
		 * '\n'|'\r\n'|'\r', finalBlank?: false (no blank line after the terminal event), split?:
		 * 'random'|n (written in pieces of n bytes, as split does)}, comments, noTerminal. A stream fault with
		 * {noResponseId: true} also leaves out the X-Response-Id header.
		 */
		fault(spec) {
			if (!FAULT_KINDS.has(spec?.kind)) throw new Error(`unknown fault kind ${spec?.kind}`);
			if (spec.kind === 'eol') {
				if (!LINE_ENDINGS.has(spec.eol)) throw new Error("eol.eol must be '\\n', '\\r\\n' or '\\r'");
				if (spec.split !== undefined && spec.split !== 'random' && !(Number.isInteger(spec.split) && spec.split > 0)) {
					throw new Error("eol.split must be 'random' or a positive integer");
				}
			}
			const every = spec.every ?? 'random';
			if (spec.kind === 'split' && every !== 'random' && !(Number.isInteger(every) && every > 0)) {
				throw new Error("split.every must be 'random' or a positive integer");
			}
			if (spec.kind === 'status' && !Number.isInteger(spec.status)) throw new Error('status faults need a numeric status');
			faults.push({ ...spec, every, remaining: spec.times ?? 1 });
		},
		clearFaults: () => void (faults.length = 0),
		setCredits: (patch) => void Object.assign(credits, patch),
		async close() {
			for (const t of turns.values()) t.finish('stopped');
			await new Promise((resolve) => {
				server.close(resolve);
				server.closeAllConnections();
			});
		},
	};

	function takeFault(method, path) {
		const i = faults.findIndex((f) => {
			if (f.method && f.method.toUpperCase() !== method) return false;
			if (f.path === undefined) return true;
			if (f.path instanceof RegExp) {
				f.path.lastIndex = 0;
				return f.path.test(path);
			}
			return f.path === path;
		});
		if (i < 0) return null;
		const f = faults[i];
		if (--f.remaining <= 0) faults.splice(i, 1);
		return f;
	}

	function destroySession(id, reason) {
		sessions.delete(id);
		liveTurns.get(id)?.fail(reason); // [INFERRED] destroying a session kills its running turn
	}

	/**
	 * #slow-once:N and #error-once: the first turn with this text is slow (N ms per event) or
	 * fails, later ones are short and complete (a failure a retry gets past).
	 */
	const onceSeen = new Set();
	function onceDirective(d, key) {
		if (d.name !== 'slow-once' && d.name !== 'error-once') return d;
		if (onceSeen.has(key)) return { name: 'short', arg: 0 };
		onceSeen.add(key);
		return d.name === 'slow-once' ? { name: 'slow', arg: d.arg } : { name: 'error', arg: 0 };
	}

	/** Lazy clocks: TTL, idle auto-destroy, resume-buffer grace, idempotency-key lifetime. */
	function sweep() {
		const now = Date.now();
		for (const s of sessions.values()) {
			if (now >= (s.created_at + s.ttl) * 1000) destroySession(s.id, 'session expired');
			else if (!s.persistent && !s.busy && now - s.last_activity * 1000 >= opts.idleDestroyMs) destroySession(s.id, 'session idle');
		}
		for (const t of turns.values()) if (t.done && now - t.endedAt > opts.graceMs) turns.delete(t.rid);
		for (const [k, v] of idempotency) if (now - v.at > DAY_MS) idempotency.delete(k);
	}

	function recordUsage(turn) {
		if (turn.status !== 'completed') return; // cancelled/failed turns are not billed
		usageLog.push({ at: Date.now(), bucket: turn.kind === 'session' ? 'session_turn' : 'response', tokens: turn.tokens });
		credits.balance = Math.round((credits.balance - turn.tokens / 1000) * 1e6) / 1e6; // 1 credit per 1000 tokens
	}

	const fingerprint = (ctx) => sha256(ctx.body);
	const lowCredits = () => credits.mode === 'hard' && credits.balance < 1;

	/** Same key: replay (or 'replayed' JSON after eviction) or 422. Returns a promise when it answered. */
	function idempotentReplay(ctx, key, scope) {
		const entry = idempotency.get(key);
		if (!entry) return null;
		if (entry.scope !== scope || entry.fingerprint !== fingerprint(ctx)) {
			return fail(ctx, 422, 'Idempotency-Key was used with a different body or session');
		}
		const turn = turns.get(entry.rid);
		if (turn) return streamTurn(ctx, turn, -1);
		const note = 'original response buffer evicted; events are no longer available';
		return sendJson(ctx, 200, { response_id: entry.rid, status: 'replayed', note }, { 'x-response-id': entry.rid });
	}

	/** Registers a new turn (and its idempotency key, in the same tick: no await in between). */
	function newTurn(ctx, { kind, sessionId, key, scope, model, onEnd }) {
		const turn = new Turn({
			rid: (kind === 'session' ? 'msg_' : 'resp_') + hex(24),
			kind,
			sessionId,
			idempotencyKey: key ?? null,
			authKey: ctx.key,
			model,
			noTerminal: ctx.fault?.kind === 'noTerminal',
			onEnd: (t) => {
				onEnd?.(t);
				recordUsage(t);
			},
		});
		turns.set(turn.rid, turn);
		fake.turnsStarted++;
		if (key) idempotency.set(key, { scope, fingerprint: fingerprint(ctx), rid: turn.rid, at: Date.now() });
		return turn;
	}

	function launch(turn, script) {
		script().catch((err) => {
			if (err !== CANCELLED) turn.fail(`fake runner crashed: ${err?.message ?? err}`);
		});
	}

	// ----- sessions ------------------------------------------------------------------------------

	function validateTools(tools) {
		if (!Array.isArray(tools)) return 'tools must be an array';
		if (tools.length > 128) return 'at most 128 tools are allowed';
		for (const t of tools) {
			const fn = toolFn(t);
			if (typeof fn.name !== 'string' || fn.name.length < 1 || fn.name.length > 64) return 'tool names must be 1-64 characters';
			if (fn.description !== undefined && Buffer.byteLength(String(fn.description)) > 16384) return 'tool descriptions must be at most 16 KiB';
		}
		return null;
	}

	/**
	 * Validates a POST /v1/sessions body and creates the session: {session} or, where the API
	 * answers an error, {status, message}. Shared by the route and fake.createSession.
	 */
	function addSession(body) {
		const err = (status, message) => ({ status, message });
		if (!isObject(body)) return err(400, 'request body must be a JSON object');
		const { persistent = false, ttl = 14400, metadata = {}, file_access: fa, model, tools } = body;
		if (typeof persistent !== 'boolean') return err(400, 'persistent must be a boolean');
		if (!Number.isInteger(ttl) || ttl <= 0) return err(400, 'ttl must be a positive integer (seconds)');
		if (!isObject(metadata)) return err(400, 'metadata must be an object');
		if (fa !== undefined) {
			const okList = (list) => Array.isArray(list) && list.every((p) => typeof p === 'string' && validPath(p.replace(/\/+$/, '')));
			const ok = isObject(fa) && ['read', 'write'].every((k) => fa[k] === undefined || okList(fa[k]));
			if (!ok) return err(400, 'file_access must be {read: [paths], write: [paths]} with workspace-relative paths');
		}
		if (model !== undefined && !opts.models.includes(model)) return err(400, `unknown model '${model}'`);
		const toolError = tools === undefined ? null : validateTools(tools);
		if (toolError) return err(400, toolError);
		if (sessions.size >= opts.maxSessions) return err(429, `concurrent session limit (${opts.maxSessions}) reached`);
		const now = nowSec();
		const s = {
			id: `sess_${hex(12)}`,
			created_at: now,
			last_activity: now,
			busy: false,
			persistent,
			ttl,
			status: 'ready',
			metadata: { ...metadata },
			file_access: fa === undefined ? { read: [''], write: [''] } : { read: fa.read ?? [], write: fa.write ?? [] },
		};
		if (model !== undefined) s.model = model;
		if (tools !== undefined) s.tools = tools;
		sessions.set(s.id, s);
		return { session: s };
	}

	function createSession(ctx) {
		const r = addSession(ctx.body.length === 0 ? {} : ctx.json);
		return r.session ? sendJson(ctx, 201, r.session) : fail(ctx, r.status, r.message);
	}

	function bulkDelete(ctx) {
		const { status, older_than: olderThan } = ctx.query;
		if (status !== undefined && status !== 'idle') return fail(ctx, 400, "status must be 'idle'");
		const minAge = olderThan === undefined ? 0 : parseDuration(olderThan);
		if (Number.isNaN(minAge)) return fail(ctx, 400, `invalid duration '${olderThan}' (use e.g. 90s, 2h, 1h30m)`);
		let deleted = 0;
		for (const s of [...sessions.values()]) {
			if (status === 'idle' && s.busy) continue;
			if (Date.now() - s.last_activity * 1000 < minAge) continue;
			destroySession(s.id, 'session deleted');
			deleted++;
		}
		return sendJson(ctx, 200, { deleted });
	}

	function withSession(handler) {
		return (ctx, id, ...rest) => {
			const s = sessions.get(id);
			return s ? handler(ctx, s, ...rest) : fail(ctx, 404, `session '${id}' not found`);
		};
	}

	// ----- session turns -------------------------------------------------------------------------

	function postMessage(ctx, s) {
		const body = ctx.json;
		if (!isObject(body) || typeof body.message !== 'string' || body.message.trim() === '') {
			return fail(ctx, 400, "body must be {\"message\": \"...\"} with a non-empty message");
		}
		const key = ctx.headers['idempotency-key'];
		if (key) {
			const replay = idempotentReplay(ctx, key, s.id);
			if (replay) return replay;
		}
		if (s.busy) return fail(ctx, 409, `session '${s.id}' is busy with another turn`, 'session.busy');
		if (lowCredits()) return fail(ctx, 402, 'credit balance below the per-turn minimum');
		s.busy = true;
		s.last_activity = nowSec();
		const turn = newTurn(ctx, {
			kind: 'session',
			sessionId: s.id,
			key,
			scope: s.id,
			model: s.model,
			onEnd: (t) => {
				s.busy = false;
				s.last_activity = nowSec();
				if (liveTurns.get(s.id) === t) liveTurns.delete(s.id);
			},
		});
		liveTurns.set(s.id, turn);
		launch(turn, () => runSessionScript(turn, s, body.message));
		return streamTurn(ctx, turn, -1);
	}

	async function runSessionScript(turn, s, message) {
		const d = onceDirective(parseDirective(message), `session:${message}`);
		const delay = d.name === 'slow' ? d.arg : d.name === 'events' ? 0 : opts.eventDelayMs;
		const dataCache = new Map(); // identical deltas share one data object (200k-event turns)
		let pushed = 0;
		let outputTokens = 0;
		const emit = async (type, data, raw) => {
			turn.push(type, data, raw);
			if (type === 'text.delta') outputTokens++;
			if (delay > 0) await turn.sleep(delay);
			else if (++pushed % EVENT_BATCH === 0) await turn.sleep(0);
		};
		const delta = (type, content) => {
			if (!dataCache.has(content)) dataCache.set(content, { content });
			return emit(type, dataCache.get(content));
		};
		const block = async (kind, deltas) => {
			await emit(`${kind}.start`, {});
			for (const c of deltas) await delta(`${kind}.delta`, c);
			await emit(`${kind}.stop`, {});
		};
		const complete = () => {
			const usage = { input_tokens: tokensOf(message), output_tokens: outputTokens };
			turn.tokens = usage.input_tokens + usage.output_tokens;
			turn.finish('completed', 'message.completed', { id: turn.rid, status: 'completed', usage });
		};

		await emit('message.created', { id: turn.rid, session_id: s.id, status: 'in_progress' });
		switch (d.name) {
			case 'thinking':
				await block('thinking', THINKING);
				await block('text', SHORT);
				return complete();
			case 'tools': {
				const tool = { name: 'web_search', id: 'toolu_1' };
				await emit('tool_use.start', tool);
				await emit('tool_use.input_delta', { content: '{"query": "pokee ' });
				await emit('tool_use.input_delta', { content: 'enterprise api"}' });
				await emit('tool_use.executing', { ...tool, input: { query: 'pokee enterprise api' } });
				await emit('tool_use.stop', {});
				await emit('tool_result', { id: 'toolu_1', content: TOOL_RESULT_CONTENT, is_error: false });
				await block('text', SHORT);
				return complete();
			}
			case 'client-tool': {
				const fn = toolFn(s.tools?.[0]);
				if (!fn.name) return turn.fail('#client-tool needs a session created with tools');
				const call = { callId: `call_${hex(24)}`, name: fn.name };
				turn.push('tool_call.requested', { id: turn.rid, call_id: call.callId, name: fn.name, arguments: JSON.stringify(exampleArguments(fn.parameters)) });
				const output = await turn.waitTool(call);
				await block('text', scriptDeltas(message, { toolOutput: output }));
				return complete();
			}
			case 'error':
				await delta('text.delta', 'Hello ');
				return turn.fail('Agent crashed: scripted failure');
			case 'deck': {
				const [outline, render, saved] = deckDeltas(s.id);
				const step = opts.deckMs / 3;
				Object.assign(s.metadata, { temasek_status: 'outlining' });
				await emit('text.start', {});
				await delta('text.delta', outline);
				await turn.sleep(step);
				Object.assign(s.metadata, { temasek_status: 'rendering' });
				await delta('text.delta', render);
				await turn.sleep(step);
				const deck = deckFile(s.id);
				files.set(deck.path, { data: deck.data, modified: nowSec() });
				await delta('text.delta', saved);
				await turn.sleep(step);
				Object.assign(s.metadata, { temasek_status: 'done' });
				await emit('text.stop', {});
				return complete();
			}
			case 'unknown-events':
				await emit('agent.progress', { step: 1, note: 'planning' });
				await emit('text.start', {});
				await delta('text.delta', SHORT[0]);
				await emit('x.custom', { foo: 'bar' });
				await delta('text.delta', SHORT[1]);
				await delta('text.delta', SHORT[2]);
				await emit('text.stop', {});
				return complete();
			case 'malformed':
				await emit('text.start', {});
				await emit('text.delta', '{"content": "unterminated', true);
				for (const c of SHORT) await delta('text.delta', c);
				await emit('text.stop', {});
				return complete();
			case 'missing-fields':
				await emit('text.start', {});
				await emit('text.delta', {});
				for (const c of SHORT) await delta('text.delta', c);
				await emit('text.stop', {});
				return complete();
			default: // short, slow, long, events
				await block('text', scriptDeltas(message));
				return complete();
		}
	}

	function findSessionTurn(s, rid) {
		const t = turns.get(rid);
		return t && t.kind === 'session' && t.sessionId === s.id ? t : null;
	}

	function findResponseTurn(ctx, rid) {
		const t = turns.get(rid);
		return t && t.kind === 'response' && t.authKey === ctx.key ? t : null;
	}

	function resume(ctx, turn) {
		if (!turn) return fail(ctx, 404, 'response not found or its buffer was evicted');
		const raw = ctx.headers['last-event-id'] ?? ctx.query.last_event_id;
		if (raw === undefined || raw === '') return streamTurn(ctx, turn, -1);
		if (!/^\d+$/.test(raw)) return fail(ctx, 400, 'Last-Event-ID must be a non-negative integer');
		return streamTurn(ctx, turn, Number(raw));
	}

	function cancel(ctx, turn) {
		if (!turn) return fail(ctx, 404, 'response not found or its buffer was evicted');
		if (turn.done) return sendJson(ctx, 200, { status: 'already_complete', response_id: turn.rid });
		turn.cancel(); // the agent "unwinds" at once: message.cancelled is the next and last event
		return sendJson(ctx, 202, { response_id: turn.rid, status: 'cancelling' });
	}

	function toolResults(ctx, s) {
		const body = ctx.json;
		const results = isObject(body) && Array.isArray(body.tool_results) ? body.tool_results : [body];
		if (!results.length || !results.every((r) => isObject(r) && typeof r.call_id === 'string' && r.output !== undefined)) {
			return fail(ctx, 400, 'body must be {"call_id", "output"} or {"tool_results": [...]}');
		}
		const turn = liveTurns.get(s.id);
		if (!turn?.pendingCall) return fail(ctx, 409, 'no tool call is pending in this session', 'no_pending_tool_call');
		const match = results.find((r) => r.call_id === turn.pendingCall.callId);
		if (!match) return fail(ctx, 404, `unknown call_id '${results[0].call_id}'`);
		turn.deliverToolResult(typeof match.output === 'string' ? match.output : JSON.stringify(match.output));
		return sendJson(ctx, 200, { status: 'accepted' });
	}

	// ----- files ---------------------------------------------------------------------------------

	/** Direct children of a directory (regardless of scope), or null if it does not exist. */
	function children(dir) {
		const prefix = dir === '' ? '' : `${dir}/`;
		const entries = new Map();
		let exists = dir === '';
		for (const [p, f] of files) {
			if (!p.startsWith(prefix)) continue;
			exists = true;
			const rest = p.slice(prefix.length);
			const slash = rest.indexOf('/');
			if (slash < 0) {
				entries.set(rest, { name: rest, type: 'file', size: sizeOf(f.data), modified: f.modified });
			} else {
				const name = rest.slice(0, slash);
				const e = entries.get(name) ?? { name, type: 'directory', size: 4096, modified: 0 };
				e.modified = Math.max(e.modified, f.modified);
				entries.set(name, e);
			}
		}
		return exists ? [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) : null;
	}

	const isDir = (p) => p === '' || [...files.keys()].some((k) => k.startsWith(`${p}/`));
	const outOfScope = (ctx, p) => fail(ctx, 403, `'${p}' not in session scope`);
	const invalidPath = (ctx) => fail(ctx, 403, 'invalid file path');

	function sendListing(ctx, s, dir) {
		const { read } = scopeOf(s);
		const full = within(dir, read);
		if (!full && !ancestorOf(dir, read)) return outOfScope(ctx, dir);
		const list = children(dir);
		if (!list) return fail(ctx, 404, `directory '${dir}' not found`);
		const visible = (e) => {
			const p = dir ? `${dir}/${e.name}` : e.name;
			return within(p, read) || ancestorOf(p, read);
		};
		return sendJson(ctx, 200, full ? list : list.filter(visible));
	}

	function listFiles(ctx, s) {
		const dir = String(ctx.query.path ?? '').replace(/\/$/, '');
		return validPath(dir) ? sendListing(ctx, s, dir) : invalidPath(ctx);
	}

	function fileOp(ctx, s, rest) {
		const p = decodeFilePath(rest);
		if (p === null || (p === '' && ctx.method !== 'GET')) return invalidPath(ctx);
		const scope = scopeOf(s);
		if (ctx.method === 'GET') {
			const file = files.get(p);
			if (!file) return sendListing(ctx, s, p);
			if (!within(p, scope.read)) return outOfScope(ctx, p);
			return download(ctx, p, file);
		}
		if (!within(p, scope.write)) return outOfScope(ctx, p);
		if (ctx.method === 'DELETE') {
			if (!files.delete(p)) return fail(ctx, 404, `file '${p}' not found`);
			return sendBody(ctx, 204, {});
		}
		const parents = p.split('/').slice(0, -1).map((_, i, segs) => segs.slice(0, i + 1).join('/'));
		if (isDir(p) || parents.some((d) => files.has(d))) return fail(ctx, 409, `'${p}' conflicts with an existing file or directory`);
		const file = { data: ctx.body, modified: nowSec() };
		files.set(p, file);
		return sendJson(ctx, 201, { path: p, size: file.data.length, modified: file.modified });
	}

	function download(ctx, p, file) {
		const size = sizeOf(file.data);
		const ext = /\.([^./]+)$/.exec(p)?.[1]?.toLowerCase();
		const headers = { 'content-type': MIME[ext] ?? 'application/octet-stream' };
		if (fake.acceptRanges) headers['accept-ranges'] = 'bytes';
		const rangeHeader = ctx.headers.range;
		if (rangeHeader === undefined) {
			return sendBody(ctx, 200, { ...headers, 'content-length': size }, chunksOf(file.data, 0, size));
		}
		const r = parseRange(rangeHeader, size);
		if (r === 'bad') return fail(ctx, 416, `range '${rangeHeader}' not satisfiable for ${size} bytes`, undefined, { 'content-range': `bytes */${size}` });
		return sendBody(
			ctx,
			206,
			{ ...headers, 'content-length': r.end - r.start + 1, 'content-range': `bytes ${r.start}-${r.end}/${size}` },
			chunksOf(file.data, r.start, r.end + 1),
		);
	}

	// ----- skills --------------------------------------------------------------------------------

	function installSkill(ctx, rawName) {
		let name;
		try {
			name = decodeURIComponent(rawName);
		} catch {
			name = rawName;
		}
		if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) return fail(ctx, 400, 'skill names must match ^[a-z0-9][a-z0-9_-]{0,63}$');
		if (name.startsWith('custom-')) return fail(ctx, 400, "the 'custom-' prefix is reserved");
		let entries;
		try {
			entries = readZip(ctx.body);
		} catch (err) {
			return fail(ctx, 400, `invalid skill bundle: ${err instanceof RangeError ? 'corrupt zip' : err.message}`);
		}
		let fileEntries = entries.filter((e) => !e.dir);
		if (!fileEntries.some((e) => e.name === 'SKILL.md')) {
			const top = fileEntries[0]?.name.split('/')[0];
			const wrapped = top && fileEntries.every((e) => e.name.startsWith(`${top}/`)) && fileEntries.some((e) => e.name === `${top}/SKILL.md`);
			if (!wrapped) return fail(ctx, 400, 'invalid skill bundle: SKILL.md missing at the bundle root');
			fileEntries = fileEntries.map((e) => ({ ...e, name: e.name.slice(top.length + 1) }));
		}
		const skill = {
			name,
			files: fileEntries.map((e) => e.name),
			total_bytes: fileEntries.reduce((n, e) => n + e.size, 0),
			skill_md_size: fileEntries.find((e) => e.name === 'SKILL.md').size,
		};
		skills.set(name, { ...skill, modified: nowSec() });
		return sendJson(ctx, 201, skill);
	}

	function listSkills(ctx) {
		const list = [...skills.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
		return sendJson(ctx, 200, list.map(({ name, skill_md_size, modified }) => ({ name, skill_md_size, modified })));
	}

	function deleteSkill(ctx, name) {
		return skills.delete(name) ? sendBody(ctx, 204, {}) : fail(ctx, 404, `skill '${name}' not found`);
	}

	// ----- usage ---------------------------------------------------------------------------------

	function usage(ctx) {
		const now = Date.now();
		const window = (bucket, name, seconds, maxTurns, maxTokens) => {
			const rows = usageLog.filter((u) => u.bucket === bucket && now - u.at < seconds * 1000);
			const tokens = rows.reduce((n, u) => n + u.tokens, 0);
			return { name, duration_seconds: seconds, turns: rows.length, max_turns: maxTurns, tokens, max_tokens: maxTokens, enabled: true };
		};
		const bucket = (b) => ({ windows: [window(b, 'hour', 3600, 500, 100_000_000), window(b, 'day', 86400, 5000, 1_000_000_000)] });
		return sendJson(ctx, 200, {
			rate_limit: { caller_id: 'default', buckets: { session_turn: bucket('session_turn'), response: bucket('response') } },
			credits: { ...credits },
		});
	}

	// ----- stateless /v1/responses ---------------------------------------------------------------

	/** Text of the latest user message in an input string or item array. */
	function inputText(input) {
		if (typeof input === 'string') return input;
		const msg = [...input].reverse().find((it) => isObject(it) && it.role === 'user');
		if (!msg) return '';
		if (typeof msg.content === 'string') return msg.content;
		return Array.isArray(msg.content) ? msg.content.map((c) => c?.text ?? '').join('') : '';
	}

	/**
	 * What the model answers: `Tool result: <output>` after a function_call_output; a function call
	 * when tools are given and the input names one (or says #client-tool: the first); else text.
	 */
	function planResponse(body) {
		const text = inputText(body.input);
		const last = Array.isArray(body.input) ? body.input[body.input.length - 1] : null;
		const tools = body.tools ?? [];
		const effort = body.reasoning?.effort;
		const plan = { text, reasoning: ['low', 'medium', 'high'].includes(effort), call: null, deltas: null };
		if (isObject(last) && last.type === 'function_call_output') {
			plan.deltas = ['Tool result: ', typeof last.output === 'string' ? last.output : JSON.stringify(last.output)];
		} else {
			const named = tools.map(toolFn).find((fn) => text.includes(fn.name));
			const fn = named ?? (tools.length && text.includes('#client-tool') ? toolFn(tools[0]) : null);
			if (fn) plan.call = { name: fn.name, arguments: JSON.stringify(exampleArguments(fn.parameters)) };
			else plan.deltas = statelessDeltas(text);
		}
		return plan;
	}

	const reasoningItem = () => ({ type: 'reasoning', id: `rs_${hex(24)}`, summary: [{ type: 'summary_text', text: THINKING.join('') }] });
	const callItem = (call) => ({
		type: 'function_call',
		id: `fc_${hex(24)}`,
		call_id: `call_${hex(24)}`,
		name: call.name,
		arguments: call.arguments,
		status: 'completed',
	});
	const messageItem = (text) => ({
		type: 'message',
		id: `msg_${hex(24)}`,
		role: 'assistant',
		status: 'completed',
		content: [{ type: 'output_text', text, annotations: [] }],
	});
	const responseUsage = (plan) => {
		const input_tokens = tokensOf(plan.text);
		const output_tokens = plan.call ? tokensOf(plan.call.arguments) : plan.deltas.length;
		return { input_tokens, output_tokens, total_tokens: input_tokens + output_tokens };
	};

	function postResponse(ctx) {
		const body = ctx.json;
		if (!isObject(body)) return fail(ctx, 400, 'request body must be a JSON object');
		if (typeof body.input !== 'string' && !Array.isArray(body.input)) return fail(ctx, 400, 'input (string or array) is required');
		if (body.tools !== undefined) {
			const err = validateTools(body.tools);
			if (err) return fail(ctx, 400, err);
		}
		if (body.model !== undefined && !opts.models.includes(body.model)) return fail(ctx, 400, `unknown model '${body.model}'`);
		const effort = body.reasoning?.effort;
		if (effort !== undefined && !['minimal', 'low', 'medium', 'high'].includes(effort)) return fail(ctx, 400, 'reasoning.effort must be minimal|low|medium|high');
		const model = body.model ?? opts.models[0];
		const key = body.stream === true ? ctx.headers['idempotency-key'] : undefined;
		if (key) {
			const replay = idempotentReplay(ctx, key, 'responses');
			if (replay) return replay;
		}
		if (lowCredits()) return fail(ctx, 402, 'credit balance below the per-turn minimum');
		const plan = planResponse(body);

		if (body.stream !== true) {
			const rid = `resp_${hex(24)}`;
			const output = [];
			if (plan.reasoning) output.push(reasoningItem());
			output.push(plan.call ? callItem(plan.call) : messageItem(plan.deltas.join('')));
			const u = responseUsage(plan);
			recordUsage({ kind: 'response', status: 'completed', tokens: u.total_tokens });
			return sendJson(ctx, 200, responseObject(rid, model, 'completed', output, u), { 'x-response-id': rid });
		}

		const turn = newTurn(ctx, { kind: 'response', sessionId: null, key, scope: 'responses', model });
		launch(turn, () => runResponseStream(turn, plan));
		return streamTurn(ctx, turn, -1);
	}

	async function runResponseStream(turn, plan) {
		const d = onceDirective(parseDirective(plan.text), `response:${plan.text}`);
		const delay = d.name === 'slow' ? d.arg : d.name === 'events' ? 0 : opts.eventDelayMs;
		let pushed = 0;
		const emit = async (type, data) => {
			turn.push(type, { type, ...data });
			if (delay > 0) await turn.sleep(delay);
			else if (++pushed % EVENT_BATCH === 0) await turn.sleep(0);
		};
		const output = [];
		await emit('response.created', { id: turn.rid, response: turn.responseShell('in_progress') });
		await emit('response.in_progress', { response: turn.responseShell('in_progress') });
		if (d.name === 'error') return turn.fail('the agent failed (#error)');
		if (plan.reasoning) {
			const item = reasoningItem();
			await emit('response.output_item.added', { output_index: output.length, item: { ...item, summary: [] } });
			// the summary streams as OpenAI's reasoning_summary_text deltas, then the whole item
			for (const delta of THINKING) {
				await emit('response.reasoning_summary_text.delta', { item_id: item.id, output_index: output.length, summary_index: 0, delta });
			}
			await emit('response.output_item.done', { output_index: output.length, item });
			output.push(item);
		}
		const output_index = output.length;
		if (plan.call) {
			const item = callItem(plan.call);
			await emit('response.output_item.added', { output_index, item: { ...item, arguments: '', status: 'in_progress' } });
			await emit('response.function_call_arguments.delta', { item_id: item.id, output_index, delta: item.arguments });
			await emit('response.function_call_arguments.done', { item_id: item.id, output_index, arguments: item.arguments });
			await emit('response.output_item.done', { output_index, item });
			output.push(item);
		} else {
			const text = plan.deltas.join('');
			const item = messageItem(text);
			const part = { type: 'output_text', text: '', annotations: [] };
			const at = { item_id: item.id, output_index, content_index: 0 };
			await emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
			await emit('response.content_part.added', { ...at, part });
			const deltaData = new Map(); // identical deltas share one data object
			for (const delta of plan.deltas) {
				if (!deltaData.has(delta)) deltaData.set(delta, { type: 'response.output_text.delta', ...at, delta });
				turn.push('response.output_text.delta', deltaData.get(delta));
				if (delay > 0) await turn.sleep(delay);
				else if (++pushed % EVENT_BATCH === 0) await turn.sleep(0);
			}
			await emit('response.output_text.done', { ...at, text });
			await emit('response.content_part.done', { ...at, part: { ...part, text } });
			await emit('response.output_item.done', { output_index, item });
			output.push(item);
		}
		const u = responseUsage(plan);
		turn.tokens = u.total_tokens;
		turn.finish('completed', 'response.completed', { type: 'response.completed', response: turn.responseShell('completed', output, u) });
	}

	// ----- routing -------------------------------------------------------------------------------

	const S = '([^/]+)';
	const routes = [
		['GET', /^\/health$/, (ctx) => sendJson(ctx, 200, { status: 'ok' })],
		['POST', /^\/v1\/sessions$/, createSession],
		['GET', /^\/v1\/sessions$/, (ctx) => sendJson(ctx, 200, [...sessions.values()])],
		['DELETE', /^\/v1\/sessions$/, bulkDelete],
		['GET', new RegExp(`^/v1/sessions/${S}$`), withSession((ctx, s) => sendJson(ctx, 200, s))],
		[
			'DELETE',
			new RegExp(`^/v1/sessions/${S}$`),
			withSession((ctx, s) => {
				destroySession(s.id, 'session deleted');
				return sendBody(ctx, 204, {});
			}),
		],
		['POST', new RegExp(`^/v1/sessions/${S}/messages$`), withSession(postMessage)],
		['GET', new RegExp(`^/v1/sessions/${S}/responses/${S}/events$`), withSession((ctx, s, rid) => resume(ctx, findSessionTurn(s, rid)))],
		['POST', new RegExp(`^/v1/sessions/${S}/responses/${S}/cancel$`), withSession((ctx, s, rid) => cancel(ctx, findSessionTurn(s, rid)))],
		['POST', new RegExp(`^/v1/sessions/${S}/tool_results$`), withSession(toolResults)],
		['GET', new RegExp(`^/v1/sessions/${S}/files$`), withSession(listFiles)],
		[/^(GET|PUT|DELETE)$/, new RegExp(`^/v1/sessions/${S}/files/(.*)$`), withSession(fileOp)],
		['GET', /^\/v1\/skills$/, listSkills],
		['POST', new RegExp(`^/v1/skills/${S}$`), installSkill],
		['DELETE', new RegExp(`^/v1/skills/${S}$`), deleteSkill],
		['GET', /^\/v1\/usage$/, usage],
		['POST', /^\/v1\/responses$/, postResponse],
		['GET', new RegExp(`^/v1/responses/${S}/events$`), (ctx, rid) => resume(ctx, findResponseTurn(ctx, rid))],
		['POST', new RegExp(`^/v1/responses/${S}/cancel$`), (ctx, rid) => cancel(ctx, findResponseTurn(ctx, rid))],
	];
	// Bodies of these routes are raw bytes (file upload, skill zip), never parsed as JSON.
	const rawBody = (method, path) => (method === 'PUT' && /\/files\//.test(path)) || (method === 'POST' && /^\/v1\/skills\//.test(path));

	async function handle(req, res) {
		res.on('error', noop);
		const q = req.url.indexOf('?');
		const path = q < 0 ? req.url : req.url.slice(0, q);
		const query = Object.fromEntries(new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1)));
		const { body, tooLarge, aborted } = await readBody(req, opts.maxUploadBytes);
		if (aborted) return;
		let json;
		if (body.length && !rawBody(req.method, path)) {
			try {
				json = JSON.parse(body);
			} catch {
				json = undefined;
			}
		}
		requests.push({ method: req.method, path, query, headers: req.headers, body, json, at: Date.now() });
		const ctx = { req, res, method: req.method, path, query, headers: req.headers, body, json, key: null, fault: takeFault(req.method, path) };
		const f = ctx.fault;
		if (f?.kind === 'reset' && f.beforeProcessing) return void req.socket.destroy();
		if (f?.kind === 'status') {
			const errBody = f.body ?? { error: ERROR_NAMES[f.status] ?? 'error', message: `injected ${f.status}` };
			return sendJson(ctx, f.status, errBody, f.headers);
		}
		sweep();
		if (!(req.method === 'GET' && path === '/health')) {
			const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
			if (!m || !keys.has(m[1])) return fail(ctx, 401, 'missing or invalid bearer token');
			ctx.key = m[1];
		}
		if (tooLarge) return fail(ctx, 413, `request body exceeds ${opts.maxUploadBytes} bytes`);
		for (const [method, re, handler] of routes) {
			if (method instanceof RegExp ? !method.test(req.method) : method !== req.method) continue;
			const m = re.exec(path);
			if (m) return handler(ctx, ...m.slice(1));
		}
		return fail(ctx, 404, `no endpoint ${req.method} ${path}`);
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch((err) => {
			// A bug in the fake: answer 500 like a real server would, or cut the stream.
			if (res.headersSent) return void res.destroy();
			const body = JSON.stringify({ error: 'internal_error', message: String(err?.message ?? err) });
			res.writeHead(500, { 'content-type': 'application/json' }).end(body);
		});
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port, '127.0.0.1', resolve);
	});
	fake.baseUrl = `http://127.0.0.1:${server.address().port}`;
	return fake;
}

module.exports = { startFakePokee, makeZip, expectedText, deckFile, DEFAULT_KEY };
