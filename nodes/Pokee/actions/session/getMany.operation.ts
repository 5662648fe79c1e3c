import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { FROM_V2, nodeVersion, ownValue, parseJsonObject, resultLimit, returnAllFields, V1_ONLY } from '../../../shared/params';
import type { PokeeEnv } from '../../transport';
import { listSessions } from '../../transport';

const stateOptions = [
	{ name: 'All', value: 'all' },
	{ name: 'Busy', value: 'busy', description: 'Only sessions running a turn' },
	{ name: 'Idle', value: 'idle', description: 'Only sessions not running a turn' },
];
const metadataDescription =
	"Only sessions whose metadata has all these key/values. A Send with New Session and the Input Item idempotency scope marks its session with n8n_workflow_id, n8n_execution_id, n8n_node and n8n_turn_key: filter on your workflow's ID with State = Busy to find turns whose execution is gone.";

export const description: INodeProperties[] = [
	...returnAllFields(),
	// version 1: the filters as top-level parameters
	{
		displayName: 'Filter',
		name: 'state',
		type: 'options',
		default: 'all',
		options: stateOptions,
		displayOptions: { show: V1_ONLY },
	},
	{
		displayName: 'Metadata Filter',
		name: 'metadataFilter',
		type: 'json',
		default: '{}',
		description: metadataDescription,
		displayOptions: { show: V1_ONLY },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{ displayName: 'Metadata', name: 'metadata', type: 'json', default: '{}', description: metadataDescription },
			{ displayName: 'State', name: 'state', type: 'options', default: 'all', options: stateOptions },
		],
		displayOptions: { show: FROM_V2 },
	},
];

/** Lists sessions (one item each). The API has no filters, so busy/idle is applied here. */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject[]> {
	const node = this.getNode();
	const limit = resultLimit(node, this.getNodeParameter('returnAll', itemIndex, false), this.getNodeParameter('limit', itemIndex, 50), itemIndex);
	const filters =
		nodeVersion(node) >= 2
			? (this.getNodeParameter('filters', itemIndex, {}) as IDataObject)
			: { state: this.getNodeParameter('state', itemIndex, 'all'), metadata: this.getNodeParameter('metadataFilter', itemIndex, '{}') };
	const state = String(filters.state ?? 'all');
	const field = nodeVersion(node) >= 2 ? 'Filters: Metadata' : 'Metadata Filter';
	const wanted = Object.entries(parseJsonObject(node, filters.metadata ?? '{}', field, itemIndex));
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
