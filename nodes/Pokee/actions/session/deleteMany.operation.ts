import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkDuration } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { pokeeJson } from '../../transport';

export const description: INodeProperties[] = [
	{
		displayName: 'Idle Only',
		name: 'idleOnly',
		type: 'boolean',
		default: true,
		description: 'Whether to delete only sessions that are not running a turn',
	},
	{
		displayName: 'Inactive For At Least',
		name: 'olderThan',
		type: 'string',
		default: '1h',
		required: true,
		placeholder: '1h30m',
		description: 'Delete sessions inactive at least this long: a duration such as 90s, 2h or 1h30m',
	},
];

/**
 * Bulk delete. An age is required: without any filter the API would delete every session of
 * the tenant, which a workflow should never do by accident.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const olderThan = checkDuration(this.getNode(), this.getNodeParameter('olderThan', itemIndex), 'Inactive For At Least', itemIndex);
	const qs: IDataObject = { older_than: olderThan };
	if (this.getNodeParameter('idleOnly', itemIndex, true) === true) qs.status = 'idle';
	return await pokeeJson(this, env, { method: 'DELETE', path: '/v1/sessions', qs }, itemIndex);
}
