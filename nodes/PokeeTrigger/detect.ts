import type { IDataObject } from 'n8n-workflow';

import { ownValue } from '../shared/params';

/**
 * Event detection for the Pokee Trigger, as pure functions of (stored state, session list):
 * no I/O here, so every rule is testable and the state stays small and serialisable.
 */

export type EventName = 'turnFinished' | 'metadataChanged' | 'sessionCreated' | 'sessionEnded';

export interface WatchConfig {
	event: EventName;
	/** Watched session ids; undefined = all sessions. */
	ids?: string[];
	/** Metadata keys to compare; empty = all keys. */
	keys: string[];
}

export interface SessionRecord extends IDataObject {
	id: string;
	busy?: boolean;
	created_at?: number;
	last_activity?: number;
	metadata?: IDataObject;
}

/** What is kept per session between polls. */
interface Seen {
	/** last_activity at the last poll */
	a: number;
	/** busy at the last poll */
	b: boolean;
	/**
	 * Busy sessions (Turn Finished): last_activity when last seen idle, i.e. no later than the start
	 * of the running turn; the turn's files are newer. Kept while busy, as last_activity may move.
	 */
	i?: number;
	/** watched metadata at the last poll (Metadata Changed only) */
	m?: IDataObject;
}

export interface PollState {
	/** What was watched (see watchKey): when it changes, the next poll records a new baseline. */
	watch: string;
	sessions: Record<string, Seen>;
}

export type TriggerEvent = IDataObject & { event: EventName; session_id: string };

function activity(s: SessionRecord): number {
	const value = Number(s.last_activity ?? s.created_at ?? 0);
	return Number.isFinite(value) ? value : 0;
}

/**
 * Event, session ids and keys: another watch makes the stored sessions meaningless (a session no
 * longer watched has not ended, a key newly watched has not changed), so it re-baselines.
 */
export function watchKey(config: WatchConfig): string {
	return JSON.stringify([config.event, config.ids ? [...config.ids].sort() : null, [...config.keys].sort()]);
}

/**
 * Lower bound of the start of the session's running or last turn: last_activity when it was last
 * seen idle, or its creation when it was not seen before.
 */
function turnStart(before: Seen | undefined, s: SessionRecord): number {
	return before ? (before.i ?? before.a) : Number(s.created_at ?? 0);
}

/** Whether a session has been active after its creation, i.e. has had a turn. */
function hadTurn(s: SessionRecord): boolean {
	return activity(s) > Number(s.created_at ?? activity(s));
}

function watchedMetadata(config: WatchConfig, s: SessionRecord): IDataObject {
	const metadata = (s.metadata && typeof s.metadata === 'object' ? s.metadata : {}) as IDataObject;
	if (!config.keys.length) return { ...metadata };
	const out: IDataObject = {};
	for (const key of config.keys) if (Object.hasOwn(metadata, key)) setOwn(out, key, metadata[key]);
	return out;
}

/**
 * Sets a key as an own property, even "__proto__" (plain assignment would change the object's
 * prototype instead). Keys are session IDs and metadata keys, which come from the API.
 */
function setOwn<T>(object: Record<string, T>, key: string, value: T): void {
	Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The stored record of a session, never an inherited member ("constructor" is no session). */
function seenOf(state: PollState, id: string): Seen | undefined {
	return ownValue(state.sessions, id) as Seen | undefined;
}

/** The state to store after this poll; `previous` is the stored state of the same watch, if any. */
export function snapshot(config: WatchConfig, sessions: SessionRecord[], previous?: PollState): PollState {
	const state: PollState = { watch: watchKey(config), sessions: {} };
	for (const s of sessions) {
		const id = String(s.id);
		const seen: Seen = { a: activity(s), b: s.busy === true };
		if (config.event === 'metadataChanged') seen.m = watchedMetadata(config, s);
		if (config.event === 'turnFinished' && seen.b) seen.i = turnStart(previous && seenOf(previous, id), s);
		setOwn(state.sessions, id, seen);
	}
	return state;
}

function sessionJson(event: EventName, s: SessionRecord, extra: IDataObject = {}): TriggerEvent {
	return {
		event,
		session_id: String(s.id),
		busy: s.busy === true,
		last_activity: s.last_activity ?? null,
		metadata: (s.metadata ?? {}) as IDataObject,
		...extra,
		session: s,
	};
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Events between the stored state and the current list, in list order. */
export function detectEvents(
	config: WatchConfig,
	previous: PollState,
	sessions: SessionRecord[],
	now: number,
): TriggerEvent[] {
	const events: TriggerEvent[] = [];
	const current = new Set<string>();
	for (const s of sessions) {
		const id = String(s.id);
		current.add(id);
		const before = seenOf(previous, id);
		switch (config.event) {
			case 'turnFinished': {
				if (s.busy === true) break;
				// Idle now, and either busy at the last poll or active since: busy alone would miss a
				// turn that started and finished between two polls, last_activity does not.
				// A session first seen now was created since the last poll: it finished a turn if it
				// has been active after its creation.
				const finished = before ? before.b || activity(s) > before.a : hadTurn(s);
				// previous_activity: the turn started after it, so files modified since are the turn's
				if (finished) events.push(sessionJson('turnFinished', s, { previous_activity: turnStart(before, s) }));
				break;
			}
			case 'metadataChanged': {
				const now_ = watchedMetadata(config, s);
				const old = before?.m ?? {};
				if (!before && Object.keys(now_).length === 0) break;
				const changes: IDataObject = {};
				for (const key of new Set([...Object.keys(old), ...Object.keys(now_)])) {
					const was = ownValue(old, key);
					const is = ownValue(now_, key);
					if (!same(was, is)) setOwn(changes, key, { old: was ?? null, new: is ?? null });
				}
				if (Object.keys(changes).length) events.push(sessionJson('metadataChanged', s, { changes }));
				break;
			}
			case 'sessionCreated':
				if (!before) events.push(sessionJson('sessionCreated', s));
				break;
			default:
				break;
		}
	}
	if (config.event === 'sessionEnded') {
		for (const [id, seen] of Object.entries(previous.sessions)) {
			if (!current.has(id)) {
				events.push({ event: 'sessionEnded', session_id: id, last_activity: seen.a, ended_by: now });
			}
		}
	}
	return events;
}

/** For "Fetch Test Event": the most recent session that fits the event. */
export function latestSample(config: WatchConfig, sessions: SessionRecord[]): TriggerEvent | undefined {
	let candidates = sessions.filter((s) => {
		if (config.event === 'turnFinished') return s.busy !== true;
		if (config.event === 'metadataChanged') return Object.keys(watchedMetadata(config, s)).length > 0;
		return true;
	});
	// Turn Finished: a session that has had a turn over a newer idle one
	if (config.event === 'turnFinished' && candidates.some(hadTurn)) candidates = candidates.filter(hadTurn);
	const latest = candidates.sort((x, y) =>
		config.event === 'sessionCreated' ? Number(y.created_at ?? 0) - Number(x.created_at ?? 0) : activity(y) - activity(x),
	)[0];
	if (!latest) return undefined;
	if (config.event === 'metadataChanged') {
		const changes: IDataObject = {};
		for (const [key, value] of Object.entries(watchedMetadata(config, latest))) setOwn(changes, key, { old: null, new: value });
		return sessionJson('metadataChanged', latest, { changes, sample: true });
	}
	if (config.event === 'sessionEnded') {
		return { event: 'sessionEnded', session_id: String(latest.id), last_activity: activity(latest), sample: true };
	}
	if (config.event === 'turnFinished') {
		return sessionJson('turnFinished', latest, { previous_activity: Number(latest.created_at ?? 0), sample: true });
	}
	return sessionJson(config.event, latest, { sample: true });
}
