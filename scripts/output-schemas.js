'use strict';
/**
 * The output schemas' source files (nodes/<Node>/__schema__/v<version>/<resource>/<operation>.json).
 * Operations that output the same shape share one schema: their file holds only
 * `{"sameAs": "<resource>/<operation>"}`, naming the file (same node and version) that has it.
 * The build writes every file resolved into dist/, where n8n looks each one up by its own path;
 * the tests read them through here too.
 */
const fs = require('node:fs');
const path = require('node:path');

/** The schema in `file`, following a `sameAs` reference (one level). */
function readOutputSchema(file) {
	const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
	if (typeof schema.sameAs !== 'string') return schema;
	const versionDir = path.dirname(path.dirname(file));
	const target = path.join(versionDir, `${schema.sameAs}.json`);
	const resolved = JSON.parse(fs.readFileSync(target, 'utf8'));
	if (typeof resolved.sameAs === 'string') throw new Error(`${file}: sameAs points at ${target}, itself a reference`);
	return resolved;
}

module.exports = { readOutputSchema };
