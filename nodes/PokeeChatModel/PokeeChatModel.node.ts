import type {
	IExecuteFunctions,
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { reasoningEffortField } from '../Pokee/helpers/reasoning';
import { pokeeProfile } from '../Pokee/transport';
import { readApiCredential } from '../shared/http';
import { MAX_SECONDS, positiveInteger } from '../shared/params';
import type { PokeeModelSettings } from './model/chatModel';
import { pokeeChatModelClass } from './model/chatModel';

/** The first n8n that ships @n8n/ai-node-sdk (which this node is built on). */
const SDK_SINCE = '2.16';

export class PokeeChatModel implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Pokee Chat Model',
		name: 'pokeeChatModel',
		icon: { light: 'file:../Pokee/pokee.svg', dark: 'file:../Pokee/pokee.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["model"] === "custom" ? $parameter["customModel"] : $parameter["model"]}}',
		description: "Pokee's models as the chat model of the AI Agent and the other AI root nodes",
		defaults: { name: 'Pokee Chat Model' },
		inputs: [],
		outputs: [NodeConnectionTypes.AiLanguageModel],
		outputNames: ['Model'],
		credentials: [{ name: 'pokeeApi', required: true }],
		properties: [
			{
				displayName: 'Model',
				name: 'model',
				type: 'options',
				default: 'pokee-isaac-high-reasoning',
				options: [
					{ name: 'Pokee Isaac', value: 'pokee-isaac', description: 'Faster and cheaper' },
					{ name: 'Pokee Isaac High Reasoning', value: 'pokee-isaac-high-reasoning', description: 'The default for new tenants' },
					{ name: 'Other (Enter Name)', value: 'custom', description: 'A model your tenant has under another name' },
				],
				description: 'The model that answers (Pokee has no model list: pick one or enter the name your tenant has)',
			},
			{
				displayName: 'Model Name',
				name: 'customModel',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'e.g. gpt-5.5',
				displayOptions: { show: { model: ['custom'] } },
			},
			reasoningEffortField(
				'How much the model thinks before it answers; Low to High turn extended thinking on (slower, more output tokens)',
			),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Maximum Output Tokens',
						name: 'maxOutputTokens',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 4096,
						description: 'The most tokens the answer (with its reasoning) may use',
					},
					{
						displayName: 'Temperature',
						name: 'temperature',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
						default: 0.7,
						description: 'Randomness of the answer: lower is more focused, higher more varied',
					},
					{
						displayName: 'Timeout (Seconds)',
						name: 'timeout',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: MAX_SECONDS.turn },
						default: 600,
						description: 'How long one model call may take, resumes included; after it the answer is cancelled on the server',
					},
				],
			},
		],
	};

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		const node = this.getNode();
		// loaded here, not at the top: a missing module at load time would make n8n drop the
		// whole package, and n8n before 2.16 has no SDK
		let sdk: typeof import('@n8n/ai-node-sdk');
		try {
			sdk = await import('@n8n/ai-node-sdk');
		} catch {
			throw new NodeOperationError(node, `The Pokee Chat Model needs n8n ${SDK_SINCE} or later`, {
				itemIndex,
				description: `It is built on n8n's AI node SDK (@n8n/ai-node-sdk), which n8n ships from version ${SDK_SINCE} on. Update n8n to use it; the package's other nodes work on this n8n.`,
			});
		}
		const modelChoice = this.getNodeParameter('model', itemIndex) as string;
		const model =
			modelChoice === 'custom' ? String(this.getNodeParameter('customModel', itemIndex, '') ?? '').trim() : modelChoice;
		if (!model) {
			throw new NodeOperationError(node, `Model Name is empty (item ${itemIndex})`, {
				itemIndex,
				description: 'Enter the name of a model your Pokee tenant has, or pick one from the Model list.',
			});
		}
		const options = this.getNodeParameter('options', itemIndex, {}) as {
			maxOutputTokens?: number;
			temperature?: number;
			timeout?: number;
		};
		const settings: PokeeModelSettings = {
			model,
			reasoningEffort: this.getNodeParameter('reasoningEffort', itemIndex, 'minimal') as string,
			temperature: options.temperature,
			maxOutputTokens: options.maxOutputTokens,
			// bounded: a timer past 2^31 ms fires at once, which would cancel every answer as it starts
			timeoutSeconds: positiveInteger(node, options.timeout ?? 600, 'Timeout', itemIndex, MAX_SECONDS.turn),
		};
		// the request helpers are the same on a supply context; the shared transport is typed for execute contexts
		const ctx = this as unknown as IExecuteFunctions;
		const env = await readApiCredential(ctx, pokeeProfile);
		const PokeeModel = pokeeChatModelClass(sdk);
		return sdk.supplyModel(this, new PokeeModel({ ctx, env, settings }));
	}
}
