'use strict';
/**
 * Memory probes for a worker process: peak RSS from the kernel (VmHWM, reset through
 * /proc/self/clear_refs) and from sampling every few ms; optionally the peak *live* heap,
 * measured by forcing a full GC at each sample (needs --expose-gc; use only in memory runs,
 * it slows the subject down).
 */
const fs = require('node:fs');

function readStatusKb(field) {
	try {
		const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
		return m ? Number(m[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

function resetPeakRss() {
	try {
		fs.writeFileSync('/proc/self/clear_refs', '5');
		return true;
	} catch {
		return false;
	}
}

/** Starts sampling; stop() returns {rss0, peakRss, peakRssGrowth, heap0, peakLiveHeap, ...}. */
function startProbe({ intervalMs = 5, liveHeap = false } = {}) {
	if (liveHeap && global.gc) global.gc();
	const heap0 = process.memoryUsage().heapUsed;
	const rss0 = process.memoryUsage.rss();
	const kernelReset = resetPeakRss();
	let peakRss = rss0;
	let peakHeap = heap0;
	let samples = 0;
	const timer = setInterval(() => {
		samples++;
		const rss = process.memoryUsage.rss();
		if (rss > peakRss) peakRss = rss;
		if (liveHeap && global.gc) global.gc();
		const heap = process.memoryUsage().heapUsed;
		if (heap > peakHeap) peakHeap = heap;
	}, intervalMs);
	return {
		stop() {
			clearInterval(timer);
			const hwm = kernelReset ? readStatusKb('VmHWM') : undefined;
			const peak = Math.max(peakRss, hwm ?? 0, process.memoryUsage.rss());
			if (liveHeap && global.gc) global.gc();
			const heapEnd = process.memoryUsage().heapUsed;
			if (heapEnd > peakHeap) peakHeap = heapEnd;
			return {
				rss0,
				peakRss: peak,
				peakRssGrowth: peak - rss0,
				kernelPeak: hwm !== undefined,
				heap0,
				peakHeapGrowth: peakHeap - heap0,
				heapEndGrowth: heapEnd - heap0,
				samples,
			};
		},
	};
}

module.exports = { startProbe };
