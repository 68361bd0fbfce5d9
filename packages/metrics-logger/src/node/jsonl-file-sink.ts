import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { type ParsedMetrics, parseMetricsJsonl, serializeRecord } from '../jsonl.js';
import type { MetricsRecord, MetricsSink } from '../records.js';

/** Reads a `metrics.jsonl` file, dropping (and reporting) a torn last line. */
export function readMetricsFile(path: string): ParsedMetrics {
  return parseMetricsJsonl(readFileSync(path, 'utf8'));
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
 * current epoch's step records and never leaves a broken line in the middle of the file.
 */
export class JsonlFileSink implements MetricsSink {
  readonly #descriptor: number;
  #buffer = '';

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    repairTornLastLine(path);
    this.#descriptor = openSync(path, 'a');
  }

  write(record: MetricsRecord): void {
    this.#buffer += serializeRecord(record);
  }

  flush(): void {
    if (this.#buffer === '') return;
    writeSync(this.#descriptor, this.#buffer);
    fsyncSync(this.#descriptor);
    this.#buffer = '';
  }

  close(): void {
    this.flush();
    closeSync(this.#descriptor);
  }
}
