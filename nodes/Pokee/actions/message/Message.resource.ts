import { defineResource } from '../../../shared/resource';
import * as cancel from './cancel.operation';
import * as resume from './resume.operation';
import * as send from './send.operation';

export const message = defineResource(
	'Message',
	'message',
	[
		{ name: 'Cancel', value: 'cancel', action: 'Cancel a running turn', description: 'Cancel an in-flight turn', module: cancel },
		{ name: 'Resume', value: 'resume', action: 'Resume a turn stream', description: 'Re-attach to a turn and stream it to its end', module: resume },
		{ name: 'Send', value: 'send', action: 'Send a message', description: 'Send a message to a session and stream the agent turn', module: send },
	],
	'send',
);
