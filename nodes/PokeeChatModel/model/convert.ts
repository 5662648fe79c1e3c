import type { FinishReason, Message, MessageContent, TokenUsage } from '@n8n/ai-node-sdk';
import type { IDataObject } from 'n8n-workflow';

import { argumentsJson } from '../../Pokee/transport/turnState';

/**
 * Conversions between n8n's AI SDK shapes and Pokee's OpenAI Responses-compatible
 * POST /v1/responses (POKEE.md §14). Pure functions with type-only SDK imports, so this file
 * loads on an n8n without the SDK.
 */

/** A Responses input item: a message, a function_call or a function_call_output. */
export type InputItem = IDataObject;

/** Why the conversation cannot be sent (files: this model sends text only), or undefined. */
export function unsupportedContent(messages: Message[]): string | undefined {
	for (const message of messages) {
		const files = message.content.filter((part) => part.type === 'file').length;
		if (files) return `a ${message.role} message carries ${files} file(s); the Pokee Chat Model sends text only`;
	}
	return undefined;
}

function textOf(content: MessageContent[]): string {
	return content
		.filter((part): part is Extract<MessageContent, { type: 'text' }> => part.type === 'text')
		.map((part) => part.text)
		.join('');
}

/** A tool's result as the text of a function_call_output (the API takes a string). */
function resultText(result: unknown): string {
	if (typeof result === 'string') return result;
	if (Array.isArray(result)) {
		// content blocks (the SDK's or LangChain's): their text, else the JSON
		const texts = result.map((part) => (part && typeof part === 'object' && typeof part.text === 'string' ? part.text : undefined));
		if (texts.every((t) => t !== undefined)) return texts.join('');
	}
	return JSON.stringify(result ?? null);
}

/** The conversation as Responses input items, in order. */
export function toInputItems(messages: Message[]): InputItem[] {
	const items: InputItem[] = [];
	for (const message of messages) {
		switch (message.role) {
			case 'system':
			case 'user': {
				items.push({ role: message.role, content: textOf(message.content) });
				break;
			}
			case 'assistant': {
				const text = textOf(message.content);
				if (text !== '') items.push({ role: 'assistant', content: text });
				for (const part of message.content) {
					if (part.type !== 'tool-call') continue;
					items.push({
						type: 'function_call',
						call_id: part.toolCallId ?? '',
						name: part.toolName,
						arguments: part.input,
					});
				}
				break;
			}
			case 'tool': {
				for (const part of message.content) {
					if (part.type !== 'tool-result') continue;
					items.push({ type: 'function_call_output', call_id: part.toolCallId, output: resultText(part.result) });
				}
				break;
			}
			default:
				break;
		}
	}
	return items;
}

/** Pokee's own usage object as the SDK's TokenUsage (the figures n8n shows in run data). */
export function toTokenUsage(usage: unknown): TokenUsage | undefined {
	if (!usage || typeof usage !== 'object') return undefined;
	const u = usage as IDataObject;
	const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
	const promptTokens = num(u.input_tokens ?? u.prompt_tokens);
	const completionTokens = num(u.output_tokens ?? u.completion_tokens);
	const out: TokenUsage = {
		promptTokens,
		completionTokens,
		totalTokens: typeof u.total_tokens === 'number' ? u.total_tokens : promptTokens + completionTokens,
	};
	const cached = (u.input_tokens_details as IDataObject | undefined)?.cached_tokens;
	if (typeof cached === 'number') out.inputTokenDetails = { cacheRead: cached };
	const reasoning = (u.output_tokens_details as IDataObject | undefined)?.reasoning_tokens;
	if (typeof reasoning === 'number') out.outputTokenDetails = { reasoning };
	return out;
}

/** One function call of a response. */
export interface FunctionCall {
	callId: string;
	name: string;
	arguments: string;
}

/** The function calls of a finished response's `output`. */
export function functionCallsOf(response: IDataObject | undefined): FunctionCall[] {
	const output = Array.isArray(response?.output) ? (response.output as IDataObject[]) : [];
	return output
		.filter((item) => item && item.type === 'function_call')
		.map((item) => ({
			callId: String(item.call_id ?? item.id ?? ''),
			name: String(item.name ?? ''),
			arguments: argumentsJson(item.arguments),
		}));
}

/** The reasoning summary text of a finished response, if it has one. */
export function reasoningTextOf(response: IDataObject | undefined): string {
	const output = Array.isArray(response?.output) ? (response.output as IDataObject[]) : [];
	return output
		.filter((item) => item && item.type === 'reasoning')
		.flatMap((item) => [
			...(Array.isArray(item.summary) ? (item.summary as IDataObject[]) : []),
			...(Array.isArray(item.content) ? (item.content as IDataObject[]) : []),
		])
		.map((part) => (part && typeof part.text === 'string' ? part.text : ''))
		.join('');
}

/** Why the response ended, in the SDK's terms. */
export function finishReasonOf(response: IDataObject | undefined, calls: FunctionCall[]): FinishReason {
	if (calls.length) return 'tool-calls';
	const reason = (response?.incomplete_details as IDataObject | undefined)?.reason;
	if (response?.status === 'incomplete') return reason === 'content_filter' ? 'content-filter' : 'length';
	return 'stop';
}
