'use strict';
/**
 * What the browser test opens, derived from the node descriptions the running n8n serves to
 * its editor (GET /types/nodes.json), so a new operation is covered without editing this file:
 *   - a node with a Resource parameter: one case per resource × operation (n8n's own
 *     "Custom API Call" operation only once);
 *   - the trigger (no Resource): one case per Event, plus Watch → Given Session IDs.
 * The "<name>Tool" variants n8n derives from `usableAsTool` nodes are included: users open
 * them from an AI Agent, and n8n adds parameters of its own to them.
 *
 * For each case the parameters the panel must show are computed with n8n-workflow's
 * NodeHelpers, the same display rules the editor applies: the test then checks that the
 * editor really rendered each of them.
 */
const { NodeHelpers } = require('n8n-workflow');

const { PACKAGES, typeName } = require('../harness/nodeTypes');
const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

/** The version a newly added node gets (what the editor would open). */
function defaultVersion(desc) {
	if (desc.defaultVersion !== undefined) return desc.defaultVersion;
	return Array.isArray(desc.version) ? Math.max(...desc.version) : desc.version;
}

/** Options of the first parameter `name` that is displayed with `values` (e.g. the Operation of a resource). */
function optionsOf(desc, name, values) {
	const node = { typeVersion: defaultVersion(desc) };
	const param = desc.properties.find(
		(p) => p.name === name && NodeHelpers.displayParameter(values, p, node, desc),
	);
	return param ? param.options : [];
}

/** [{ label, parameters }] for one node type: the parameter values that select each panel variant. */
function variantsOf(desc) {
	const out = [];
	if (desc.properties.some((p) => p.name === 'resource')) {
		let customApiCall = false;
		for (const resource of optionsOf(desc, 'resource', {})) {
			for (const operation of optionsOf(desc, 'operation', { resource: resource.value })) {
				// n8n's Custom API Call panel is the same under every resource: open it once.
				if (operation.value === CUSTOM_API_CALL && customApiCall) continue;
				if (operation.value === CUSTOM_API_CALL) customApiCall = true;
				out.push({
					label: `${resource.value}.${operation.value}`,
					parameters: { resource: resource.value, operation: operation.value },
				});
			}
		}
	} else if (desc.properties.some((p) => p.name === 'event')) {
		for (const event of optionsOf(desc, 'event', {})) {
			out.push({ label: `event=${event.value}`, parameters: { event: event.value } });
		}
		if (desc.properties.some((p) => p.name === 'watch')) {
			out.push({ label: 'watch=ids', parameters: { watch: 'ids' } });
		}
	} else {
		out.push({ label: 'default', parameters: {} });
	}
	return out;
}

/**
 * The top-level parameters the panel shows for `parameters`: displayed by their display
 * options, not of type hidden, first definition of a name only (Operation is defined once per
 * resource, only one is ever displayed). Also returns the full values with defaults.
 */
function expectedParameters(desc, parameters) {
	const node = { typeVersion: defaultVersion(desc) };
	const values = NodeHelpers.getNodeParameters(desc.properties, parameters, true, false, node, desc);
	const shown = new Map();
	for (const p of desc.properties) {
		if (p.type === 'hidden' || shown.has(p.name)) continue;
		// n8n adds a "Custom API Call" operation to nodes whose credential the HTTP Request node
		// can use; for it the editor shows only Resource and Operation and a notice pointing
		// to the HTTP Request node.
		if (values.operation === CUSTOM_API_CALL && !['resource', 'operation'].includes(p.name)) continue;
		if (NodeHelpers.displayParameter(values, p, node, desc)) shown.set(p.name, p);
	}
	return { values, shown: [...shown.values()] };
}

/** Names of the parameters nested in a collection or fixed collection (rendered with their own labels). */
function nestedNames(param, out = new Set()) {
	for (const option of param.options || []) {
		if (option.displayName) out.add(option.name); // a collection's field
		for (const field of option.values || []) {
			out.add(field.name); // a fixed collection's field
			nestedNames(field, out);
		}
		if (option.displayName) nestedNames(option, out);
	}
	return out;
}

/** Every case for every node type of this package found in `nodeTypes` (the nodes.json array). */
function buildCases(nodeTypes) {
	const ours = nodeTypes.filter((d) => PACKAGES.some((p) => d.name.startsWith(`${p}.`)));
	const cases = [];
	for (const desc of ours) {
		for (const variant of variantsOf(desc)) {
			const { values, shown } = expectedParameters(desc, variant.parameters);
			const nested = new Set(shown.flatMap((p) => [...nestedNames(p)]));
			cases.push({
				type: desc.name,
				desc,
				label: variant.label,
				nodeName: `${desc.displayName} ${variant.label}`, // unique within the test workflow
				parameters: variant.parameters,
				values,
				shown,
				nested,
			});
		}
	}
	return cases;
}

module.exports = { buildCases, defaultVersion };
