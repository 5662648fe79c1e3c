import type {
	ChatModelConfig,
	GenerateResult,
	Message,
	MessageContent,
	StreamChunk,
	Tool,
} from '@n8n/ai-node-sdk';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { attemptKey, rememberFailedTurn } from '../../Pokee/actions/message/finish';
import { keyHash } from '../../Pokee/actions/message/turnOptions';
import type { ApiEnv } from '../../shared/http';
import { executionCancelSignal } from '../../shared/compat';
import { outputTextOf } from '../../Pokee/transport/turnState';
import {
	finishReasonOf,
	functionCallsOf,
	reasoningTextOf,
	toInputItems,
	toTokenUsage,
	unsupportedContent,
} from './convert';
import { responseEndedWithoutAnswer, runResponse } from './stream';
import type { ResponseCall } from './stream';

type Sdk = typeof import('@n8n/ai-node-sdk');

/** The node's settings, fixed when the model is supplied. */
export interface PokeeModelSettings {
	model: string;
	reasoningEffort: string;
	temperature?: number;
	maxOutputTokens?: number;
	timeoutSeconds: number;
}

/** What the model needs from the node that supplies it. */
export interface PokeeModelDeps {
	ctx: IExecuteFunctions;
	env: ApiEnv;
	settings: PokeeModelSettings;
}

/** The call options the SDK's adapter passes on (LangChain's call options among them). */
type CallConfig = ChatModelConfig & { signal?: AbortSignal };

/**
 * The Pokee Chat Model class, built on the SDK's BaseChatModel. It is made by a function because
 * the SDK is only loaded when a workflow asks for the model (n8n before 2.16 has none).
 */
export function pokeeChatModelClass(sdk: Sdk) {
	return class PokeeChatModel extends sdk.BaseChatModel<CallConfig> {
		/** Completed calls per request body: the n-th identical call gets the n-th key (shared by withTools copies). */
		private readonly completed = new Map<string, number>();

		/** What every key of this model starts from: execution, node and run (fixed for the supplied model). */
		private readonly keyScope: unknown[];

		constructor(private readonly deps: PokeeModelDeps) {
			super('pokee', deps.settings.model || 'pokee-isaac-high-reasoning');
			const { ctx } = deps;
			const runIndex = (ctx as unknown as { runIndex?: number }).runIndex ?? 0;
			this.keyScope = [ctx.getExecutionId(), ctx.getNode().id, runIndex, 'chat-model'];
		}

		/** The JSON body of one call: the conversation, the tools and the node's settings. */
		private requestBody(messages: Message[]): IDataObject {
			const { settings } = this.deps;
			const problem = unsupportedContent(messages);
			if (problem) {
				throw new NodeOperationError(this.deps.ctx.getNode(), `Pokee Chat Model: ${problem}`, {
					description: 'Remove the files or images from the prompt (for the AI Agent: turn off "Automatically Passthrough Binary Images").',
				});
			}
			const body: IDataObject = { model: this.modelId, input: toInputItems(messages), stream: true };
			const tools = this.tools.filter((tool) => tool.type === 'function').map((tool) => this.toolJson(tool));
			if (tools.length) body.tools = tools;
			// sent as given: "minimal" is Pokee's "thinking off", and a server default may differ
			if (settings.reasoningEffort) body.reasoning = { effort: settings.reasoningEffort };
			if (settings.temperature !== undefined) body.temperature = settings.temperature;
			if (settings.maxOutputTokens !== undefined) body.max_output_tokens = settings.maxOutputTokens;
			return body;
		}

		private toolJson(tool: Tool): IDataObject {
			const parameters = sdk.getParametersJsonSchema(tool as Parameters<Sdk['getParametersJsonSchema']>[0]);
			return {
				type: 'function',
				name: tool.name,
				...(tool.type === 'function' && tool.description ? { description: tool.description } : {}),
				parameters: (parameters ?? { type: 'object', properties: {} }) as IDataObject,
			};
		}

		/**
		 * The Idempotency-Key of a call: execution, node, run, the body, and how many identical
		 * calls this model already completed. A retry of a call whose answer was lost (also n8n's
		 * Retry On Fail, which supplies a fresh model) sends the same key and replays instead of
		 * billing again; after a response that ended without an answer, the next attempt gets a
		 * new key (as Message → Send does), or it would only get the failure back.
		 */
		private keyFor(body: IDataObject): { key: string; derived: string; bodyHash: string } {
			const bodyHash = keyHash([JSON.stringify(body)]);
			const nth = this.completed.get(bodyHash) ?? 0;
			const derived = `n8n-${keyHash([...this.keyScope, bodyHash, nth])}`;
			return { key: attemptKey(derived), derived, bodyHash };
		}

		private signalFor(config?: CallConfig): AbortSignal {
			const signals = [AbortSignal.timeout(this.deps.settings.timeoutSeconds * 1000)];
			const callSignal = config?.abortSignal ?? config?.signal;
			if (callSignal) signals.push(callSignal);
			const execution = executionCancelSignal(this.deps.ctx);
			if (execution) signals.push(execution);
			return AbortSignal.any(signals);
		}

		private async call(
			messages: Message[],
			config: CallConfig | undefined,
			handlers: Pick<ResponseCall, 'onTextDelta' | 'onReasoningDelta' | 'onPause'> = {},
		) {
			const body = this.requestBody(messages);
			const { key, derived, bodyHash } = this.keyFor(body);
			const result = await runResponse({
				ctx: this.deps.ctx,
				env: this.deps.env,
				body,
				idempotencyKey: key,
				signal: this.signalFor(config),
				timeoutSeconds: this.deps.settings.timeoutSeconds,
				...handlers,
			}).catch((error: unknown) => {
				if (responseEndedWithoutAnswer(error)) rememberFailedTurn(derived);
				throw error;
			});
			this.completed.set(bodyHash, (this.completed.get(bodyHash) ?? 0) + 1);
			return result;
		}

		async generate(messages: Message[], config?: CallConfig): Promise<GenerateResult> {
			let text = '';
			let reasoning = '';
			const result = await this.call(messages, config, {
				onTextDelta: (delta) => (text += delta),
				onReasoningDelta: (delta) => (reasoning += delta),
			});
			const { response } = result;
			const calls = functionCallsOf(response);
			const content: MessageContent[] = [];
			const answer = text || outputTextOf(response);
			if (answer !== '') content.push({ type: 'text', text: answer });
			for (const c of calls) {
				content.push({ type: 'tool-call', toolCallId: c.callId, toolName: c.name, input: c.arguments });
			}
			const thinking = reasoning || reasoningTextOf(response);
			return {
				id: result.responseId,
				finishReason: finishReasonOf(response, calls),
				usage: toTokenUsage(response.usage),
				message: { role: 'assistant', content, id: result.responseId },
				providerMetadata: {
					response_id: result.responseId,
					...(thinking ? { reasoning: thinking } : {}),
					...(result.resumes ? { resumes: result.resumes } : {}),
				},
			};
		}

		async *stream(messages: Message[], config?: CallConfig): AsyncIterable<StreamChunk> {
			// the request runs on its own; its events reach the consumer through this queue
			const queue: StreamChunk[] = [];
			let wake: (() => void) | undefined;
			const push = (chunk: StreamChunk) => {
				queue.push(chunk);
				wake?.();
			};
			const stop = new AbortController();
			let outcome: { failed: unknown } | { done: true } | undefined;
			/**
			 * The first text is handed to the consumer before the rest of its chunk is parsed (on a
			 * fast link that chunk can hold the whole answer); reading goes on when the consumer
			 * asks for more.
			 */
			let resumeReading: (() => void) | undefined;
			const signals = config?.abortSignal ?? config?.signal;
			const running = this.call(
				messages,
				{ ...config, abortSignal: signals ? AbortSignal.any([signals, stop.signal]) : stop.signal },
				{
					onTextDelta: (delta) => push({ type: 'text-delta', delta }),
					onReasoningDelta: (delta) => push({ type: 'reasoning-delta', delta }),
					onPause: (resume) => (resumeReading = resume),
				},
			).then(
				(result) => {
					const calls = functionCallsOf(result.response);
					for (const c of calls) {
						push({ type: 'tool-call-delta', id: c.callId, name: c.name, argumentsDelta: c.arguments });
					}
					push({ type: 'finish', finishReason: finishReasonOf(result.response, calls), usage: toTokenUsage(result.response.usage) });
					outcome = { done: true };
					wake?.();
				},
				(error: unknown) => {
					outcome = { failed: error };
					wake?.();
				},
			);
			try {
				for (;;) {
					const next = queue.shift();
					if (next) {
						yield next;
						continue;
					}
					if (resumeReading) {
						const resume = resumeReading;
						resumeReading = undefined;
						resume();
						continue;
					}
					if (outcome && 'failed' in outcome) throw outcome.failed;
					if (outcome) return;
					await new Promise<void>((resolve) => (wake = resolve));
					wake = undefined;
				}
			} finally {
				// the consumer stopped early: stop (and cancel) the response too
				if (!outcome) stop.abort();
				await running;
			}
		}
	};
}
