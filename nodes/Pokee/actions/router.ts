import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { routeOperations } from '../../shared/router';
import { pokeeProfile } from '../transport';
import { file } from './file/File.resource';
import { message } from './message/Message.resource';
import { response } from './response/Response.resource';
import { session } from './session/Session.resource';
import { skill } from './skill/Skill.resource';
import { toolResult } from './toolResult/ToolResult.resource';
import { usage } from './usage/Usage.resource';

/** The node's resources, in the order of the Resource list. */
export const resources = [file, message, response, session, skill, toolResult, usage];

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeOperations(this, pokeeProfile, resources);
}
