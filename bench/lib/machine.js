'use strict';
const fs = require('node:fs');
const os = require('node:os');

function machine() {
	const cpus = os.cpus();
	let model = cpus[0]?.model ?? 'unknown';
	try {
		const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
		if (m) model = m[1].trim();
	} catch {
		// not Linux
	}
	return {
		cpuModel: model,
		cores: os.availableParallelism ? os.availableParallelism() : cpus.length,
		memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
		node: process.version,
		v8: process.versions.v8,
		os: `${os.type()} ${os.release()} ${os.arch()}`,
		loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
	};
}

module.exports = { machine };
