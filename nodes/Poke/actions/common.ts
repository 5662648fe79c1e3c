import type { INodeProperties } from 'n8n-workflow';

/** "Retry on Server Errors": opt-in, because repeating a POST may deliver it twice. */
export const retryServerErrorsOption: INodeProperties = {
	displayName: 'Retry on Server Errors',
	name: 'retryServerErrors',
	type: 'boolean',
	default: false,
	description:
		'Whether to also retry after 5xx answers and dropped connections (up to 3 times, with backoff). Off by default: the request may already have been delivered, so a retry can deliver it twice. Rate limits (429) are always retried.',
};
