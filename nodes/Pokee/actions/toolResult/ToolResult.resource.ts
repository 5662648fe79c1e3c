import { defineResource } from '../../../shared/resource';
import * as submit from './submit.operation';

export const toolResult = defineResource('Tool Result', 'toolResult', [
	{ name: 'Submit', value: 'submit', action: 'Submit a tool result', description: 'Answer a client tool call and continue the turn', module: submit },
]);
