import type {
	IBinaryData,
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { readApiCredential } from '../shared/http';
import { splitList } from '../shared/params';
import { checkFilePath, globMatch } from '../Pokee/helpers/validate';
import type { PokeeEnv } from '../Pokee/transport';
import { listSessions, pokeeProfile } from '../Pokee/transport';
import { downloadFile, listFolder } from '../Pokee/transport/files';
import type { PollState, SessionRecord, TriggerEvent, WatchConfig } from './detect';
import { detectEvents, latestSample, snapshot, watchKey } from './detect';

export class PokeeTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Pokee Trigger',
		name: 'pokeeTrigger',
		icon: { light: 'file:../Pokee/pokee.svg', dark: 'file:../Pokee/pokee.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["event"]}}',
		description: 'Starts the workflow when Pokee agent sessions finish a turn, change metadata, start or end',
		defaults: { name: 'Pokee Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'pokeeApi', required: true }],
		properties: [
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				default: 'turnFinished',
				options: [
					{
						name: 'Turn Finished',
						value: 'turnFinished',
						description: 'A watched session finished a turn since the last poll',
					},
					{
						name: 'Metadata Changed',
						value: 'metadataChanged',
						description: "A session's metadata changed (any key, or the listed keys)",
					},
					{ name: 'Session Created', value: 'sessionCreated', description: 'A new session appeared' },
					{ name: 'Session Ended', value: 'sessionEnded', description: 'A watched session is gone' },
				],
			},
			{
				displayName: 'Watch',
				name: 'watch',
				type: 'options',
				default: 'all',
				options: [
					{ name: 'All Sessions', value: 'all' },
					{ name: 'Given Session IDs', value: 'ids' },
				],
				description: 'Which sessions the trigger watches',
			},
			{
				displayName: 'Session IDs',
				name: 'sessionIds',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'sess_a86118c06688, sess_0123456789ab',
				description: 'Comma-separated IDs of the sessions to watch',
				displayOptions: { show: { watch: ['ids'] } },
			},
			{
				displayName: 'Metadata Keys',
				name: 'metadataKeys',
				type: 'string',
				default: '',
				placeholder: 'temasek_status',
				description: 'Comma-separated keys to watch; empty watches every key',
				displayOptions: { show: { event: ['metadataChanged'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { event: ['turnFinished'] } },
				options: [
					{
						displayName: 'Download Files Matching',
						name: 'downloadPattern',
						type: 'string',
						default: '',
						placeholder: '*.pptx',
						description:
							'Download the files of the output folder written during the turn whose name matches (e.g. *.pptx) as binary data; empty downloads nothing',
					},
					{
						displayName: 'Include Output Listing',
						name: 'includeListing',
						type: 'boolean',
						default: false,
						description: 'Whether to add the listing of the output folder as "output_files"',
					},
					{
						displayName: 'Output Folder',
						name: 'outputFolder',
						type: 'string',
						default: 'output',
						description: 'Workspace folder holding the results',
					},
					{
						displayName: 'Put Output File in Field',
						name: 'binaryPropertyName',
						type: 'string',
						default: 'data',
						description:
							'Name of the binary field for the first downloaded file; further files get _1, _2, … appended',
					},
				],
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const config = readConfig(this);
		const env = await readApiCredential(this, pokeeProfile);
		const sessions = (await listSessions(this, env)) as SessionRecord[];
		const watched = config.ids ? sessions.filter((s) => config.ids!.includes(String(s.id))) : sessions;
		const now = Date.now() / 1000;

		if (this.getMode() === 'manual') {
			// "Fetch Test Event": the most recent matching session, state untouched
			const sample = latestSample(config, watched);
			if (!sample) return null;
			return [[await toItem(this, env, config, sample)]];
		}

		// State is read here, changed only in a copy, and stored back once the items are built: a
		// failed session list leaves it as it was (the next poll catches up); a failure for one
		// event's files is on that event's item, so it cannot hold back the others.
		const staticData = this.getWorkflowStaticData('node') as { state?: PollState };
		const previous = staticData.state;
		if (!previous || previous.watch !== watchKey(config)) {
			// first poll, or another event/watch: a baseline, no flood of old sessions
			staticData.state = snapshot(config, watched);
			return null;
		}
		const next = snapshot(config, watched, previous);
		const events = detectEvents(config, previous, watched, now);
		const items: INodeExecutionData[] = [];
		for (const event of events) items.push(await toItem(this, env, config, event));
		staticData.state = next;
		return items.length ? [items] : null;
	}
}

interface Config extends WatchConfig {
	outputFolder: string;
	includeListing: boolean;
	/** Files of the output folder to download (Download Files pattern); none when undefined. */
	downloadMatch?: (name: string) => boolean;
	binaryPropertyName: string;
}

function readConfig(ctx: IPollFunctions): Config {
	const node = ctx.getNode();
	const event = ctx.getNodeParameter('event') as Config['event'];
	const watch = ctx.getNodeParameter('watch', 'all') as string;
	const ids = watch === 'ids' ? splitList(ctx.getNodeParameter('sessionIds', '')) : undefined;
	const keys = event === 'metadataChanged' ? splitList(ctx.getNodeParameter('metadataKeys', '')) : [];
	const options = (event === 'turnFinished' ? ctx.getNodeParameter('options', {}) : {}) as IDataObject;
	const outputFolder = checkFilePath(node, options.outputFolder ?? 'output', 'Output Folder', undefined, { allowEmpty: true });
	const downloadPattern = String(options.downloadPattern ?? '').trim();
	return {
		event,
		ids,
		keys,
		outputFolder,
		includeListing: options.includeListing === true,
		downloadMatch: downloadPattern ? (name: string) => globMatch(downloadPattern, name) : undefined,
		binaryPropertyName: String(options.binaryPropertyName ?? 'data').trim() || 'data',
	};
}

/**
 * Builds the output item of one event; for Turn Finished, adds the listing and downloads. A
 * failure there (403, a file gone, a bad listing) goes on this event's item as `error`: it must
 * not fail the poll, which would keep every other session's events from ever being emitted.
 */
async function toItem(ctx: IPollFunctions, env: PokeeEnv, config: Config, event: TriggerEvent): Promise<INodeExecutionData> {
	const json: IDataObject = { ...event } as IDataObject;
	const binary: Record<string, IBinaryData> = {};
	try {
		await addOutputFiles(ctx, env, config, event, json, binary);
	} catch (error) {
		const e = error as { message?: unknown; httpCode?: unknown; description?: unknown };
		json.error = {
			message: String(e?.message ?? error),
			...(typeof e?.httpCode === 'string' ? { status: Number(e.httpCode) || e.httpCode } : {}),
			...(typeof e?.description === 'string' && e.description ? { description: e.description } : {}),
		};
	}
	return Object.keys(binary).length ? { json, binary } : { json };
}

/** Turn Finished: the output listing and the matching files, into `json` and `binary`. */
async function addOutputFiles(
	ctx: IPollFunctions,
	env: PokeeEnv,
	config: Config,
	event: TriggerEvent,
	json: IDataObject,
	binary: Record<string, IBinaryData>,
): Promise<void> {
	if (event.event !== 'turnFinished' || (!config.includeListing && !config.downloadMatch)) return;

	const sessionId = event.session_id;
	const listing = await listFolder(ctx, env, sessionId, config.outputFolder, false, 0).catch((error: unknown) => {
		// a session without an output folder yet is not an error
		if ((error as { httpCode?: string }).httpCode === '404') return [];
		throw error;
	});
	if (config.includeListing) json.output_files = listing;
	const match = config.downloadMatch;
	if (!match) return;

	// The folder is the tenant's, shared by all sessions and kept across turns: only files modified
	// since the turn started can be this turn's (an entry without a time is kept).
	const since = Number(event.previous_activity ?? 0);
	const fresh = (e: IDataObject) => typeof e.modified !== 'number' || e.modified >= since;
	const downloaded: IDataObject[] = [];
	// set first, so an item whose later download fails still says which files it has
	json.downloaded_files = downloaded;
	for (const entry of listing.filter((e) => e.type === 'file' && match(e.name) && fresh(e))) {
		const key = downloaded.length === 0 ? config.binaryPropertyName : `${config.binaryPropertyName}_${downloaded.length}`;
		const file = await downloadFile(ctx, env, sessionId, entry.path, key, 0);
		Object.assign(binary, file.binary);
		downloaded.push({ path: entry.path, binaryProperty: key, mimeType: file.json.mimeType, size: file.json.size });
	}
}
