import type { IDataObject } from 'n8n-workflow';

import type { SseEvent } from './sse';

type TurnStatus =
	| 'in_progress'
	| 'completed'
	| 'error'
	| 'cancelled'
	| 'tool_call_requested'
	| 'replayed';

interface ToolUse {
	id: string;
	name: string;
	input: unknown;
	result?: unknown;
	is_error?: boolean;
}

/**
 * A client-side tool call as the item carries it. The parsed arguments are under `input` (as for
 * server-side tool uses), the JSON text as sent under `arguments_json`: n8n's expression sandbox
 * refuses any property named `arguments` (`$json.tool_call.arguments.x` fails with "Cannot access
 * "arguments" due to security concerns"), so no output key may be called that.
 */
interface ToolCall {
	call_id: string;
	name: string;
	input: unknown;
	arguments_json: string;
}

/** Raised for an event the client cannot make sense of (the caller names the event in its error). */
export class MalformedEventError extends Error {
	constructor(
		readonly event: SseEvent,
		problem: string,
	) {
		super(`malformed "${event.event}" event${event.id !== undefined ? ` (id ${event.id})` : ''}: ${problem}`);
	}
}

/** What applying one event meant for the turn. */
type EventOutcome = 'duplicate' | 'continue' | 'terminal' | 'tool_call';

/**
 * Text gathered from many small deltas. Parts are joined in blocks so memory stays close to the
 * text itself (plus a constant), not one string object per delta, without re-copying the text.
 */
class TextBuffer {
	private blocks: string[] = [];

	private parts: string[] = [];

	push(part: string): void {
		this.parts.push(part);
		if (this.parts.length === 1024) {
			this.blocks.push(this.parts.join(''));
			this.parts = [];
		}
	}

	get length(): number {
		return this.blocks.length + this.parts.length;
	}

	toString(): string {
		return this.blocks.join('') + this.parts.join('');
	}
}

const TERMINAL: Record<string, TurnStatus> = {
	'message.completed': 'completed',
	'message.error': 'error',
	'message.cancelled': 'cancelled',
	'response.completed': 'completed',
	'response.failed': 'error',
	'response.cancelled': 'cancelled',
	error: 'error',
};

/** Event types whose meaning this client knows; their data must be a JSON object. */
const KNOWN_EVENTS = new Set([
	...Object.keys(TERMINAL),
	'message.created',
	'text.start',
	'text.delta',
	'text.stop',
	'thinking.start',
	'thinking.delta',
	'thinking.stop',
	'tool_use.start',
	'tool_use.input_delta',
	'tool_use.executing',
	'tool_use.stop',
	'tool_result',
	'tool_call.requested',
	'response.created',
	'response.output_text.delta',
	'response.reasoning_summary_text.delta',
	'response.reasoning_text.delta',
]);

/** Tool-call arguments as a value: JSON text parsed (kept as text when it is not JSON), others as they are. */
export function parseArguments(value: unknown): unknown {
	if (typeof value !== 'string') return value ?? {};
	try {
		return JSON.parse(value);
	} catch {
		return value;
	}
}

/** Tool-call arguments as JSON text: the text the API sent, or its value serialised. */
export function argumentsJson(value: unknown): string {
	return typeof value === 'string' ? value : JSON.stringify(value ?? {});
}

/** The text of every output_text part of a finished response. */
export function outputTextOf(response: IDataObject | undefined): string {
	const output = Array.isArray(response?.output) ? (response.output as IDataObject[]) : [];
	return output
		.filter((item) => item && item.type === 'message' && Array.isArray(item.content))
		.flatMap((item) => item.content as IDataObject[])
		.filter((part) => part && part.type === 'output_text' && typeof part.text === 'string')
		.map((part) => part.text as string)
		.join('');
}

/**
 * The state of one agent turn, built from its events (events -> result), apart from how the
 * bytes were read. Events are numbered by their SSE id (or sequence_number, or their position
 * when the server sends neither); an event already applied is ignored, so replays after a
 * resume or an idempotent retry never duplicate anything.
 */
export class TurnState {
	sessionId?: string;

	responseId?: string;

	status: TurnStatus = 'in_progress';

	/** The node asked the server to cancel the turn (time limit, malformed event...) and it accepted. */
	cancelledByClient = false;

	/** Highest event number applied: the resume cursor (Last-Event-ID). */
	lastSeq = -1;

	error?: string;

	usage?: IDataObject;

	toolCall?: ToolCall;

	/** Final object of a stateless response (from response.completed). */
	response?: IDataObject;

	readonly rawEvents?: IDataObject[];

	/** Events applied so far (after de-duplication). */
	eventCount = 0;

	private readonly textParts = new TextBuffer();

	private readonly thinkingParts = new TextBuffer();

	private readonly toolUses: ToolUse[] = [];

	private readonly toolInputText = new Map<string, string>();

	/** Position of the next event on the current connection, for servers that send no ids. */
	private ordinal = 0;

	/**
	 * `answered`: tool calls the workflow already handled, so they do not stop the turn again:
	 * every call up to event number `upTo`, and the calls with the given ids.
	 */
	constructor(
		keepRawEvents = false,
		private readonly answered: { upTo?: number; callIds?: string[] } = {},
	) {
		if (keepRawEvents) this.rawEvents = [];
	}

	/** Call when a new connection (resume) starts: position counting restarts with it. */
	newConnection(): void {
		this.ordinal = this.lastSeq + 1;
	}

	get text(): string {
		return this.textParts.toString();
	}

	/** Applies one event; `onText` receives each new text delta (for streaming to a chat). */
	apply(event: SseEvent, onText?: (delta: string) => void): EventOutcome {
		let data: IDataObject | undefined;
		try {
			const parsed: unknown = event.data === '' ? {} : JSON.parse(event.data);
			if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as IDataObject;
		} catch {
			data = undefined;
		}

		const explicit = event.id !== undefined && event.id !== '' ? Number(event.id) : NaN;
		const seq = Number.isFinite(explicit)
			? explicit
			: typeof data?.sequence_number === 'number'
				? data.sequence_number
				: this.ordinal;
		this.ordinal = seq + 1;
		if (seq <= this.lastSeq) return 'duplicate';

		const isDelta = event.event === 'text.delta';
		const known = isDelta || KNOWN_EVENTS.has(event.event);
		if (known && !data) {
			throw new MalformedEventError(event, 'its data is not a JSON object');
		}
		this.lastSeq = seq;
		this.eventCount++;
		if (this.rawEvents) {
			this.rawEvents.push({ id: seq, event: event.event, data: data ?? event.data });
		}
		if (!known || !data) return 'continue';
		// the hot path of a long answer
		if (isDelta) {
			const delta = this.requireString(event, data, 'content');
			this.textParts.push(delta);
			onText?.(delta);
			return 'continue';
		}
		return this.applyKnown(event, data, seq, onText);
	}

	private requireString(event: SseEvent, data: IDataObject, field: string): string {
		const value = data[field];
		if (typeof value !== 'string') {
			throw new MalformedEventError(event, `the "${field}" field is missing or not a string`);
		}
		return value;
	}

	private applyKnown(
		event: SseEvent,
		data: IDataObject,
		seq: number,
		onText?: (delta: string) => void,
	): EventOutcome {
		switch (event.event) {
			case 'message.created':
			case 'response.created': {
				const nested = data.response as IDataObject | undefined;
				const id = data.id ?? nested?.id;
				if (typeof id === 'string') this.responseId = id;
				if (typeof data.session_id === 'string') this.sessionId = data.session_id;
				return 'continue';
			}
			case 'response.output_text.delta': {
				const delta = this.requireString(event, data, 'delta');
				this.textParts.push(delta);
				onText?.(delta);
				return 'continue';
			}
			case 'thinking.delta':
				this.thinkingParts.push(this.requireString(event, data, 'content'));
				return 'continue';
			case 'response.reasoning_summary_text.delta':
			case 'response.reasoning_text.delta':
				this.thinkingParts.push(this.requireString(event, data, 'delta'));
				return 'continue';
			case 'tool_use.start': {
				const id = this.requireString(event, data, 'id');
				this.toolUses.push({ id, name: typeof data.name === 'string' ? data.name : '', input: {} });
				return 'continue';
			}
			case 'tool_use.input_delta': {
				const current = this.toolUses[this.toolUses.length - 1];
				// the input arrives as pieces of JSON text: gathered here, parsed once in toJson()
				if (current) {
					this.toolInputText.set(current.id, (this.toolInputText.get(current.id) ?? '') + this.requireString(event, data, 'content'));
				}
				return 'continue';
			}
			case 'tool_use.executing': {
				const id = this.requireString(event, data, 'id');
				let use = this.toolUses.find((t) => t.id === id);
				if (!use) {
					use = { id, name: '', input: {} };
					this.toolUses.push(use);
				}
				if (typeof data.name === 'string') use.name = data.name;
				if (data.input !== undefined) {
					use.input = parseArguments(data.input);
					this.toolInputText.delete(id);
				}
				return 'continue';
			}
			case 'tool_result': {
				const id = this.requireString(event, data, 'id');
				let use = this.toolUses.find((t) => t.id === id);
				if (!use) {
					use = { id, name: '', input: {} };
					this.toolUses.push(use);
				}
				use.result = data.content;
				use.is_error = data.is_error === true;
				return 'continue';
			}
			case 'tool_call.requested': {
				const callId = data.call_id ?? data.id;
				if (typeof callId !== 'string') {
					throw new MalformedEventError(event, 'the "call_id" field is missing');
				}
				if (seq <= (this.answered.upTo ?? -1) || this.answered.callIds?.includes(callId)) return 'continue';
				this.toolCall = {
					call_id: callId,
					name: typeof data.name === 'string' ? data.name : '',
					input: parseArguments(data.arguments),
					arguments_json: argumentsJson(data.arguments),
				};
				return 'tool_call';
			}
			default:
				break;
		}
		const terminal = TERMINAL[event.event];
		if (terminal) {
			this.status = terminal;
			if (data.usage && typeof data.usage === 'object') this.usage = data.usage as IDataObject;
			if (data.response && typeof data.response === 'object') {
				this.response = data.response as IDataObject;
				const usage = this.response.usage;
				if (usage && typeof usage === 'object') this.usage = usage as IDataObject;
			}
			if (terminal === 'error') {
				const err = data.error ?? data.message ?? (data.response as IDataObject | undefined)?.error;
				this.error =
					typeof err === 'string'
						? err
						: err && typeof err === 'object' && typeof (err as IDataObject).message === 'string'
							? ((err as IDataObject).message as string)
							: 'the agent reported an error without a message';
			}
			return 'terminal';
		}
		return 'continue';
	}

	/** The item a Send/Resume/Submit outputs. */
	toJson(): IDataObject {
		const out: IDataObject = {
			session_id: this.sessionId ?? null,
			response_id: this.responseId ?? null,
			status: this.status,
			text: this.text,
		};
		if (this.thinkingParts.length) out.thinking = this.thinkingParts.toString();
		out.tool_uses = this.toolUses.map((t) => {
			const text = this.toolInputText.get(t.id);
			return text === undefined ? { ...t } : { ...t, input: parseArguments(text) };
		}) as unknown as IDataObject[];
		out.usage = this.usage ?? null;
		if (this.status === 'tool_call_requested' && this.toolCall) {
			out.tool_call = { ...this.toolCall } as IDataObject;
			out.last_event_id = this.lastSeq;
		}
		if (this.error) out.error = this.error;
		if (this.rawEvents) out.events = this.rawEvents;
		return out;
	}
}
