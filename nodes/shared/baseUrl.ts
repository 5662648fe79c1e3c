import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * Hosts allowed over plain http: the loopback addresses (127.0.0.0/8, ::1, localhost).
 * Everything else must be https, so API keys never travel in clear text.
 */
function isLoopbackHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true;
	return /^127(\.\d{1,3}){3}$/.test(host);
}

interface CheckedUrl {
	/** The URL as a string, without trailing slashes. */
	href: string;
	url: URL;
}

/**
 * Parses a URL given by the user and checks it is http(s), https unless the host is loopback.
 * `what` names the field for the error message (e.g. "Base URL of the Poke API credential").
 */
export function checkHttpsUrl(
	node: INode,
	raw: unknown,
	what: string,
	itemIndex?: number,
): CheckedUrl {
	const text = typeof raw === 'string' ? raw.trim() : '';
	const where = itemIndex === undefined ? '' : ` (item ${itemIndex})`;
	if (text === '') {
		throw new NodeOperationError(node, `${what} is empty${where}`, { itemIndex });
	}
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new NodeOperationError(node, `${what} is not a valid URL${where}`, {
			itemIndex,
			description: 'Enter a full URL such as https://example.com/path',
		});
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new NodeOperationError(node, `${what} must be an https URL${where}`, { itemIndex });
	}
	if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
		throw new NodeOperationError(node, `${what} must use https${where}`, {
			itemIndex,
			description: 'Plain http is only accepted for loopback hosts (localhost, 127.0.0.0/8, ::1).',
		});
	}
	if (url.username || url.password) {
		throw new NodeOperationError(node, `${what} must not contain a user name or password${where}`, {
			itemIndex,
		});
	}
	return { href: url.href.replace(/\/+$/, ''), url };
}

/** Normalises a credential's base URL: trimmed, no trailing slash, https or loopback http. */
export function normaliseBaseUrl(node: INode, raw: unknown, credentialName: string): string {
	const { url, href } = checkHttpsUrl(node, raw, `The Base URL of the ${credentialName} credential`);
	if (url.search || url.hash) {
		throw new NodeOperationError(
			node,
			`The Base URL of the ${credentialName} credential must not contain a query or fragment`,
		);
	}
	return href;
}
