import { defineResource } from '../../../shared/resource';
import * as deleteFile from './delete.operation';
import * as download from './download.operation';
import * as downloadMany from './downloadMany.operation';
import * as list from './list.operation';
import * as upload from './upload.operation';

export const file = defineResource(
	'File',
	'file',
	[
		{ name: 'Delete', value: 'delete', action: 'Delete a file', description: 'Delete a workspace file', module: deleteFile },
		{ name: 'Download', value: 'download', action: 'Download a file', description: 'Download a workspace file as binary data', module: download },
		{ name: 'Download Many', value: 'downloadMany', action: 'Download many files', description: 'Download every file of a folder matching a pattern', module: downloadMany },
		{ name: 'Get Many', value: 'list', action: 'Get many files', description: 'List the files of a workspace folder', module: list },
		{ name: 'Upload', value: 'upload', action: 'Upload a file', description: 'Upload binary data to the workspace', module: upload },
	],
	'list',
);
