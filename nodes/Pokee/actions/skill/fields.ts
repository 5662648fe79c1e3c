import type { INodeProperties } from 'n8n-workflow';

export function skillNameField(): INodeProperties {
	return {
		displayName: 'Skill Name',
		name: 'skillName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'quarterly-report',
		description: '1–64 characters of a-z, 0-9, "_" or "-", starting with a letter or digit (the "custom-" prefix is reserved)',
	};
}
