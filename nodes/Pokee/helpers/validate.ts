import type { IDataObject, INode } from 'n8n-workflow';

import { inputError, parseJsonArray } from '../../shared/params';

function hasControlCharacters(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x20 || code === 0x7f) return true;
	}
	return false;
}

/** Workspace-relative file path: no leading slash, no "..", no backslash or control characters. */
export function checkFilePath(
	node: INode,
	value: unknown,
	field: string,
	itemIndex: number | undefined,
	{ allowEmpty = false } = {},
): string {
	const path = typeof value === 'string' ? value.trim() : '';
	if (path === '') {
		if (allowEmpty) return '';
		throw inputError(node, field, itemIndex, 'must not be empty');
	}
	if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) {
		throw inputError(node, field, itemIndex, 'must be relative to the workspace (no leading "/")', `Got "${path}".`);
	}
	if (path.includes('\\') || hasControlCharacters(path)) {
		throw inputError(node, field, itemIndex, 'must not contain backslashes or control characters');
	}
	const segments = path.replace(/\/+$/, '').split('/');
	if (segments.some((s) => s === '..')) {
		throw inputError(node, field, itemIndex, 'must not contain ".." segments');
	}
	if (segments.some((s) => s === '' || s === '.')) {
		throw inputError(node, field, itemIndex, 'must not contain empty or "." segments', `Got "${path}".`);
	}
	return segments.join('/');
}

const SKILL_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function checkSkillName(node: INode, value: unknown, itemIndex: number): string {
	const name = typeof value === 'string' ? value.trim() : '';
	if (!SKILL_NAME.test(name)) {
		throw inputError(
			node,
			'Skill Name',
			itemIndex,
			'must be 1–64 characters of a-z, 0-9, "_" or "-", starting with a letter or digit',
			`Got "${name}".`,
		);
	}
	if (name.startsWith('custom-')) {
		throw inputError(node, 'Skill Name', itemIndex, 'must not start with the reserved prefix "custom-"');
	}
	return name;
}

/** A duration such as 90s, 2h or 1h30m (units h, m, s, in that order). */
export function checkDuration(node: INode, value: unknown, field: string, itemIndex: number): string {
	const text = typeof value === 'string' ? value.trim() : '';
	if (!/^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/.test(text)) {
		throw inputError(node, field, itemIndex, 'must be a duration such as 90s, 2h or 1h30m', `Got "${text}".`);
	}
	return text;
}

/**
 * Why a value cannot be one segment of a URL path, or undefined when it can. Percent-encoding
 * does not protect "." and "..": URL normalisation removes them (`/v1/sessions/..` becomes
 * `/v1/`), and a server that decodes once more would see "%2e" as "." and "%2F" as "/".
 */
export function unsafeSegment(value: string): string | undefined {
	if (value === '') return 'must not be empty';
	if (hasControlCharacters(value)) return 'must not contain control characters';
	let decoded = value;
	// a few rounds cover double encoding (%252e); malformed escapes are left as they are
	for (let round = 0; round < 3; round++) {
		let next: string;
		try {
			next = decodeURIComponent(decoded);
		} catch {
			break;
		}
		if (next === decoded) break;
		decoded = next;
	}
	for (const form of [value, decoded]) {
		if (form === '.' || form === '..') return 'must not be "." or ".." (or their percent-encoded forms)';
		if (form.includes('/') || form.includes('\\')) return 'must not contain "/" or "\\"';
	}
	return undefined;
}

/** An id used in a URL path: non-empty text, one whole segment. It is percent-encoded when used. */
export function checkId(node: INode, value: unknown, field: string, itemIndex: number): string {
	const id = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	const problem = unsafeSegment(id);
	if (problem) throw inputError(node, field, itemIndex, problem, `Got "${id.slice(0, 100)}".`);
	return id;
}

/**
 * Matches a file name against a pattern (* any run, ? one character, neither crossing "/") in
 * time linear in their lengths times the pattern's: no backtracking regex, so a hostile pattern
 * (e.g. *a*a*a*a*b from webhook data) cannot hang a worker.
 */
export function globMatch(pattern: string, name: string): boolean {
	let p = 0;
	let n = 0;
	// where the last * was, and the name position its run would next extend to
	let star = -1;
	let resume = 0;
	while (n < name.length) {
		const ch = pattern[p];
		if (p < pattern.length && ch !== '*' && (ch === '?' ? name[n] !== '/' : ch === name[n])) {
			p++;
			n++;
		} else if (ch === '*') {
			star = p++;
			resume = n;
		} else if (star >= 0 && name[resume] !== '/') {
			// let the last * take one more character; an earlier * never needs to (greedy is enough
			// for patterns whose only wildcards are * and ?)
			p = star + 1;
			n = ++resume;
		} else {
			return false;
		}
	}
	while (pattern[p] === '*') p++;
	return p === pattern.length;
}

/** An optional event number: empty, or a whole number of 0 or more. */
export function checkEventId(node: INode, raw: unknown, field: string, itemIndex: number): number | undefined {
	if (raw === '' || raw === undefined || raw === null) return undefined;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 0) throw inputError(node, field, itemIndex, 'must be a whole number of 0 or more');
	return value;
}

/** Checks tool definitions (flat or nested function shape, at most 128, names up to 64 chars). */
export function checkTools(node: INode, value: unknown, field: string, itemIndex: number): IDataObject[] {
	const tools = parseJsonArray(node, value, field, itemIndex);
	if (tools.length > 128) throw inputError(node, field, itemIndex, 'may hold at most 128 tools');
	tools.forEach((tool, position) => {
		const fn = (tool.function as IDataObject | undefined) ?? tool;
		if (typeof fn.name !== 'string' || fn.name === '' || fn.name.length > 64) {
			throw inputError(node, field, itemIndex, `entry ${position} needs a "name" of 1–64 characters`);
		}
	});
	return tools;
}
