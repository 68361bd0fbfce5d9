import fs, { closeSync, existsSync, fstatSync, ftruncateSync, readFileSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import { type ParsedMetrics, parseMetricsJsonl, serializeRecord } from '../jsonl.js';
import type { MetricsRecord, MetricsSink } from '../records.js';
import { makeDirectory, notWritableError } from './make-directory.js';
import { DiskFullError, fsyncFullySync, writeFullySync } from './write-fully.js';

/**
 * Reads a `metrics.jsonl` file, dropping (and reporting) a torn last line; every other line is
 * validated (see `parseMetricsJsonl`), and a bad one throws MetricsFormatError naming `path` and
 * the line.
 */
export function readMetricsFile(path: string): ParsedMetrics {
  return parseMetricsJsonl(readFileSync(path, 'utf8'), path);
}

/**
 * Cuts a torn last line (a crash mid-write) off a JSONL file so appending continues on a clean
 * line. Returns the number of bytes removed.
 */
export function repairTornLastLine(path: string): number {
  if (!existsSync(path)) return 0;
  const bytes = readFileSync(path);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return 0;
  const keep = bytes.lastIndexOf(0x0a) + 1;
  truncateSync(path, keep);
  return bytes.length - keep;
}

/**
 * Appends records to a JSONL file, one per line. Lines are buffered and written + fsynced on
 * `flush` (the logger flushes at every epoch, event and finish), so a crash loses at most the
 * current epoch's step records and never leaves a broken line in the middle of the file. A flush
 * that cannot write every byte (a full disk) cuts the file back to its previous length and throws
 * DiskFullError, so the log stays whole up to its last complete flush.
 */
export class JsonlFileSink implements MetricsSink {
  readonly #descriptor: number;
  #buffer = '';

  constructor(readonly path: string) {
    makeDirectory(dirname(path));
    repairTornLastLine(path);
    // Through the module object, as every write here, so tests can inject a failing file system.
    try {
      this.#descriptor = fs.openSync(path, 'a');
    } catch (error) {
      throw notWritableError(error, dirname(path)) ?? error;
    }
  }

  write(record: MetricsRecord): void {
    this.#buffer += serializeRecord(record);
  }

  flush(): void {
    if (this.#buffer === '') return;
    const bytes = Buffer.from(this.#buffer);
    const previousLength = fstatSync(this.#descriptor).size;
    try {
      writeFullySync(this.#descriptor, bytes, this.path);
      fsyncFullySync(this.#descriptor, this.path, bytes.length);
    } catch (error) {
      // Drop the partial lines: cutting a file back frees space, so this works on a full disk.
      if (error instanceof DiskFullError) {
        ftruncateSync(this.#descriptor, previousLength);
        this.#buffer = '';
      }
      throw error;
    }
    this.#buffer = '';
  }

  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.#descriptor);
    }
  }
}
