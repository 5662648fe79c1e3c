import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { FROM_V2, nodeVersion, resultLimit, returnAllFields } from '../../../shared/params';
import type { PokeeEnv } from '../../transport';
import { listSkills } from '../../transport';

export const description: INodeProperties[] = returnAllFields(FROM_V2);

/** Custom (uploaded) skills, one item each. */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject[]> {
	const node = this.getNode();
	// version 1 has no limit: it returns every skill
	const limit =
		nodeVersion(node) >= 2
			? resultLimit(node, this.getNodeParameter('returnAll', itemIndex, false), this.getNodeParameter('limit', itemIndex, 50), itemIndex)
			: Infinity;
	return (await listSkills(this, env, itemIndex)).slice(0, limit);
}
