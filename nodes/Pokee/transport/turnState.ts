import type { IDataObject } from 'n8n-workflow';

import type { SseEvent } from './sse';

export type TurnStatus =
	| 'in_progress'
	| 'completed'
	| 'error'
	| 'cancelled'
	| 'tool_call_requested'
	| 'replayed';

export interface ToolUse {
	id: string;
	name: string;
	input: unknown;
	result?: unknown;
	is_error?: boolean;
}

export interface ToolCall {
	call_id: string;
	name: string;
	arguments: unknown;
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
export type EventOutcome = 'duplicate' | 'continue' | 'terminal' | 'tool_call';

const TERMINAL: Record<string, TurnStatus> = {
	'message.completed': 'completed',
	'message.error': 'error',
	'message.cancelled': 'cancelled',
	'response.completed': 'completed',
	'response.failed': 'error',
	'response.cancelled': 'cancelled',
	error: 'error',
};

function parseArguments(value: unknown): unknown {
	if (typeof value !== 'string') return value ?? {};
	try {
		return JSON.parse(value);
	} catch {
		return value;
	}
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

	private readonly textParts: string[] = [];

	private readonly thinkingParts: string[] = [];

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
	newConnection(fromSeq: number): void {
		this.ordinal = fromSeq + 1;
	}

	get text(): string {
		return this.textParts.join('');
	}

	/** Applies one event; `onText` receives each new text delta (for streaming to a chat). */
	apply(event: SseEvent, onText?: (delta: string) => void): EventOutcome {
		let data: IDataObject | undefined;
		let dataIsObject = false;
		try {
			const parsed: unknown = event.data === '' ? {} : JSON.parse(event.data);
			if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
				data = parsed as IDataObject;
				dataIsObject = true;
			}
		} catch {
			data = undefined;
		}

		const explicit = event.id !== undefined && event.id !== '' ? Number(event.id) : undefined;
		const fromData = typeof data?.sequence_number === 'number' ? data.sequence_number : undefined;
		const seq = explicit !== undefined && Number.isFinite(explicit) ? explicit : (fromData ?? this.ordinal);
		this.ordinal = seq + 1;
		if (seq <= this.lastSeq) return 'duplicate';

		const known = this.isKnown(event.event);
		if (known && !dataIsObject) {
			throw new MalformedEventError(event, 'its data is not a JSON object');
		}
		this.lastSeq = seq;
		this.eventCount++;
		if (this.rawEvents) {
			this.rawEvents.push({ id: seq, event: event.event, data: data ?? event.data });
		}
		if (!known || !data) return 'continue';
		return this.applyKnown(event, data, seq, onText);
	}

	private isKnown(type: string): boolean {
		return (
			type in TERMINAL ||
			type === 'message.created' ||
			type.startsWith('text.') ||
			type.startsWith('thinking.') ||
			type.startsWith('tool_use.') ||
			type === 'tool_result' ||
			type === 'tool_call.requested' ||
			type === 'response.created' ||
			type === 'response.output_text.delta' ||
			type === 'response.reasoning_summary_text.delta' ||
			type === 'response.reasoning_text.delta'
		);
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
			case 'text.delta': {
				const delta = this.requireString(event, data, 'content');
				this.textParts.push(delta);
				onText?.(delta);
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
				if (current) {
					const text = (this.toolInputText.get(current.id) ?? '') + this.requireString(event, data, 'content');
					this.toolInputText.set(current.id, text);
					current.input = parseArguments(text);
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
				if (data.input !== undefined) use.input = parseArguments(data.input);
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
					arguments: parseArguments(data.arguments),
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
		if (this.thinkingParts.length) out.thinking = this.thinkingParts.join('');
		out.tool_uses = this.toolUses.map((t) => ({ ...t })) as unknown as IDataObject[];
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
