import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-cli.js';
import { parseClassList, parseLayerMultipliers } from './finetune.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-cli-finetune-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const run = (args: string[]) => runInProcess(['finetune', ...args]);
const quick = [
  '--data',
  'mnist',
  '--train-limit',
  '500',
  '--backend',
  'cpu',
  '--model',
  'mlp:32',
  '--epochs',
  '2',
  '--batch-size',
  '32',
];

describe('parseLayerMultipliers', () => {
  it('reads layer=multiplier lists', () => {
    expect(parseLayerMultipliers(['head=10,hidden2=2', 'hidden1=0.5'])).toEqual({
      head: 10,
      hidden2: 2,
      hidden1: 0.5,
    });
    expect(() => parseLayerMultipliers(['head'])).toThrow('--lr-mult must look like head=10');
    expect(() => parseLayerMultipliers(['head=-1'])).toThrow('--lr-mult must look like head=10');
  });
});

describe('parseClassList', () => {
  it('reads lists and ranges', () => {
    expect(parseClassList('--target-classes', '5-9')).toEqual([5, 6, 7, 8, 9]);
    expect(parseClassList('--target-classes', '0-2,7')).toEqual([0, 1, 2, 7]);
    expect(() => parseClassList('--target-classes', '1,1')).toThrow('lists a class twice');
    expect(() => parseClassList('--source-classes', 'a')).toThrow('--source-classes must list classes');
  });
});

describe('contour finetune', () => {
  it('--compare pretrains on 0–4, then overlays boosted head, one rate and scratch on 5–9 in one report', async () => {
    const out = join(scratch, 'compare');
    const { code, stdout, stderr } = await run([...quick, '--compare', '--out', out, '--json']);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.source).toMatchObject({ pretrained: true, classes: [0, 1, 2, 3, 4] });
    expect(summary.targetClasses).toEqual([5, 6, 7, 8, 9]);
    expect(summary.runs.map((item: { name: string }) => item.name)).toEqual([
      'boosted-head',
      'global-rate',
      'scratch',
    ]);
    for (const item of summary.runs) {
      expect(item.status).toBe('finished');
      expect(item.finalValidationError).toBeLessThan(0.8);
    }
    for (const file of [
      'report.html',
      'sweep.svg',
      'results.json',
      'pretrain/model/model.json',
      'boosted-head/loss-and-rate.svg',
    ])
      expect(existsSync(join(out, file)), file).toBe(true);
    const config = JSON.parse(readFileSync(join(out, 'boosted-head', 'config.json'), 'utf8'));
    expect(config.config.training.optimizer).toEqual({
      type: 'sgd',
      lr: 0.01,
      groups: [{ layer: 'head', lrMult: 10 }],
    });
    expect(config.config.data.classes).toEqual([5, 6, 7, 8, 9]);
    const pretrain = JSON.parse(readFileSync(join(out, 'pretrain', 'config.json'), 'utf8'));
    expect(pretrain.config.training.optimizer).toEqual({ type: 'sgd', lr: 0.1 });
    expect(pretrain.config.data.classes).toEqual([0, 1, 2, 3, 4]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const text of [
      'boosted-head',
      'global-rate',
      'scratch',
      'Diagnostics',
      'learning rate applied per step',
    ])
      expect(html).toContain(text);

    // --from the pretrained run, with frozen hidden1 and gradual unfreezing: one run.
    const again = join(scratch, 'from');
    const second = await run([
      '--from',
      join(out, 'pretrain'),
      '--train-limit',
      '300',
      '--backend',
      'cpu',
      '--epochs',
      '2',
      '--freeze',
      'hidden1',
      '--lr-mult',
      'head=5',
      '--out',
      again,
    ]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('finetune (fine-tune): final val err');
    const saved = JSON.parse(readFileSync(join(again, 'finetune', 'config.json'), 'utf8'));
    expect(saved.config.training.optimizer.groups).toEqual([
      { layer: ['hidden1'], frozen: true },
      { layer: 'head', lrMult: 5 },
    ]);
    expect(saved.finetune.from).toBe(join(out, 'pretrain'));
  });

  it('rejects bad settings with exit 2 naming the flag', async () => {
    let count = 0;
    const bad = (args: string[]) => {
      count += 1;
      return run([...quick, ...args, '--out', join(scratch, `bad-${count}`)]);
    };
    expect((await bad(['--freeze', 'hidden7'])).stderr).toContain(
      '--freeze: "freeze" must be layers of the model',
    );
    const until = await bad(['--freeze-until', '2']);
    expect(until.code).toBe(2);
    expect(until.stderr).toContain('--freeze-until: "freezeUntil" must be an integer in 0..1');
    // Nothing was trained or written for bad settings.
    expect(existsSync(join(scratch, 'bad-2'))).toBe(false);
    expect((await bad(['--discriminative', '0.1'])).stderr).toContain('--discriminative must be two rates');
    // A run directory @contour/layers' contourLogger wrote (its config.json has no data section).
    const layersRun = join(scratch, 'layers-run');
    mkdirSync(layersRun, { recursive: true });
    writeFileSync(
      join(layersRun, 'config.json'),
      JSON.stringify({ formatVersion: 1, runId: 'own', config: { source: '@contour/layers' } }),
    );
    const fromLayers = await run(['--from', layersRun, '--out', join(scratch, 'bad-from-layers')]);
    expect(fromLayers.code).toBe(2);
    expect(existsSync(join(scratch, 'bad-from-layers'))).toBe(false);
    expect(fromLayers.stderr).toBe(
      `contour: --from ${layersRun}: its config.json names no data classes (recorded by @contour/layers); give a run directory contour train, sweep or finetune wrote\n`,
    );
    const linear = await run(['--model', 'linear', '--out', join(scratch, 'bad2')]);
    expect(linear.code).toBe(2);
    expect(linear.stderr).toContain('has no hidden layer');
  });
});
