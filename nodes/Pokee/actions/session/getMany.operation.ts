import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { ownValue, parseJsonObject, positiveInteger } from '../../../shared/params';
import type { PokeeEnv } from '../../transport';
import { listSessions } from '../../transport';


export const description: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Filter',
		name: 'state',
		type: 'options',
		default: 'all',
		options: [
			{ name: 'All', value: 'all' },
			{ name: 'Busy', value: 'busy', description: 'Only sessions running a turn' },
			{ name: 'Idle', value: 'idle', description: 'Only sessions not running a turn' },
		],
	},
	{
		displayName: 'Metadata Filter (JSON)',
		name: 'metadataFilter',
		type: 'json',
		default: '{}',
		description:
			'Only sessions whose metadata has all these key/values. A Send with New Session and the Input Item idempotency scope marks its session with n8n_workflow_id, n8n_execution_id, n8n_node and n8n_turn_key: filter on your workflow\'s ID with Filter = Busy to find turns whose execution is gone.',
	},
];

/** Lists sessions (one item each). The API has no filters, so busy/idle is applied here. */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject[]> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : positiveInteger(this.getNode(), this.getNodeParameter('limit', itemIndex, 50), 'Limit', itemIndex);
	const state = this.getNodeParameter('state', itemIndex, 'all') as string;
	const wanted = Object.entries(
		parseJsonObject(this.getNode(), this.getNodeParameter('metadataFilter', itemIndex, '{}'), 'Metadata Filter', itemIndex),
	);
	const hasMetadata = (s: IDataObject): boolean => {
		// a number and its digits match (execution IDs are strings in metadata, numbers in some expressions)
		const same = (a: unknown, b: unknown): boolean =>
			JSON.stringify(a) === JSON.stringify(b) ||
			(['string', 'number'].includes(typeof a) && ['string', 'number'].includes(typeof b) && String(a) === String(b));
		return wanted.every(([k, v]) => same(ownValue(s.metadata, k), v));
	};
	return (await listSessions(this, env, itemIndex))
		.filter((s) => state === 'all' || (state === 'busy') === (s.busy === true))
		.filter(hasMetadata)
		.slice(0, limit);
}
