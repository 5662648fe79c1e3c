import { defineResource } from '../../../shared/resource';
import * as deleteSkill from './delete.operation';
import * as install from './install.operation';
import * as list from './list.operation';

export const skill = defineResource(
	'Skill',
	'skill',
	[
		{ name: 'Delete', value: 'delete', action: 'Delete a skill', description: 'Uninstall a custom skill', module: deleteSkill },
		{ name: 'Install', value: 'install', action: 'Install a skill', description: 'Install or replace a custom skill from a zip', module: install },
		{ name: 'List', value: 'list', action: 'List skills', description: 'List custom skills', module: list },
	],
	'list',
);
