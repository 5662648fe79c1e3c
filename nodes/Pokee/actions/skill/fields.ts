import type { INodeProperties } from 'n8n-workflow';

import type { Show } from '../../../shared/params';

export function skillNameField(show: Show): INodeProperties {
	return {
		displayName: 'Skill Name',
		name: 'skillName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'quarterly-report',
		description: '1–64 characters of a-z, 0-9, "_" or "-", starting with a letter or digit (the "custom-" prefix is reserved)',
		displayOptions: { show },
	};
}
