import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkSkillName } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { pokeeRequest, seg } from '../../transport';
import { installedSkillFields } from './fields';

export const description: INodeProperties[] = installedSkillFields();

export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const name = checkSkillName(this.getNode(), this.getNodeParameter('skillName', itemIndex, '', { extractValue: true }), itemIndex);
	await pokeeRequest(this, env, { method: 'DELETE', path: `/v1/skills/${seg(name)}` }, itemIndex);
	return { name, deleted: true };
}
