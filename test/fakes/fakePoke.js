'use strict';
/**
 * A fake Poke API (poke.com/api/v1) on 127.0.0.1, following ../shared/api/POKE.md:
 * V2 keys for /inbound/api-message, legacy pk_ keys only for /inbound-sms/webhook, webhook
 * tokens only for /inbound/webhook, {"error": ...} bodies, and switchable faults.
 * It records every request so tests assert on what the node really sent.
 */
const http = require('node:http');
const crypto = require('node:crypto');

const DEFAULT_V2_KEY = 'poke_v2_test_key_not_real_0001';
const DEFAULT_V1_KEY = 'pk_legacy_test_key_not_real';

function json(res, status, body, headers = {}) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': 'application/json',
		'Content-Length': Buffer.byteLength(text),
		...headers,
	});
	res.end(text);
}

/**
 * Starts the fake. Options: v2Keys, v1Keys, port (0 = any), noScopeKeys (keys that get 403),
 * backlog (listen queue length, default 511).
 * Faults: fake.fault({method, path: RegExp, kind: 'status'|'reset', status, body, headers, times});
 * a reset comes before the request is handled, or after it with {afterProcessing: true}.
 */
async function startFakePoke(options = {}) {
	const v2Keys = new Set(options.v2Keys || [DEFAULT_V2_KEY]);
	const v1Keys = new Set(options.v1Keys || [DEFAULT_V1_KEY]);
	const noScopeKeys = new Set(options.noScopeKeys || []);
	const webhooks = new Map(); // token -> {triggerId, condition, action}
	const requests = [];
	const deliveries = [];
	const messages = [];
	let faults = [];

	function takeFault(method, path) {
		const index = faults.findIndex(
			(f) => (!f.method || f.method === method) && (!f.path || f.path.test(path)),
		);
		if (index < 0) return undefined;
		const fault = faults[index];
		fault.times = (fault.times ?? 1) - 1;
		if (fault.times <= 0) faults.splice(index, 1);
		return fault;
	}

	function bearer(req) {
		const header = req.headers.authorization || '';
		const match = /^Bearer (.+)$/.exec(header);
		return match ? match[1] : undefined;
	}

	function handle(req, res, body, path) {
		let parsed;
		try {
			parsed = body.length ? JSON.parse(body.toString('utf8')) : undefined;
		} catch {
			parsed = undefined;
		}
		const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
		const token = bearer(req);

		if (req.method === 'GET' && path === '/api/v1/user/profile') {
			if (!token || !(v2Keys.has(token) || noScopeKeys.has(token))) {
				return json(res, 401, { error: 'Invalid API key' });
			}
			return json(res, 200, { id: 'user_test_1', name: 'Test User', email: 'test@example.com' });
		}

		if (req.method === 'POST' && path === '/api/v1/inbound/api-message') {
			if (!token || !(v2Keys.has(token) || noScopeKeys.has(token))) {
				return json(res, 401, { error: 'Invalid API key' });
			}
			if (noScopeKeys.has(token)) return json(res, 403, { error: 'Missing scope: messages:send' });
			if (!isObject) return json(res, 400, { error: 'Invalid request body' });
			messages.push(parsed);
			return json(res, 200, { success: true, message: 'Message sent successfully' });
		}

		if (req.method === 'POST' && path === '/api/v1/inbound-sms/webhook') {
			if (!token || !v1Keys.has(token)) return json(res, 401, { error: 'Invalid API key' });
			if (!isObject) return json(res, 400, { error: 'Invalid request body' });
			messages.push(parsed);
			return json(res, 200, {
				success: true,
				message: 'Message sent successfully',
				channel: 'sms',
				phoneNumber: '+14155551234',
			});
		}

		if (req.method === 'POST' && path === '/api/v1/api-keys/webhook') {
			if (!token || !(v2Keys.has(token) || noScopeKeys.has(token))) {
				return json(res, 401, { error: 'Invalid API key' });
			}
			if (noScopeKeys.has(token)) return json(res, 403, { error: 'Missing scope: webhooks:create' });
			if (!isObject || typeof parsed.condition !== 'string' || typeof parsed.action !== 'string') {
				return json(res, 400, { error: 'condition and action are required' });
			}
			const triggerId = crypto.randomUUID();
			const webhookToken = `whk_test_${crypto.randomBytes(16).toString('hex')}`;
			webhooks.set(webhookToken, { triggerId, condition: parsed.condition, action: parsed.action });
			return json(res, 200, {
				triggerId,
				webhookUrl: `${fake.baseUrl}/api/v1/inbound/webhook`,
				webhookToken,
			});
		}

		if (req.method === 'POST' && path === '/api/v1/inbound/webhook') {
			const hook = token && webhooks.get(token);
			if (!hook) return json(res, 401, { error: 'Invalid webhook token' });
			if (!isObject) return json(res, 400, { error: 'Invalid request body' });
			deliveries.push({ triggerId: hook.triggerId, token, body: parsed });
			return json(res, 200, { success: true });
		}

		return json(res, 404, { error: 'Not found' });
	}

	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			const url = new URL(req.url, 'http://127.0.0.1');
			const path = url.pathname;
			const record = {
				method: req.method,
				path,
				query: Object.fromEntries(url.searchParams),
				headers: { ...req.headers },
				body,
				json: undefined,
				at: Date.now(),
			};
			try {
				record.json = body.length ? JSON.parse(body.toString('utf8')) : undefined;
			} catch {
				record.json = undefined;
			}
			requests.push(record);

			const fault = takeFault(req.method, path);
			if (fault && fault.kind === 'reset') {
				if (fault.afterProcessing) {
					// the request is carried out (message delivered, trigger created), then the
					// connection breaks before the answer: what a client can never tell from a reset
					const lost = { writeHead: () => lost, end: () => req.socket.destroy() };
					return handle(req, lost, body, path);
				}
				req.socket.destroy();
				return;
			}
			if (fault && fault.kind === 'status') {
				return json(res, fault.status, fault.body ?? { error: `Scripted ${fault.status}` }, fault.headers || {});
			}
			handle(req, res, body, path);
		});
	});
	server.keepAliveTimeout = 1000;
	// backlog: pending connections the kernel queues (Node's default 511; capped by somaxconn)
	await new Promise((resolve) =>
		server.listen({ port: options.port || 0, host: '127.0.0.1', backlog: options.backlog ?? 511 }, resolve),
	);

	const fake = {
		baseUrl: `http://127.0.0.1:${server.address().port}`,
		get apiUrl() {
			return `${this.baseUrl}/api/v1`;
		},
		v2Key: [...v2Keys][0],
		v1Key: [...v1Keys][0],
		requests,
		deliveries,
		messages,
		webhooks,
		fault(spec) {
			faults.push({ ...spec });
		},
		clearFaults() {
			faults = [];
		},
		reset() {
			requests.length = 0;
			deliveries.length = 0;
			messages.length = 0;
			faults = [];
		},
		async close() {
			server.closeAllConnections?.();
			await new Promise((resolve) => server.close(resolve));
		},
	};
	return fake;
}

module.exports = { startFakePoke };
