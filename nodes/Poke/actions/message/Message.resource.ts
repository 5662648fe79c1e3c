import { defineResource } from '../../../shared/resource';
import * as send from './send.operation';

export const message = defineResource('Message', 'message', [
	{ name: 'Send', value: 'send', action: 'Send a message to your agent', description: 'Send a text message to your Poke agent', module: send },
]);
