/**
 * @contour/metrics-logger/node — Node-only sinks: the append-only JSONL file and the console with
 * progress bars, plus the atomic file writer runs use for files that must survive a crash.
 *
 * @packageDocumentation
 */
export { ConsoleSink, type ConsoleSinkOptions, describeEpoch } from './console-sink.js';
export { JsonlFileSink, readMetricsFile, repairTornLastLine } from './jsonl-file-sink.js';
export { DirectoryNotWritableError, makeDirectory, notWritableError } from './make-directory.js';
export { removeAtomicWriteLeftovers, writeFileAtomic } from './write-file-atomic.js';
export { DiskFullError, fsyncFullySync, isNoSpaceError, writeFullySync } from './write-fully.js';
