import type { MetricsRecord } from './records.js';
import { recordProblem } from './validate-record.js';

/**
 * Thrown for a `metrics.jsonl` line that is not a valid record (other than a torn last line) or
 * that breaks the log's order; the message names the file and the line:
 * `metrics.jsonl line 7: epoch record: "epoch" must be an integer ≥ 0; got "seven"`.
 */
export class MetricsFormatError extends Error {
  override readonly name = 'MetricsFormatError';
  constructor(
    readonly lineNumber: number,
    readonly reason: string,
    /** The file as the message names it (a full path when read from disk). */
    readonly file = 'metrics.jsonl',
  ) {
    super(`${file} line ${lineNumber}: ${reason}`);
  }
}

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

/** A line that is not JSON at all (as opposed to JSON that is not a valid record). */
class NotJsonError extends MetricsFormatError {}

/**
 * Parses one line and checks it is a valid record (`recordProblem`: the fields its kind requires,
 * with their types and ranges); throws MetricsFormatError naming the line when it is not.
 */
export function parseRecord(line: string, lineNumber = 1, file = 'metrics.jsonl'): MetricsRecord {
  let value: unknown;
  try {
    value = JSON.parse(line, decodeNonFinite);
  } catch {
    throw new NotJsonError(lineNumber, 'not valid JSON', file);
  }
  const problem = recordProblem(value);
  if (problem !== undefined) throw new MetricsFormatError(lineNumber, problem, file);
  return value as MetricsRecord;
}

/** Result of reading a JSONL log. */
export interface ParsedMetrics {
  readonly records: MetricsRecord[];
  /** The last line when it was cut off mid-write (no newline and not valid JSON); it is dropped. */
  readonly tornLastLine: string | undefined;
}

/**
 * Reads `metrics.jsonl` text. A torn last line (a crash mid-write: no newline and not valid JSON)
 * is dropped and reported; blank lines are skipped. Every other line must be a valid record (see
 * `parseRecord`), and the log must be one run written in order: the run-start record first and
 * only once, epoch records with increasing epoch numbers (a repeated epoch means two writers or
 * a bad resume), step records with increasing step indices. Anything else throws
 * MetricsFormatError naming `file` and the line.
 */
export function parseMetricsJsonl(text: string, file = 'metrics.jsonl'): ParsedMetrics {
  const lines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  const records: MetricsRecord[] = [];
  let tornLastLine: string | undefined;
  let runStartLine: number | undefined;
  let lastEpoch: { epoch: number; line: number } | undefined;
  let lastStep: { step: number; line: number } | undefined;
  const fail = (lineNumber: number, reason: string) => {
    throw new MetricsFormatError(lineNumber, reason, file);
  };
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const lineNumber = index + 1;
    let record: MetricsRecord;
    try {
      record = parseRecord(line, lineNumber, file);
    } catch (error) {
      if (error instanceof NotJsonError && index === lines.length - 1 && !endsWithNewline) {
        tornLastLine = line;
        return;
      }
      throw error;
    }
    if (record.kind === 'run-start') {
      if (runStartLine !== undefined)
        fail(
          lineNumber,
          `a second run-start record (the first is on line ${runStartLine}): two runs in one log`,
        );
      if (records.length > 0) fail(lineNumber, 'the run-start record must be the first record');
      runStartLine = lineNumber;
    } else if (record.kind === 'epoch') {
      if (lastEpoch !== undefined && record.epoch <= lastEpoch.epoch)
        fail(
          lineNumber,
          record.epoch === lastEpoch.epoch
            ? `epoch ${record.epoch} is recorded twice (also on line ${lastEpoch.line}): two writers, or a log resumed without trimming`
            : `epoch ${record.epoch} comes after epoch ${lastEpoch.epoch} (line ${lastEpoch.line}): epochs must increase`,
        );
      lastEpoch = { epoch: record.epoch, line: lineNumber };
    } else if (record.kind === 'step') {
      if (lastStep !== undefined && record.step <= lastStep.step)
        fail(
          lineNumber,
          `step ${record.step} comes after step ${lastStep.step} (line ${lastStep.line}): steps must increase`,
        );
      lastStep = { step: record.step, line: lineNumber };
    }
    records.push(record);
  });
  return { records, tornLastLine };
}
