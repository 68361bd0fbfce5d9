import { spawnSync } from 'node:child_process';
import fs, { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsFormatError, type MetricsRecord, serializeRecord } from '@contour/metrics-logger';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { lockDirectory, lockFileName } from './directory-lock.js';
import {
  InconsistentRunError,
  markRunFailed,
  readRunRecords,
  readRunState,
  writeStatus,
} from './run-directory.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-run-directory-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const epoch = (number: number): MetricsRecord => ({
  kind: 'epoch',
  epoch: number,
  step: number * 10,
  learningRate: 0.1,
  seconds: 0.5,
  train: { crossEntropy: 1 / number, classificationError: 0.1 },
});
const start: MetricsRecord = {
  kind: 'run-start',
  formatVersion: 1,
  runId: 'a',
  time: 't',
  config: {},
  versions: {},
};
const finish = (epochs: number): MetricsRecord => ({
  kind: 'finish',
  status: 'finished',
  time: 't',
  epochs,
  steps: epochs * 10,
  seconds: 1,
});

let count = 0;
/** A run directory with these records and (when given) result.json and status.json. */
function run(
  records: MetricsRecord[],
  result?: { status: string; epochs: number },
  status?: { status: string; epoch: number },
): string {
  count += 1;
  const directory = join(scratch, `run-${count}`);
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'metrics.jsonl'), records.map(serializeRecord).join(''));
  if (result)
    writeFileSync(
      join(directory, 'result.json'),
      JSON.stringify({ status: result.status, summary: { epochs: result.epochs } }),
    );
  if (status) writeFileSync(join(directory, 'status.json'), JSON.stringify({ ...status, step: 0 }));
  return directory;
}

describe('readRunRecords', () => {
  const whole = [start, epoch(1), epoch(2), epoch(3), finish(3)];

  it('returns the records of a run whose files agree (ended, or still running)', () => {
    const ended = run(whole, { status: 'finished', epochs: 3 }, { status: 'finished', epoch: 3 });
    expect(readRunRecords(ended)).toHaveLength(5);
    // Running: status.json's epoch is the last checkpoint, at most the log's last epoch.
    expect(
      readRunRecords(run([start, epoch(1), epoch(2)], undefined, { status: 'running', epoch: 1 })),
    ).toHaveLength(3);
    expect(readRunRecords(run([start], undefined, { status: 'failed', epoch: 0 }))).toHaveLength(1);
  });

  it('refuses a log shorter than result.json says', () => {
    const directory = run(
      [start, epoch(1)],
      { status: 'finished', epochs: 3 },
      { status: 'finished', epoch: 3 },
    );
    expect(() => readRunRecords(directory)).toThrow(
      new InconsistentRunError(
        `${directory}: metrics.jsonl says "running" after 1 epoch(s) but result.json says "finished" after 3; the log is incomplete, edited or from another run (refusing to report it)`,
      ),
    );
  });

  it('refuses status.json "running" beside a result, and an ended status.json the log does not match', () => {
    expect(() =>
      readRunRecords(run(whole, { status: 'finished', epochs: 3 }, { status: 'running', epoch: 3 })),
    ).toThrow('status.json says "running" but result.json says "finished"');
    expect(() => readRunRecords(run(whole, undefined, { status: 'finished', epoch: 6 }))).toThrow(
      'metrics.jsonl says "finished" after 3 epoch(s) but status.json says "finished" after 6',
    );
    expect(() => readRunRecords(run([start, epoch(1)], undefined, { status: 'running', epoch: 2 }))).toThrow(
      'status.json says epoch 2 was saved but metrics.jsonl records epochs up to 1',
    );
  });

  it('names the log file and line of a bad record', () => {
    const bad = { ...epoch(2), train: { classificationError: -5 } } as MetricsRecord;
    const directory = run([start, epoch(1), bad]);
    expect(() => readRunRecords(directory)).toThrow(MetricsFormatError);
    expect(() => readRunRecords(directory)).toThrow(
      `${join(directory, 'metrics.jsonl')} line 3: epoch record: "train.classificationError" must be in [0, 1]; got -5`,
    );
  });
});

describe('readRunState', () => {
  const unfinished = [start, epoch(1), epoch(2)];

  it('leaves a log with a finish record to say how the run ended', () => {
    const records = [...unfinished, finish(2)];
    expect(readRunState(run(records, undefined, { status: 'failed', epoch: 1 }), records)).toBeUndefined();
  });

  it('takes failed and its message from status.json (a run that failed on a full disk)', () => {
    const directory = run(unfinished);
    writeFileSync(
      join(directory, 'status.json'),
      JSON.stringify({ status: 'failed', epoch: 1, step: 10, message: 'no space left on /x/metrics.jsonl' }),
    );
    expect(readRunState(directory, unfinished)).toEqual({
      status: 'failed',
      message: 'no space left on /x/metrics.jsonl',
    });
  });

  it('is running while a live process holds the lock, and not once its holder is gone', () => {
    const directory = run(unfinished, undefined, { status: 'running', epoch: 1 });
    const lock = lockDirectory(directory, 'contour train --out a');
    expect(readRunState(directory, unfinished)).toEqual({ status: 'running' });
    lock.release();
    // A process that has exited: its pid is free (or another process's, which does not count).
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(
      join(directory, lockFileName),
      JSON.stringify({ pid: gone, hostname: hostname(), startedAt: 't', command: 'contour train --out a' }),
    );
    expect(readRunState(directory, unfinished)).toEqual({
      status: 'failed',
      message: `not running: its writer (pid ${gone}, contour train --out a) ended without finishing it`,
    });
  });

  it('without a lock: running while status.json says so, not running without status.json', () => {
    expect(readRunState(run(unfinished, undefined, { status: 'running', epoch: 1 }), unfinished)).toEqual({
      status: 'running',
    });
    expect(readRunState(run(unfinished), unfinished)).toEqual({
      status: 'failed',
      message: 'not running: metrics.jsonl has no finish record and no status.json or live writer',
    });
  });
});

describe('markRunFailed', () => {
  afterEach(() => vi.restoreAllMocks());

  function runningDirectory(name: string): string {
    const directory = join(scratch, name);
    mkdirSync(directory, { recursive: true });
    writeStatus(directory, { status: 'running', epoch: 3, step: 30, updatedAt: 't' });
    return directory;
  }

  it('writes status.json as failed with the first line of the error, keeping epoch and step', () => {
    const directory = runningDirectory('mark-failed');
    markRunFailed(directory, new Error('no space left on x/metrics.jsonl\nstack'));
    const status = JSON.parse(readFileSync(join(directory, 'status.json'), 'utf8'));
    expect(status).toMatchObject({
      status: 'failed',
      epoch: 3,
      step: 30,
      message: 'no space left on x/metrics.jsonl',
    });
  });

  it('removes status.json when even that cannot be written (a full disk), and does not throw', () => {
    const directory = runningDirectory('mark-failed-full');
    vi.spyOn(fs, 'writeSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    expect(() => markRunFailed(directory, new Error('no space left'))).not.toThrow();
    vi.restoreAllMocks();
    expect(existsSync(join(directory, 'status.json'))).toBe(false);
    expect(readdirNames(directory)).toEqual([]);
  });
});

/** A directory's entries (no temporary file may be left behind). */
function readdirNames(directory: string): string[] {
  return fs.readdirSync(directory).sort();
}
