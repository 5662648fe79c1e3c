import type { INodeProperties } from 'n8n-workflow';

import { FROM_V2, V1_ONLY } from '../../../shared/params';

const SKILL_NAME_RULES = '1–64 characters of a-z, 0-9, "_" or "-", starting with a letter or digit (the "custom-" prefix is reserved)';

/** The name of a skill to install (a new name, or one to replace). */
export function skillNameField(): INodeProperties {
	return {
		displayName: 'Skill Name',
		name: 'skillName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'quarterly-report',
		description: SKILL_NAME_RULES,
	};
}

/** An installed skill: its name in version 1, picked from the list (or by name) from version 2. */
export function installedSkillFields(): INodeProperties[] {
	return [
		{ ...skillNameField(), displayOptions: { show: V1_ONLY } },
		{
			displayName: 'Skill',
			name: 'skillName',
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			required: true,
			description: 'The custom skill',
			modes: [
				{
					displayName: 'From List',
					name: 'list',
					type: 'list',
					placeholder: 'Select a skill...',
					typeOptions: { searchListMethod: 'searchSkills', searchable: true },
				},
				{ displayName: 'By Name', name: 'name', type: 'string', placeholder: 'quarterly-report', hint: SKILL_NAME_RULES },
			],
			displayOptions: { show: FROM_V2 },
		},
	];
}
