import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { MetricsLogger } from '../metrics-logger.js';
import type { MetricsRecord } from '../records.js';
import { divergingRun, steadyRun } from '../test-support/sample-runs.js';
import { ConsoleSink } from './console-sink.js';
import { JsonlFileSink, readMetricsFile } from './jsonl-file-sink.js';
import { writeFileAtomic } from './write-file-atomic.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-metrics-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('JsonlFileSink', () => {
  it('writes step records only when flushed, and flushes at every epoch through the logger', () => {
    const path = join(scratch, 'run1/metrics.jsonl');
    const sink = new JsonlFileSink(path);
    const logger = new MetricsLogger([sink]);
    logger.log(steadyRun[0] as never);
    logger.log({ kind: 'step', epoch: 1, step: 0, loss: 2.3, learningRate: 0.1 });
    expect(readMetricsFile(path).records).toHaveLength(1);
    logger.log(steadyRun[1] as never);
    expect(readMetricsFile(path).records.map((record) => record.kind)).toEqual([
      'run-start',
      'step',
      'epoch',
    ]);
    logger.close();
  });
  it('cuts a torn last line before appending, so a resumed run continues on a clean line', () => {
    const path = join(scratch, 'run2/metrics.jsonl');
    const first = new JsonlFileSink(path);
    first.write(steadyRun[1] as never);
    first.close();
    appendFileSync(path, '{"kind":"epoch","epoch":2,"st');
    expect(readMetricsFile(path).tornLastLine).toBe('{"kind":"epoch","epoch":2,"st');
    const second = new JsonlFileSink(path);
    second.write(steadyRun[2] as never);
    second.close();
    const { records, tornLastLine } = readMetricsFile(path);
    expect(tornLastLine).toBeUndefined();
    expect(records.map((record) => (record.kind === 'epoch' ? record.epoch : -1))).toEqual([1, 2]);
  });
});

describe('ConsoleSink', () => {
  it('prints one line per epoch and event and a summary at the end', () => {
    const stream = new PassThrough();
    let output = '';
    stream.on('data', (chunk) => {
      output += String(chunk);
    });
    const sink = new ConsoleSink({ stream, label: 'lr=1', progressBar: false });
    for (const record of divergingRun) sink.write(record);
    const lines = output.trimEnd().split('\n');
    expect(lines[1]).toBe('[lr=1] epoch 1 | train ce 2 err 0.5 | val ce 2.1 err 0.5 | lr 0.1 | 0.50s');
    expect(lines).toContain('[lr=1] diverged: loss is NaN at step 35');
    expect(lines.at(-2)).toBe(
      '[lr=1] diverged after 4 epochs (35 steps, 2.0s) | best val ce 2 at epoch 3 | best val err 0.5 | diverged at epoch 4 | overfit gap 0.2',
    );
    // Then the automatic findings, one line each.
    expect(lines.at(-1)).toBe('[lr=1] finding: diverged at epoch 4 (NaN) (loss is NaN at step 35)');
  });

  it('prints the run-start line ahead of its record once (announceRunStart), the same text', () => {
    const print = (announce: (sink: ConsoleSink) => void) => {
      const stream = new PassThrough();
      let output = '';
      stream.on('data', (chunk) => {
        output += String(chunk);
      });
      const sink = new ConsoleSink({ stream, label: 'lr=1', progressBar: false });
      announce(sink);
      const before = output;
      for (const record of records) sink.write(record);
      return { before, lines: output.trimEnd().split('\n') };
    };
    const epochs = 4;
    const records = [{ ...divergingRun[0], epochs } as MetricsRecord, ...divergingRun.slice(1)];
    const plain = print(() => {});
    expect(plain.before).toBe('');
    const [start] = plain.lines;
    expect(start).toBe('[lr=1] run diverging started: 4 epochs');
    const announced = print((sink) => sink.announceRunStart('diverging', epochs));
    expect(announced.before).toBe(`${start}\n`);
    expect(announced.lines).toEqual(plain.lines);
    // A record that says something else is printed (never silently dropped).
    const other = print((sink) => sink.announceRunStart('another', epochs));
    expect(other.lines).toEqual([`[lr=1] run another started: ${epochs} epochs`, ...plain.lines]);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temp file behind', () => {
    const path = join(scratch, 'atomic/status.json');
    writeFileAtomic(path, '{"status":"running"}');
    writeFileAtomic(path, '{"status":"finished"}');
    expect(readFileSync(path, 'utf8')).toBe('{"status":"finished"}');
    expect(rmSync(join(scratch, 'atomic'), { recursive: true })).toBeUndefined();
  });
});
