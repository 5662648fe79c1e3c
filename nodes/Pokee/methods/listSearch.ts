import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { readApiCredential } from '../../shared/http';
import { checkId } from '../helpers/validate';
import { listSessions, listSkills, pokeeProfile } from '../transport';
import { listFolder } from '../transport/files';

/** Most entries a list offers: the search box narrows a longer list. */
const MAX_RESULTS = 200;

function matching(items: INodeListSearchItems[], filter?: string): INodeListSearchResult {
	const wanted = (filter ?? '').trim().toLowerCase();
	const results = wanted ? items.filter((i) => `${i.name} ${String(i.value)}`.toLowerCase().includes(wanted)) : items;
	return { results: results.slice(0, MAX_RESULTS) };
}

/** A short label for a session: its ID, whether it is busy, and its metadata. */
function sessionLabel(session: IDataObject): string {
	const metadata = session.metadata && typeof session.metadata === 'object' ? Object.entries(session.metadata as IDataObject) : [];
	const tags = metadata
		.slice(0, 3)
		.map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
		.join(', ');
	return [String(session.id), session.busy === true ? '(busy)' : '', tags ? `· ${tags}` : ''].filter(Boolean).join(' ');
}

/** GET /v1/sessions, newest first. */
export async function searchSessions(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const env = await readApiCredential(this, pokeeProfile);
	const sessions = (await listSessions(this, env))
		.filter((s) => typeof s.id === 'string' && s.id !== '')
		.sort((a, b) => Number(b.created_at ?? 0) - Number(a.created_at ?? 0));
	return matching(
		sessions.map((s) => ({ name: sessionLabel(s), value: String(s.id) })),
		filter,
	);
}

/** GET /v1/skills. */
export async function searchSkills(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const env = await readApiCredential(this, pokeeProfile);
	const skills = (await listSkills(this, env))
		.map((s) => String(s.name ?? ''))
		.filter((name) => name !== '')
		.sort();
	return matching(
		skills.map((name) => ({ name, value: name })),
		filter,
	);
}

/** The files of the workspace as the chosen session sees them (its folders listed recursively). */
export async function searchFiles(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const sessionId = this.getCurrentNodeParameter('sessionId', { extractValue: true });
	if (typeof sessionId !== 'string' || sessionId.trim() === '') return { results: [] };
	const env = await readApiCredential(this, pokeeProfile);
	const id = checkId(this.getNode(), sessionId, 'Session', 0);
	const files = (await listFolder(this, env, id, '', true, 0)).filter((entry) => entry.type === 'file');
	return matching(
		files.map((f) => ({ name: f.path, value: f.path })),
		filter,
	);
}
