import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ApiEnv } from './http';

/** What an operation returns for one input item: JSON object(s), or full items (e.g. with binary). */
export type ItemResult = IDataObject | IDataObject[] | INodeExecutionData | INodeExecutionData[];

/** One operation of a node: its parameters, what it does for one item, and how many items may run at once. */
export interface OperationModule {
	/** Its own parameters only: the resource file scopes them to the resource and operation. */
	description: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number, env: ApiEnv): Promise<ItemResult>;
	/** Items run at a time (read once, from the first item); 1 when absent. */
	concurrency?(ctx: IExecuteFunctions): number;
}

/** An entry of a resource's Operation list, with the module that runs it. */
export interface OperationEntry extends INodePropertyOptions {
	value: string;
	action: string;
	module: OperationModule;
}

export interface Resource {
	name: string;
	value: string;
	/** The modules by operation value: what the router looks up. */
	operations: Record<string, OperationModule>;
	/** The Operation parameter of the resource, then every operation's parameters, scoped to it. */
	description: INodeProperties[];
}

/**
 * A resource from its operation list: the one place an operation is named. The node's
 * parameters and the router both derive from it.
 */
export function defineResource(name: string, value: string, entries: OperationEntry[], defaultOperation = entries[0].value): Resource {
	const operations: Record<string, OperationModule> = {};
	const description: INodeProperties[] = [
		{
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: [value] } },
			options: entries.map(({ name, value, action, description }) => ({ name, value, action, description })),
			default: defaultOperation,
		},
	];
	for (const entry of entries) {
		operations[entry.value] = entry.module;
		description.push(...updateDisplayOptions({ show: { resource: [value], operation: [entry.value] } }, entry.module.description));
	}
	return { name, value, operations, description };
}

/** The Resource parameter of a node, listing its resources. */
export function resourceProperty(resources: Resource[], defaultResource: string): INodeProperties {
	return {
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: resources.map(({ name, value }) => ({ name, value })),
		default: defaultResource,
	};
}
