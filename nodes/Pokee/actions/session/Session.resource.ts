import { defineResource } from '../../../shared/resource';
import * as create from './create.operation';
import * as deleteSession from './delete.operation';
import * as deleteMany from './deleteMany.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as waitUntilIdle from './waitUntilIdle.operation';

export const session = defineResource('Session', 'session', [
	{ name: 'Create', value: 'create', action: 'Create a session', description: 'Create an agent session', module: create },
	{ name: 'Delete', value: 'delete', action: 'Delete a session', description: 'Destroy a session', module: deleteSession },
	{ name: 'Delete Many', value: 'deleteMany', action: 'Delete many sessions', description: 'Destroy idle sessions inactive for a given time', module: deleteMany },
	{ name: 'Get', value: 'get', action: 'Get a session', description: 'Get a session record', module: get },
	{ name: 'Get Many', value: 'getMany', action: 'Get many sessions', description: 'List sessions', module: getMany },
	{ name: 'Wait Until Idle', value: 'waitUntilIdle', action: 'Wait until a session is idle', description: 'Poll a session until its turn has finished', module: waitUntilIdle },
]);
