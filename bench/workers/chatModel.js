'use strict';
/**
 * Streamed answers of two chat models, alternating answer by answer in one fresh process.
 * config: {subjects: ['pokee', 'openai'], baseUrl, apiKey, prompt, warmup, answers, n8nDir}
 * 'pokee': this package's Pokee Chat Model; 'openai': n8n's OpenAI Chat Model (lmChatOpenAi 1.3,
 * "Use Responses API" on) from the n8n install in n8nDir, its Base URL on the same fake. Both are
 * supplied by n8n's SupplyDataContext (test/harness runSupply) and streamed through the LangChain
 * model n8n hands the agent (`.stream(prompt)`), as the AI Agent does when it streams.
 * Answer i of every subject runs back to back, the subject going first alternating with i, so
 * the two share the process's state (JIT, heap, the fake's) at every point of the run.
 * Reports per subject and answer {ttftMs (first text chunk), totalMs, cpuMs (this process)}, and
 * each subject's distinct texts.
 */
const path = require('node:path');
const { loadHarness, runWorker } = require('./common');

async function supply(harness, subject, config) {
	if (subject === 'pokee') {
		return await harness.runSupply({
			type: 'pokeeChatModel',
			// an execution id of its own: every worker's harness counts from 1, and the same id, node,
			// body and call number make the same Idempotency-Key, which Pokee answers with a replay
			executionId: `bench-${process.pid}-${Date.now()}`,
			parameters: { model: 'pokee-isaac', reasoningEffort: 'minimal', options: {} },
			credentials: { pokeeApi: { apiKey: config.apiKey, baseUrl: config.baseUrl } },
		});
	}
	const file = path.join(config.n8nDir, 'node_modules/@n8n/n8n-nodes-langchain/dist/nodes/llms/LMChatOpenAi/LmChatOpenAi.node.js');
	const { LmChatOpenAi } = require(file);
	return await harness.runSupply({
		external: { type: '@n8n/n8n-nodes-langchain.lmChatOpenAi', version: 1.3, instance: new LmChatOpenAi() },
		parameters: { model: { __rl: true, mode: 'id', value: 'pokee-isaac' }, responsesApiEnabled: true, options: {} },
		credentials: { openAiApi: { apiKey: config.apiKey, url: `${config.baseUrl}/v1` } },
	});
}

/** One streamed answer: time to the first text chunk, total time, CPU of this process. */
async function answer(model, prompt) {
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	let ttft;
	let text = '';
	for await (const chunk of await model.stream(prompt)) {
		const piece = typeof chunk.content === 'string' ? chunk.content : (chunk.content ?? []).map((c) => c.text ?? '').join('');
		if (piece && ttft === undefined) ttft = performance.now() - t0;
		text += piece;
	}
	const totalMs = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	return { ttftMs: ttft, totalMs, cpuMs: (cpu.user + cpu.system) / 1000, text };
}

runWorker(async (config) => {
	const harness = loadHarness();
	const models = {};
	for (const subject of config.subjects) {
		const supplied = await supply(harness, subject, config);
		if (supplied.error) throw supplied.error;
		models[subject] = supplied.response;
	}
	const answers = Object.fromEntries(config.subjects.map((s) => [s, []]));
	const texts = Object.fromEntries(config.subjects.map((s) => [s, new Set()]));
	for (let i = 0; i < config.warmup + config.answers; i++) {
		const order = i % 2 === 0 ? config.subjects : [...config.subjects].reverse();
		for (const subject of order) {
			const { text, ...figures } = await answer(models[subject], config.prompt);
			texts[subject].add(text);
			if (i >= config.warmup) answers[subject].push(figures);
		}
	}
	return { answers, texts: Object.fromEntries(Object.entries(texts).map(([s, set]) => [s, [...set]])) };
});
