import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMetricsFile } from '@contour/metrics-logger/node';
import { loadMnistDataset } from '@contour/mnist-loader/node';
import { createIdxFixture, deriveIdxFiles, writeIdxFixtureDirectory } from '@contour/mnist-loader/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsProcess, runInProcess } from '../test-support/run-cli.js';

// Real IDX directories derived from the embedded digits: 26 classes (digits, mirrored digits,
// transposed digits) and 14×14 images (2×2 block means).
const scratch = mkdtempSync(join(tmpdir(), 'contour-cli-data-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const letters = join(scratch, 'letters-26');
const small = join(scratch, 'digits-14x14');
beforeAll(async () => {
  const digits = await loadMnistDataset();
  await writeIdxFixtureDirectory(
    letters,
    deriveIdxFiles(digits, { trainCount: 1200, testCount: 200, classes: 'letters' }),
  );
  await writeIdxFixtureDirectory(
    small,
    deriveIdxFiles(digits, { trainCount: 1200, testCount: 200, downsample: 2 }),
  );
});

const epochs = (directory: string) =>
  readMetricsFile(join(directory, 'metrics.jsonl')).records.flatMap((record) =>
    record.kind === 'epoch' ? [record] : [],
  );
const quick = ['--backend', 'cpu', '--batch-size', '50', '--epochs', '2', '--lr', '0.5', '--json'];

describe('contour train --data (IDX beyond ten 28×28 digits)', () => {
  it('trains on 26 classes inferred from the labels and reports per-epoch metrics', () => {
    const out = join(scratch, 'run-letters');
    const { code, stderr } = runAsProcess(['train', '--data', letters, ...quick, '--out', out]);
    expect(stderr.split('\n').filter((line) => line.startsWith('contour:'))).toEqual([]);
    expect(code).toBe(0);
    const records = epochs(out);
    expect(records.map((record) => record.epoch)).toEqual([1, 2]);
    // Chance on 26 classes is an error of 25/26 ≈ 0.96; a linear model learns far better.
    expect(records[1]?.validation?.classificationError).toBeLessThan(0.5);
    const weights = JSON.parse(readFileSync(join(out, 'model', 'model.json'), 'utf8'));
    expect(weights.modelTopology).toMatchObject({ inputSize: 784, outputSize: 26 });
  });

  it('trains on 14×14 images: the linear model takes rows×cols inputs', () => {
    const out = join(scratch, 'run-small');
    const { code } = runAsProcess(['train', '--data', small, ...quick, '--out', out]);
    expect(code).toBe(0);
    const records = epochs(out);
    expect(records.map((record) => record.epoch)).toEqual([1, 2]);
    // Chance on ten classes is an error of 0.9.
    expect(records[1]?.validation?.classificationError).toBeLessThan(0.4);
    const weights = JSON.parse(readFileSync(join(out, 'model', 'model.json'), 'utf8'));
    expect(weights.modelTopology).toMatchObject({ inputSize: 196, outputSize: 10 });
  });

  it('takes --classes K (a larger head) and refuses labels beyond it in one line', () => {
    const out = join(scratch, 'run-k');
    expect(runAsProcess(['train', '--data', small, '--classes', '12', ...quick, '--out', out]).code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'model', 'model.json'), 'utf8')).modelTopology.outputSize).toBe(
      12,
    );
    const refusedOut = join(scratch, 'refused');
    const refused = runAsProcess([
      'train',
      '--data',
      letters,
      '--classes',
      '10',
      ...quick,
      '--out',
      refusedOut,
    ]);
    expect(refused.code).toBe(2);
    // Item 1 of the embedded training split is a 1, mirrored: class 11 (the issue's own example).
    expect(refused.stderr.trim()).toBe(
      `contour: ${join(letters, 'train-labels-idx1-ubyte')}: label[1] must be in 0..9; got 11`,
    );
    // Nothing written: the directory it locked is gone, so the same command can run again.
    expect(existsSync(refusedOut)).toBe(false);
  });

  it.each([
    ['train', []],
    ['finetune', ['--model', 'mlp:16', '--source-classes', '0,1,2,3,4']],
  ])('%s refuses a truncated IDX file in one line, before its first line', async (command, extra) => {
    const truncated = join(scratch, `truncated-${command}`);
    const files = await writeIdxFixtureDirectory(truncated, createIdxFixture().files);
    writeFileSync(files.testImages, readFileSync(files.testImages).subarray(0, 100));
    const out = join(scratch, `refused-${command}`);
    const { code, stderr } = await runInProcess([command, '--data', truncated, ...extra, '--out', out]);
    expect([code, stderr.trim()]).toEqual([
      2,
      `contour: ${files.testImages}: file length must be exactly ${16 + 10 * 28 * 28} bytes (as its header declares); got 100 bytes (truncated)`,
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['1', 'contour: --classes: "classCount" must be an integer in 2..256; got 1'],
    ['x', 'contour: --classes must be an integer ≥ 1; got "x"'],
  ])('refuses --classes %s in one line', async (value, message) => {
    const { code, stderr } = await runInProcess(['train', '--classes', value, '--epochs', '1']);
    expect([code, stderr.trim()]).toEqual([2, message]);
  });
});
