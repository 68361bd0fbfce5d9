import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMetricsFile } from '@contour/metrics-logger/node';
import { loadMnistDataset } from '@contour/mnist-loader/node';
import { deriveIdxFiles, writeIdxFixtureDirectory } from '@contour/mnist-loader/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot, runAsProcess, runInProcess } from '../test-support/run-cli.js';

// The example CNN (examples/mnist-cnn/model.json: conv 5×5×8 → pool → conv 5×5×16 → pool → dense
// 10) through every command that takes --model, as real processes on the `auto` backend (wasm).
const cnn = 'examples/mnist-cnn/model.json';
const scratch = mkdtempSync(join(tmpdir(), 'contour-cli-model-json-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const letters = join(scratch, 'letters-26');
const small = join(scratch, 'digits-14x14');
const cnn26 = join(scratch, 'cnn-26.json');
beforeAll(async () => {
  const digits = await loadMnistDataset();
  await writeIdxFixtureDirectory(
    letters,
    deriveIdxFiles(digits, { trainCount: 1500, testCount: 200, classes: 'letters' }),
  );
  await writeIdxFixtureDirectory(
    small,
    deriveIdxFiles(digits, { trainCount: 300, testCount: 50, downsample: 2 }),
  );
  // The same CNN with a 26-unit head, as a user would edit it for 26 classes.
  const json = JSON.parse(readFileSync(join(repositoryRoot, cnn), 'utf8'));
  json.modelTopology.config.layers.at(-1).config.units = 26;
  writeFileSync(cnn26, JSON.stringify(json));
});

const epochs = (directory: string) =>
  readMetricsFile(join(directory, 'metrics.jsonl')).records.flatMap((record) =>
    record.kind === 'epoch' ? [record] : [],
  );
const momentum = ['--optimizer', '{"type":"sgd","momentum":0.9}', '--lr', '0.05'];

describe('contour --model PATH/model.json', () => {
  it('find-lr runs the range test on the CNN and suggests rates inside the sweep', () => {
    const out = join(scratch, 'find-lr');
    const { code, stdout } = runAsProcess([
      'find-lr',
      '--model',
      cnn,
      '--train-limit',
      '1500',
      '--iters',
      '40',
      '--out',
      out,
      '--json',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.curve).toHaveLength(40);
    for (const name of ['valley', 'slide', 'minimum', 'steep']) {
      expect(result.suggestions[name].learningRate).toBeGreaterThan(1e-7);
      expect(result.suggestions[name].learningRate).toBeLessThan(10);
    }
    expect(result.trainCommand).toContain(`--model ${cnn}`);
    expect(existsSync(join(out, 'find-lr.png'))).toBe(true);
  });

  it('train --epochs 1 writes a run directory with per-layer update ratios and a tfjs-layers model', () => {
    const out = join(scratch, 'train-cnn');
    const { code } = runAsProcess([
      'train',
      '--model',
      cnn,
      '--epochs',
      '1',
      '--train-limit',
      '1500',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const [record] = epochs(out);
    expect(record?.epoch).toBe(1);
    expect(Object.keys(record?.updateRatios ?? {})).toEqual(['conv1', 'conv2', 'head']);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.config.training.model).toMatchObject({ type: 'layers', layers: { path: cnn } });
    const saved = JSON.parse(readFileSync(join(out, 'model', 'model.json'), 'utf8'));
    expect(saved.format).toBe('layers-model');
    expect(saved.weightsManifest[0].weights.map((weight: { name: string }) => weight.name)).toEqual([
      'conv1/kernel',
      'conv1/bias',
      'conv2/kernel',
      'conv2/bias',
      'head/kernel',
      'head/bias',
    ]);
    for (const file of ['loss.png', 'update-ratio.svg', 'checkpoint.json', 'result.json'])
      expect(existsSync(join(out, file)), file).toBe(true);
  });

  it("a model.json with weights (a run's saved model) starts from them: at rate 0 it scores as it was saved", () => {
    const source = join(scratch, 'train-cnn');
    const out = join(scratch, 'from-weights');
    const saved = join(source, 'model', 'model.json');
    const args = [
      'train',
      '--model',
      saved,
      '--epochs',
      '1',
      '--train-limit',
      '1500',
      '--lr',
      '0',
      '--out',
      out,
    ];
    expect(runAsProcess(args).code).toBe(0);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.config.training.model.layers.weights).toBe(saved);
    expect(epochs(out)[0]?.validation).toEqual(epochs(source)[0]?.validation);
    expect(epochs(out)[0]?.train).toEqual(epochs(source)[0]?.train);
    rmSync(join(source, 'model', 'weights.bin'));
    const missing = runAsProcess([...args.slice(0, -1), join(scratch, 'never-written')]);
    expect([missing.code, missing.stderr.trim()]).toEqual([
      2,
      `contour: "model weights" must be the files its weightsManifest names, beside it; got "${saved}: weights.bin is missing"`,
    ]);
    expect(existsSync(join(scratch, 'never-written'))).toBe(false);
  });

  it('the CNN beats the one-layer model on validation error after 2 epochs (same data, optimizer, rate)', () => {
    const error = (model: string, name: string) => {
      const out = join(scratch, name);
      const args = [
        'train',
        '--model',
        model,
        '--epochs',
        '2',
        '--train-limit',
        '3000',
        ...momentum,
        '--out',
        out,
      ];
      expect(runAsProcess(args).code).toBe(0);
      return epochs(out).at(-1)?.validation?.classificationError ?? Number.NaN;
    };
    const linear = error('linear', 'compare-linear');
    const convolutional = error(cnn, 'compare-cnn');
    // Measured by hand with --train-limit 4000 (3,200 training, 800 validation): linear 0.111, CNN 0.048.
    expect(linear).toBeLessThan(0.2);
    expect(convolutional, `CNN ${convolutional} against linear ${linear}`).toBeLessThan(linear * 0.75);
  });

  it('a CNN whose head has 26 units trains on 26 classes', () => {
    const out = join(scratch, 'cnn-26');
    const { code } = runAsProcess([
      'train',
      '--data',
      letters,
      '--model',
      cnn26,
      '--epochs',
      '1',
      ...momentum,
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const [record] = epochs(out);
    // Chance on 26 classes is an error of 25/26.
    expect(record?.validation?.classificationError).toBeLessThan(0.8);
  });

  it('sweep trains the CNN one trial at a time and says why', async () => {
    const out = join(scratch, 'sweep');
    const { code, stderr } = runAsProcess([
      'sweep',
      '--model',
      cnn,
      '--lr',
      '0.05,0.01',
      '--epochs',
      '1',
      '--train-limit',
      '800',
      '--workers',
      '0',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain(
      'path: one at a time in this process — trials 0, 1 (they cannot be trained together: trial 0 uses a model.json (layers models train one trial at a time))',
    );
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.map((result: { status: string }) => result.status)).toEqual(['finished', 'finished']);
  });

  it('finetune --compare pretrains the CNN on 0–4, then fine-tunes a new 5-unit head, a global rate and scratch on 5–9', () => {
    const out = join(scratch, 'finetune');
    const { code } = runAsProcess([
      'finetune',
      '--model',
      cnn,
      '--compare',
      '--epochs',
      '1',
      '--train-limit',
      '1500',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    for (const run of ['pretrain', 'boosted-head', 'global-rate', 'scratch']) {
      expect(JSON.parse(readFileSync(join(out, run, 'status.json'), 'utf8')).status, run).toBe('finished');
    }
    const head = (run: string) =>
      JSON.parse(readFileSync(join(out, run, 'model', 'model.json'), 'utf8')).weightsManifest[0].weights.find(
        (weight: { name: string }) => weight.name === 'head/kernel',
      ).shape;
    expect([head('pretrain'), head('boosted-head'), head('scratch')]).toEqual([
      [256, 5],
      [256, 5],
      [256, 5],
    ]);
    // The fine-tuned run starts from the pretrained convolutions: it beats scratch after one epoch.
    const error = (run: string) => epochs(join(out, run)).at(-1)?.validation?.classificationError ?? 1;
    expect(error('boosted-head')).toBeLessThan(error('scratch'));
  });

  it('Ctrl-C exits 130 and --resume continues to the numbers of an uninterrupted run', async () => {
    const args = [
      'train',
      '--model',
      cnn,
      '--epochs',
      '3',
      '--train-limit',
      '1000',
      '--seed',
      '4',
      ...momentum,
    ];
    const whole = join(scratch, 'whole');
    expect(runAsProcess([...args, '--out', whole]).code).toBe(0);
    const interrupted = join(scratch, 'interrupted');
    const main = fileURLToPath(new URL('../main.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--conditions=@contour/source', '--import', 'tsx', main, ...args, '--out', interrupted],
      { cwd: repositoryRoot, env: { ...process.env, INIT_CWD: repositoryRoot } },
    );
    let stderr = '';
    const exitCode = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (chunk) => {
        stderr += String(chunk);
        if (stderr.includes('epoch 1 |') && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (code) => resolve(code));
    });
    expect(exitCode).toBe(130);
    expect(JSON.parse(readFileSync(join(interrupted, 'status.json'), 'utf8')).status).toBe('interrupted');
    expect(epochs(interrupted).length).toBeLessThan(3);
    expect(runAsProcess(['train', '--resume', interrupted]).code).toBe(0);
    const train = (directory: string) => epochs(directory).map((record) => [record.epoch, record.train]);
    expect(train(interrupted)).toEqual(train(whole));
  });
});

describe('contour --model PATH/model.json (bad input)', () => {
  it.each([
    [
      'a JSON file that is not a tfjs-layers topology',
      () => {
        const path = join(scratch, 'not-layers.json');
        writeFileSync(path, '{"format":"contour-model","modelTopology":{"spec":{"type":"linear"}}}');
        return ['--model', path];
      },
      (path: string) =>
        `contour: --model: "model" must be a tfjs-layers model.json (modelTopology with class_name Sequential or Model, and its layers); got "${path}: modelTopology.class_name is absent"`,
    ],
    [
      'a missing file',
      () => ['--model', join(scratch, 'absent.json')],
      (path: string) =>
        `contour: --model ${path}: must be a readable tfjs-layers model.json; got no such file`,
    ],
    [
      'an input size that does not fit the data (the 28×28 CNN on 14×14 images)',
      () => ['--model', join(repositoryRoot, cnn), '--data', small],
      (path: string) =>
        `contour: "model input" must be 196 values per example (the data's images); got "${path}: input shape [28, 28, 1]"`,
    ],
    [
      "an output size other than the data's class count (10 units, 26 classes)",
      () => ['--model', join(repositoryRoot, cnn), '--data', letters],
      (path: string) =>
        `contour: "model output" must be 26 units (the data's classes); got "${path}: output shape [null, 10]"`,
    ],
  ])('refuses %s: exit 2, one line, nothing written', async (_, flags, message) => {
    const args = flags();
    const out = join(scratch, `refused-${args.length}-${Math.random().toString(36).slice(2)}`);
    const { code, stderr } = await runInProcess(['train', ...args, '--epochs', '1', '--out', out]);
    expect([code, stderr.trim()]).toEqual([2, message(args[1] as string)]);
    expect(existsSync(out)).toBe(false);
  });
});
