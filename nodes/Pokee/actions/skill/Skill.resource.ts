import { defineResource } from '../../../shared/resource';
import * as deleteSkill from './delete.operation';
import * as install from './install.operation';
import * as list from './list.operation';

export const skill = defineResource(
	'Skill',
	'skill',
	[
		{ name: 'Delete', value: 'delete', action: 'Delete a skill', description: 'Uninstall a custom skill', module: deleteSkill },
		{ name: 'Get Many', value: 'list', action: 'Get many skills', description: 'List the custom skills', module: list },
		{ name: 'Install', value: 'install', action: 'Install a skill', description: 'Install or replace a custom skill from a zip', module: install },
	],
	'list',
);
