import type { MetricsRecord } from './records.js';

/** Thrown for a `metrics.jsonl` line that is not a record (other than a torn last line). */
export class MetricsFormatError extends Error {
  override readonly name = 'MetricsFormatError';
  constructor(
    readonly lineNumber: number,
    reason: string,
  ) {
    super(`metrics.jsonl line ${lineNumber}: ${reason}`);
  }
}

const recordKinds = new Set([
  'run-start',
  'step',
  'epoch',
  'event',
  'finish',
  'range-test',
  'auto-learning-rate',
]);

/** JSON has no NaN or Infinity: they are written as the strings "NaN", "Infinity", "-Infinity". */
function encodeNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

function decodeNonFinite(_key: string, value: unknown): unknown {
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return value;
}

/** One record as one JSONL line (with its newline); NaN and ±Infinity survive the round trip. */
export function serializeRecord(record: MetricsRecord): string {
  return `${JSON.stringify(record, encodeNonFinite)}\n`;
}

/** Parses one line; throws MetricsFormatError naming the line when it is not a record. */
export function parseRecord(line: string, lineNumber = 1): MetricsRecord {
  let value: unknown;
  try {
    value = JSON.parse(line, decodeNonFinite);
  } catch {
    throw new MetricsFormatError(lineNumber, 'not valid JSON');
  }
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !recordKinds.has(kind)) {
    throw new MetricsFormatError(
      lineNumber,
      `"kind" must be one of ${[...recordKinds].join(', ')}; got ${JSON.stringify(kind)}`,
    );
  }
  return value as MetricsRecord;
}

/** Result of reading a JSONL log. */
export interface ParsedMetrics {
  readonly records: MetricsRecord[];
  /** The last line when it was cut off mid-write (no newline and not valid JSON); it is dropped. */
  readonly tornLastLine: string | undefined;
}

/**
 * Reads `metrics.jsonl` text. A torn last line (a crash mid-write) is dropped and reported; any
 * other bad line throws MetricsFormatError naming its line number. Blank lines are skipped.
 */
export function parseMetricsJsonl(text: string): ParsedMetrics {
  const lines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  const records: MetricsRecord[] = [];
  let tornLastLine: string | undefined;
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const isLast = index === lines.length - 1;
    try {
      records.push(parseRecord(line, index + 1));
    } catch (error) {
      if (isLast && !endsWithNewline) tornLastLine = line;
      else throw error;
    }
  });
  return { records, tornLastLine };
}
