import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkSkillName } from '../../helpers/validate';
import type { PokeeEnv } from '../../transport';
import { pokeeJson, seg } from '../../transport';
import { binaryBody, binaryPropertyField, inputBinary, checkBinaryPropertyName } from '../file/fields';
import { skillNameField } from './fields';

export const description: INodeProperties[] = [
	skillNameField(),
	binaryPropertyField('Name of the input binary field holding the skill as a zip with SKILL.md at its root'),
];

/** Installs or replaces a skill; it takes effect in sessions created afterwards. */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: PokeeEnv): Promise<IDataObject> {
	const node = this.getNode();
	const name = checkSkillName(node, this.getNodeParameter('skillName', itemIndex), itemIndex);
	const binary = inputBinary(this, checkBinaryPropertyName(node, this.getNodeParameter('binaryPropertyName', itemIndex, 'data'), itemIndex), itemIndex);
	return await pokeeJson(
		this,
		env,
		{
			method: 'POST',
			path: `/v1/skills/${seg(name)}`,
			// each attempt sends the whole bundle (a fresh stream from the binary store)
			openBody: binaryBody(this, binary),
			headers: { 'Content-Type': 'application/zip' },
			// installing replaces atomically, so repeating the same bundle is harmless
			idempotent: true,
		},
		itemIndex,
	);
}
