import { defineResource } from '../../../shared/resource';
import * as create from './create.operation';
import * as fire from './fire.operation';

export const webhook = defineResource('Webhook', 'webhook', [
	{ name: 'Create', value: 'create', action: 'Create a webhook trigger', description: 'Create a trigger and get its webhook URL and token', module: create },
	{ name: 'Fire', value: 'fire', action: 'Fire a webhook trigger', description: 'Send data to a webhook trigger', module: fire },
]);
