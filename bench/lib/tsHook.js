'use strict';
/**
 * Lets Node require this package's TypeScript sources directly (esbuild strips the types, as
 * ts-jest does under jest), so benchmarks measure the sources as they are now, whatever state
 * dist/ is in while others edit and rebuild it. Set N8N_POKE_FROM_DIST=1 to load dist/ instead.
 */
const fs = require('node:fs');
const esbuild = require('esbuild');

if (!require.extensions['.ts']) {
	require.extensions['.ts'] = (module, filename) => {
		const source = fs.readFileSync(filename, 'utf8');
		const { code } = esbuild.transformSync(source, {
			loader: 'ts',
			format: 'cjs',
			target: 'node20',
			sourcefile: filename,
		});
		module._compile(code, filename);
	};
}
