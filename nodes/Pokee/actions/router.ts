import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { OperationModule } from '../../shared/items';
import { routeOperations } from '../../shared/items';
import { pokeeProfile } from '../transport';
import * as deleteFile from './file/delete.operation';
import * as download from './file/download.operation';
import * as downloadMany from './file/downloadMany.operation';
import * as listFiles from './file/list.operation';
import * as upload from './file/upload.operation';
import * as cancelMessage from './message/cancel.operation';
import * as resumeMessage from './message/resume.operation';
import * as sendMessage from './message/send.operation';
import * as createResponse from './response/create.operation';
import * as createSession from './session/create.operation';
import * as deleteSession from './session/delete.operation';
import * as deleteManySessions from './session/deleteMany.operation';
import * as getSession from './session/get.operation';
import * as getManySessions from './session/getMany.operation';
import * as waitUntilIdle from './session/waitUntilIdle.operation';
import * as deleteSkill from './skill/delete.operation';
import * as installSkill from './skill/install.operation';
import * as listSkills from './skill/list.operation';
import * as submitToolResult from './toolResult/submit.operation';
import * as getUsage from './usage/get.operation';

/** Every operation, by "resource.operation". Adding one: its file, plus a line here and in Pokee.node.ts. */
export const operations: Record<string, OperationModule> = {
	'session.create': createSession,
	'session.get': getSession,
	'session.getMany': getManySessions,
	'session.delete': deleteSession,
	'session.deleteMany': deleteManySessions,
	'session.waitUntilIdle': waitUntilIdle,
	'message.send': sendMessage,
	'message.resume': resumeMessage,
	'message.cancel': cancelMessage,
	'toolResult.submit': submitToolResult,
	'file.list': listFiles,
	'file.download': download,
	'file.downloadMany': downloadMany,
	'file.upload': upload,
	'file.delete': deleteFile,
	'skill.list': listSkills,
	'skill.install': installSkill,
	'skill.delete': deleteSkill,
	'usage.get': getUsage,
	'response.create': createResponse,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeOperations(this, pokeeProfile, operations);
}
