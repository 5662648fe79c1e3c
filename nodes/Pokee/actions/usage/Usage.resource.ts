import { defineResource } from '../../../shared/resource';
import * as get from './get.operation';

export const usage = defineResource('Usage', 'usage', [
	{ name: 'Get', value: 'get', action: 'Get usage', description: 'Get rate-limit usage and the credit balance', module: get },
]);
