import { defineResource } from '../../../shared/resource';
import * as create from './create.operation';

export const response = defineResource('Response', 'response', [
	{ name: 'Create', value: 'create', action: 'Create a response', description: 'Create a stateless, OpenAI-compatible response', module: create },
]);
