'use strict';
/**
 * Benchmark 6, chat model: a streamed answer (`#long`: 200 text deltas, ~5.6 kB) from the Pokee
 * Chat Model against n8n's OpenAI Chat Model (lmChatOpenAi 1.3, Responses API, streaming)
 * pointed at the same fake Pokee /v1/responses, the fake in its own process, at two paces:
 * 'burst' (no delay between events: the whole answer comes in one or two reads, so the times
 * are the client's own cost) and 'paced' (2 ms between events, as a model streams tokens: the
 * total follows the server, TTFT and CPU are the client's). Each round is a fresh worker process
 * holding both models, their answers alternating one by one (warm-up answers first, then timed
 * ones): the pair shares the process's state, so a round's ratio is not the difference between
 * two processes (which, with a process per subject, spread 0.6-1.5x around a 4 ms figure).
 * Medians of the rounds' medians with the spread of the per-round ratios; target: the Pokee
 * model no worse than 1.1x on each figure.
 */
const path = require('node:path');
const { startFakeProcess } = require('./fakeClient');
const { runWorkerProcess } = require('./worker');
const { median, round, spread } = require('./stats');

const { DEFAULT_KEY: API_KEY } = require('../../test/fakes/fakePokee');

const N8N_DIR = path.resolve(__dirname, '../../.cache/n8n-2.41.1');
const FIGURES = ['ttftMs', 'totalMs', 'cpuMs'];

/** Answers per round: burst answers take ~10 ms, so more of them; paced ones ~450 ms. */
const PACES = [
	{ pace: 'burst', eventDelayMs: 0, warmup: 30, answers: 60 },
	{ pace: 'paced', eventDelayMs: 2, warmup: 5, answers: 20 },
];

async function benchChatModel({ rounds = 5, log = console.log } = {}) {
	const result = { rounds, node: process.version, paces: {} };
	for (const { pace, eventDelayMs, warmup, answers } of PACES) {
		log(`  ${pace} (${eventDelayMs} ms between events, ${warmup} warm-up + ${answers} timed answers per model and round):`);
		result.paces[pace] = await benchPace({ eventDelayMs, rounds, warmup, answers, log });
	}
	return result;
}

async function benchPace({ eventDelayMs, rounds, warmup, answers, log }) {
	const fake = await startFakeProcess('pokee', { eventDelayMs });
	try {
		const base = { baseUrl: fake.baseUrl, apiKey: API_KEY, prompt: 'Stream it #long', warmup, answers, n8nDir: N8N_DIR };
		const runs = { pokee: [], openai: [] };
		const texts = new Set();
		for (let i = 0; i < rounds; i++) {
			// which model answers first in each pair alternates within the round, and so does the
			// one that is supplied first, between rounds
			const subjects = i % 2 === 0 ? ['pokee', 'openai'] : ['openai', 'pokee'];
			const r = await runWorkerProcess('chatModel', { ...base, subjects });
			for (const subject of subjects) {
				for (const text of r.texts[subject]) texts.add(text);
				runs[subject].push(Object.fromEntries(FIGURES.map((f) => [f, median(r.answers[subject].map((a) => a[f]))])));
			}
			const [p, o] = [runs.pokee[i], runs.openai[i]];
			log(`    round ${i + 1}: Pokee TTFT ${p.ttftMs.toFixed(1)} ms, total ${p.totalMs.toFixed(1)} ms, CPU ${p.cpuMs.toFixed(1)} ms | OpenAI TTFT ${o.ttftMs.toFixed(1)} ms, total ${o.totalMs.toFixed(1)} ms, CPU ${o.cpuMs.toFixed(1)} ms`);
		}
		// every answer of both models is the same text (the fake's #long script)
		if (texts.size !== 1) throw new Error(`the answers differ (${texts.size} different texts)`);
		const figures = {};
		for (const f of FIGURES) {
			const ratios = runs.pokee.map((p, i) => p[f] / runs.openai[i][f]);
			const s = spread(ratios);
			figures[f] = {
				pokee: round(median(runs.pokee.map((r) => r[f]))),
				openai: round(median(runs.openai.map((r) => r[f]))),
				ratio: round(median(ratios)),
				ratioMin: round(s.min),
				ratioMax: round(s.max),
			};
		}
		return { eventDelayMs, warmup, answers, textLength: [...texts][0].length, figures };
	} finally {
		await fake.close();
	}
}

function markdown(r) {
	const names = { ttftMs: 'time to first token', totalMs: 'total time', cpuMs: 'CPU per answer' };
	const rows = Object.entries(r.paces).flatMap(([pace, p]) =>
		FIGURES.map((f) => {
			const x = p.figures[f];
			return `| ${pace} (${p.eventDelayMs} ms/event) | ${names[f]} | ${x.pokee} ms | ${x.openai} ms | ${x.ratio}x (${x.ratioMin}–${x.ratioMax}) | ${x.ratio <= 1.1 ? 'met' : 'not met'} |`;
		}),
	);
	return [
		`### 6. Chat model: a streamed answer (Pokee Chat Model vs n8n's OpenAI Chat Model on the same fake, Node ${r.node})`,
		'',
		`${r.rounds} rounds (a fresh process each, both models in it, answers alternating); ${Object.entries(r.paces).map(([pace, p]) => `${pace}: ${p.warmup} warm-up + ${p.answers} timed answers per model`).join('; ')}; medians, ratio Pokee ÷ OpenAI per round (spread)`,
		'',
		'| pace | figure | Pokee Chat Model | OpenAI Chat Model | ratio | target ≤ 1.1x |',
		'|---|---|---|---|---|---|',
		...rows,
		'',
	].join('\n');
}

module.exports = { benchChatModel, markdown };
