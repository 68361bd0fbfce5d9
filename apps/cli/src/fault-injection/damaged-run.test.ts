import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-cli.js';
import {
  copyRun,
  epochNumbers,
  interruptedRun,
  oneLine,
  quickFlags,
  records,
  snapshot,
} from './run-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-fault-damaged-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** 6 epochs uninterrupted: what every resumed run must equal. */
const reference = join(scratch, 'reference');
/** The same run stopped after epoch 3 (checkpoint at epoch 3). */
const stopped = join(scratch, 'stopped');
beforeAll(async () => {
  expect((await runInProcess(['train', ...quickFlags, '--epochs', '6', '--out', reference])).code).toBe(0);
  await interruptedRun(stopped, 6, { afterEpoch: 3 });
}, 120_000);

type Edit = (directory: string) => void;
const checkpointJson = (directory: string) =>
  JSON.parse(readFileSync(join(directory, 'checkpoint.json'), 'utf8')) as Record<string, unknown>;
const editCheckpoint =
  (change: (checkpoint: Record<string, unknown>) => void): Edit =>
  (directory) => {
    const checkpoint = checkpointJson(directory);
    change(checkpoint);
    writeFileSync(join(directory, 'checkpoint.json'), JSON.stringify(checkpoint));
  };
const firstWeights = (checkpoint: Record<string, unknown>) =>
  (checkpoint.weights as Record<string, number[]>)['head/kernel'] as number[];
const editLog =
  (change: (lines: string[]) => string[]): Edit =>
  (directory) => {
    const path = join(directory, 'metrics.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    writeFileSync(path, `${change(lines).join('\n')}\n`);
  };
const isEpoch = (line: string, epoch: number) =>
  line.includes('"kind":"epoch"') && line.includes(`"epoch":${epoch},`);

/** Damaged or inconsistent run files, each refused on resume (file named, exit 2, nothing changed). */
const damages: Array<[string, Edit, string]> = [
  [
    'checkpoint truncated to half',
    (directory) => {
      const path = join(directory, 'checkpoint.json');
      const text = readFileSync(path, 'utf8');
      writeFileSync(path, text.slice(0, text.length / 2));
    },
    'checkpoint.json: not valid JSON',
  ],
  [
    'checkpoint empty',
    (directory) => writeFileSync(join(directory, 'checkpoint.json'), ''),
    'checkpoint.json: the file is empty',
  ],
  [
    'checkpoint garbage',
    (directory) =>
      writeFileSync(join(directory, 'checkpoint.json'), Buffer.from([0x89, 0x50, 0x00, 0xff, 0x13])),
    'checkpoint.json: not valid JSON',
  ],
  [
    'checkpoint {}',
    (directory) => writeFileSync(join(directory, 'checkpoint.json'), '{}'),
    'checkpoint.json: not a contour training checkpoint',
  ],
  [
    'checkpoint null',
    (directory) => writeFileSync(join(directory, 'checkpoint.json'), 'null'),
    'checkpoint.json: not a checkpoint object',
  ],
  [
    'checkpoint deleted',
    (directory) => rmSync(join(directory, 'checkpoint.json')),
    'checkpoint.json: the file is missing but the run had saved epoch 3 (metrics.jsonl records 3 epoch(s))',
  ],
  [
    'epoch 99',
    editCheckpoint((c) => Object.assign(c, { epoch: 99 })),
    '"epoch" is 99 but the run has 6 epochs',
  ],
  [
    'epoch -5',
    editCheckpoint((c) => Object.assign(c, { epoch: -5 })),
    '"epoch" must be an integer ≥ 1; got -5',
  ],
  [
    'epoch 2.5',
    editCheckpoint((c) => Object.assign(c, { epoch: 2.5 })),
    '"epoch" must be an integer ≥ 1; got 2.5',
  ],
  [
    'epoch "3"',
    editCheckpoint((c) => Object.assign(c, { epoch: '3' })),
    '"epoch" must be an integer ≥ 1; got "3"',
  ],
  ['step missing', editCheckpoint((c) => Object.assign(c, { step: undefined })), '"step" must be an integer'],
  [
    'string weights',
    editCheckpoint((c) => {
      firstWeights(c)[0] = 'bad' as never;
    }),
    '"weights.head/kernel"[0] is "bad", not a finite number',
  ],
  [
    'null (NaN) weight',
    editCheckpoint((c) => {
      firstWeights(c)[7] = null as never;
    }),
    '"weights.head/kernel"[7] is null, not a finite number',
  ],
  [
    'weights one value short',
    editCheckpoint((c) => {
      firstWeights(c).pop();
    }),
    '"weights.head/kernel" holds 7839 values; the model\'s parameter has 7840',
  ],
  [
    'a parameter missing',
    editCheckpoint((c) => {
      delete (c.weights as Record<string, unknown>)['head/bias'];
    }),
    '"weights" holds parameters head/kernel; the model has head/kernel, head/bias',
  ],
  [
    'a weight changed (checksum)',
    editCheckpoint((c) => {
      firstWeights(c)[3] = (firstWeights(c)[3] as number) + 0.25;
    }),
    'its checksum does not match its content',
  ],
  [
    'checksum removed',
    editCheckpoint((c) => Object.assign(c, { checksum: undefined })),
    'it has no checksum',
  ],
  [
    'optimizer state missing',
    editCheckpoint((c) => Object.assign(c, { optimizer: undefined })),
    '"optimizer" must be',
  ],
  [
    'metrics.jsonl deleted',
    (directory) => rmSync(join(directory, 'metrics.jsonl')),
    'the checkpoint is at epoch 3 but metrics.jsonl is missing',
  ],
  [
    'metrics.jsonl garbage line',
    editLog((lines) => [...lines.slice(0, 4), '{"kind":"epo', ...lines.slice(4)]),
    'metrics.jsonl: line 5: not valid JSON',
  ],
  [
    'metrics.jsonl lost epoch 2',
    editLog((lines) => lines.filter((line) => !isEpoch(line, 2))),
    'metrics.jsonl has no record of epoch 2',
  ],
  [
    'metrics.jsonl epoch 2 twice (two writers)',
    editLog((lines) => [...lines, ...lines.filter((line) => isEpoch(line, 2))]),
    'epoch 2 comes after epoch 3',
  ],
  [
    'metrics.jsonl without run-start',
    editLog((lines) => lines.slice(1)),
    'metrics.jsonl has no run-start record',
  ],
];

describe('contour train --resume on damaged run files', () => {
  it.each(damages)(
    '%s: refused in one line naming the file, exit 2, nothing changed',
    async (name, damage, reason) => {
      const directory = copyRun(stopped, join(scratch, name.replace(/\W+/g, '-')));
      damage(directory);
      const before = snapshot(directory);
      const { code, stderr } = await runInProcess(['train', '--resume', directory]);
      expect(code).toBe(2);
      const line = oneLine(stderr);
      expect(line).toContain(reason);
      expect(line).toMatch(/^contour: \//);
      expect(line).toContain(`contour train --resume ${directory} --restart`);
      expect(snapshot(directory)).toEqual(before);
    },
  );

  it('a damaged config.json is refused naming it, exit 2', async () => {
    const directory = copyRun(stopped, join(scratch, 'config-damaged'));
    writeFileSync(join(directory, 'config.json'), '{"formatVersion":1,');
    const before = snapshot(directory);
    const { code, stderr } = await runInProcess(['train', '--resume', directory]);
    expect(code).toBe(2);
    expect(oneLine(stderr)).toBe(`contour: --resume ${directory}: its config.json is not readable`);
    expect(snapshot(directory)).toEqual(before);
  });

  it('an undamaged checkpoint resumes exactly (the checks do not refuse good runs)', async () => {
    const directory = copyRun(stopped, join(scratch, 'intact'));
    // A temp file of an atomic write that a kill -9 left behind is cleaned up on resume.
    writeFileSync(join(directory, `.result.json.${process.pid}.1764590000000.tmp`), '{"run');
    expect((await runInProcess(['train', '--resume', directory])).code).toBe(0);
    expect(epochNumbers(directory)).toEqual(epochNumbers(reference));
    expect(records(directory).filter((record) => record.kind === 'run-start')).toHaveLength(1);
    expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('--restart trains a damaged run again from epoch 1 and keeps the old files aside', async () => {
    const directory = copyRun(stopped, join(scratch, 'restart'));
    writeFileSync(join(directory, 'checkpoint.json'), '{}');
    const oldLog = readFileSync(join(directory, 'metrics.jsonl'), 'utf8');
    expect((await runInProcess(['train', '--resume', directory, '--restart'])).code).toBe(0);
    expect(epochNumbers(directory)).toEqual(epochNumbers(reference));
    expect(records(directory).filter((record) => record.kind === 'run-start')).toHaveLength(1);
    const discarded = readdirSync(directory).filter((name) => name.startsWith('discarded-'));
    expect(discarded).toHaveLength(1);
    const aside = join(directory, discarded[0] as string);
    expect(readFileSync(join(aside, 'metrics.jsonl'), 'utf8')).toBe(oldLog);
    expect(readFileSync(join(aside, 'checkpoint.json'), 'utf8')).toBe('{}');
  });

  it('a run killed before its first checkpoint resumes with one run-start and exact numbers', async () => {
    const directory = join(scratch, 'before-first-checkpoint');
    await interruptedRun(directory, 6, { atStep: 5 });
    expect(existsSync(join(directory, 'checkpoint.json'))).toBe(false);
    expect((await runInProcess(['train', '--resume', directory])).code).toBe(0);
    expect(records(directory).filter((record) => record.kind === 'run-start')).toHaveLength(1);
    expect(epochNumbers(directory)).toEqual(epochNumbers(reference));
  });

  it('--resume with training flags is refused naming them', async () => {
    const directory = copyRun(stopped, join(scratch, 'flags'));
    const before = snapshot(directory);
    const { code, stderr } = await runInProcess([
      'train',
      '--resume',
      directory,
      '--epochs',
      '10',
      '--lr',
      '5',
    ]);
    expect(code).toBe(2);
    expect(oneLine(stderr)).toBe(
      'contour: --resume continues a run with its own config.json; remove --lr, --epochs (or train a new run with --out)',
    );
    expect(snapshot(directory)).toEqual(before);
  });
});
