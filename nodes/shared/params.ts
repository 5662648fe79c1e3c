import type { IDataObject, INode, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** The `show` part of a parameter's displayOptions. */
export type Show = NonNullable<NonNullable<INodeProperties['displayOptions']>['show']>;

/**
 * Checks for user input. Each throws a NodeOperationError that names the field and the item,
 * so bad input is reported before any request is sent.
 */

export function inputError(
	node: INode,
	field: string,
	itemIndex: number | undefined,
	problem: string,
	description?: string,
) {
	// a trigger's parameters belong to no item
	const where = itemIndex === undefined ? '' : ` (item ${itemIndex})`;
	return new NodeOperationError(node, `${field} ${problem}${where}`, { itemIndex, description });
}

export function requireText(node: INode, value: unknown, field: string, itemIndex: number): string {
	if (typeof value !== 'string' && typeof value !== 'number') {
		throw inputError(node, field, itemIndex, 'is required');
	}
	const text = String(value);
	if (text.trim() === '') throw inputError(node, field, itemIndex, 'must not be empty');
	return text;
}

/** Parses a JSON parameter that must be an object. Accepts an already-parsed object too. */
export function parseJsonObject(
	node: INode,
	value: unknown,
	field: string,
	itemIndex: number,
	{ allowEmpty = true }: { allowEmpty?: boolean } = {},
): IDataObject {
	let parsed: unknown = value;
	if (typeof value === 'string') {
		if (value.trim() === '') {
			if (allowEmpty) return {};
			throw inputError(node, field, itemIndex, 'must not be empty');
		}
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw inputError(node, field, itemIndex, 'is not valid JSON', (error as Error).message);
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw inputError(node, field, itemIndex, 'must be a JSON object', 'Use the form {"key": "value"}.');
	}
	return parsed as IDataObject;
}

/** Parses a JSON parameter that must be an array (of objects unless `anyItems`). */
export function parseJsonArray(node: INode, value: unknown, field: string, itemIndex: number): IDataObject[] {
	let parsed: unknown = value;
	if (typeof value === 'string') {
		if (value.trim() === '') return [];
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw inputError(node, field, itemIndex, 'is not valid JSON', (error as Error).message);
		}
	}
	if (!Array.isArray(parsed)) {
		throw inputError(node, field, itemIndex, 'must be a JSON array', 'Use the form [{...}, {...}].');
	}
	parsed.forEach((entry, position) => {
		if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
			throw inputError(node, field, itemIndex, `must hold JSON objects (entry ${position} is not one)`);
		}
	});
	return parsed as IDataObject[];
}

/** A whole number of 1 or more; with `max` (fields that feed a timer) also at most that. */
export function positiveInteger(node: INode, value: unknown, field: string, itemIndex: number, max?: number): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0) {
		throw inputError(node, field, itemIndex, 'must be a positive whole number');
	}
	if (max !== undefined && number > max) {
		throw inputError(node, field, itemIndex, `must be at most ${max}`);
	}
	return number;
}

/**
 * Upper bounds of the duration fields, in seconds. Node's timers take at most 2^31-1 ms (~24.8
 * days): beyond that a timer fires at once or throws, so every duration is bounded well below.
 */
export const MAX_SECONDS = {
	/** The API ends a turn after 90 minutes. */
	turn: 5400,
	/** Session → Wait Until Idle: its poll interval and how long it may wait in all. */
	pollInterval: 3600,
	idleWait: 86_400,
};

/** A comma-separated list: its entries trimmed, empty ones dropped. */
export function splitList(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
}

/**
 * An object's own value for a key, never an inherited one: metadata keys such as "constructor"
 * or "__proto__" must not match members every object has.
 */
export function ownValue(object: unknown, key: string): unknown {
	return object !== null && typeof object === 'object' && Object.hasOwn(object, key)
		? (object as Record<string, unknown>)[key]
		: undefined;
}

/** displayOptions conditions for parameters of the node versions before 2, and from 2 on. */
export const V1_ONLY = { '@version': [1] };
export const FROM_V2 = { '@version': [{ _cnd: { gte: 2 } }] };

/** The node version of the running node: parameters and outputs of 0.1.0's workflows stay at 1. */
export function nodeVersion(node: INode): number {
	return node.typeVersion ?? 1;
}

/** Return All and Limit of a Get Many operation; `show` scopes both (e.g. to a node version). */
export function returnAllFields(show: Show = {}): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show },
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { ...show, returnAll: [false] } },
		},
	];
}

/** How many results a Get Many returns: every one with Return All, else its checked Limit. */
export function resultLimit(node: INode, returnAll: unknown, limit: unknown, itemIndex: number): number {
	return returnAll === true ? Infinity : positiveInteger(node, limit, 'Limit', itemIndex);
}
