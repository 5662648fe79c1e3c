import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { MAX_SECONDS, positiveInteger } from '../../../shared/params';
import type { PokeeEnv } from '../../transport';
import { waitUntilIdle } from '../../transport/sessions';
import { sessionIdFields, sessionIdParam } from './fields';

export const description: INodeProperties[] = [
	...sessionIdFields(),
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_SECONDS.pollInterval },
		default: 5,
		description: 'How often to read the session (at most 3600)',
	},
	{
		displayName: 'Time Limit (Seconds)',
		name: 'timeLimit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_SECONDS.idleWait },
		default: 3600,
		description: 'Fail when the session is still busy after this long (at most 86400, one day)',
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const id = sessionIdParam(this, node, itemIndex);
	const interval = positiveInteger(node, this.getNodeParameter('pollInterval', itemIndex, 5), 'Poll Interval', itemIndex, MAX_SECONDS.pollInterval);
	const limit = positiveInteger(node, this.getNodeParameter('timeLimit', itemIndex, 3600), 'Time Limit', itemIndex, MAX_SECONDS.idleWait);
	return await waitUntilIdle(this, env, id, interval * 1000, Date.now() + limit * 1000, itemIndex);
}
