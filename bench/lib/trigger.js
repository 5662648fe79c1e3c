'use strict';
/**
 * Benchmark 4, trigger cost: HTTP requests per poll of the Pokee Trigger watching 1, 100 and
 * 1,000 sessions (and all sessions), counted from the fake's request log. Each configuration
 * polls four times with fresh static data: the first poll (baseline), an idle poll, a poll after
 * a few watched sessions finished a turn, and another idle poll.
 */
const path = require('node:path');

const { DEFAULT_KEY: API_KEY } = require('../../test/fakes/fakePokee');

async function benchTrigger({ sizes = [1, 100, 1000], finishing = 10, log = console.log } = {}) {
	if (process.env.N8N_POKE_FROM_DIST !== '1') require('./tsHook');
	const { runPoll } = require(path.resolve(__dirname, '../../test/harness/n8n.js'));
	const { startFakePokee } = require(path.resolve(__dirname, '../../test/fakes/fakePokee.js'));
	const total = Math.max(...sizes);
	const fake = await startFakePokee({ maxSessions: total + 10, eventDelayMs: 0 });
	const auth = { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' };
	try {
		const ids = [];
		for (let i = 0; i < total; i++) ids.push(fake.createSession({ persistent: true }).id);
		const credentials = { pokeeApi: { apiKey: API_KEY, baseUrl: fake.baseUrl } };
		const turn = async (sid) => {
			const res = await fetch(`${fake.baseUrl}/v1/sessions/${sid}/messages`, { method: 'POST', headers: auth, body: '{"message":"hi"}' });
			await res.text(); // the stream ends with the turn
		};

		const configs = [
			...sizes.map((n) => ({ label: `${n} given session ID${n === 1 ? '' : 's'}`, watched: n, parameters: { event: 'turnFinished', watch: 'ids', sessionIds: ids.slice(0, n).join(', '), options: {} } })),
			{ label: `all sessions (${total})`, watched: total, parameters: { event: 'turnFinished', watch: 'all', options: {} } },
			{
				label: `all sessions (${total}), Include Output Listing`,
				watched: total,
				parameters: { event: 'turnFinished', watch: 'all', options: { includeListing: true } },
			},
		];
		const rows = [];
		for (const config of configs) {
			const staticData = {};
			const polls = [];
			const poll = async (what, expectEvents) => {
				fake.clearRequests();
				const t0 = performance.now();
				const { result, error } = await runPoll({ parameters: config.parameters, credentials, staticData });
				const ms = performance.now() - t0;
				if (error) throw error;
				const events = result ? result[0].length : 0;
				if (expectEvents !== undefined && events !== expectEvents) {
					throw new Error(`${config.label}, ${what}: ${events} events, expected ${expectEvents}`);
				}
				polls.push({
					poll: what,
					requests: fake.requests.length,
					events,
					ms: Math.round(ms * 10) / 10,
					stateBytes: JSON.stringify(staticData).length,
					paths: [...new Set(fake.requests.map((r) => `${r.method} ${r.path.replace(/sess_[0-9a-f]+/, ':id')}`))],
				});
			};
			await poll('first (baseline)', 0);
			await poll('idle', 0);
			const active = ids.slice(0, Math.min(finishing, config.watched));
			await Promise.all(active.map(turn));
			await poll(`after ${active.length} turn${active.length === 1 ? '' : 's'} finished`, active.length);
			await poll('idle again', 0);
			rows.push({
				config: config.label,
				watched: config.watched,
				polls,
				maxRequestsPerPoll: Math.max(...polls.map((p) => p.requests)),
				idleRequestsPerPoll: Math.max(...polls.filter((p) => p.events === 0).map((p) => p.requests)),
				stateBytes: polls[polls.length - 1].stateBytes,
			});
			log(`    ${config.label}: ${polls.map((p) => `${p.poll} ${p.requests} req/${p.events} ev`).join('; ')}`);
		}
		return { rows };
	} finally {
		await fake.close();
	}
}

module.exports = { benchTrigger };
