import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolveRunConfig } from '@contour/core';
import { readMetricsFile } from '@contour/metrics-logger/node';
import { type RedisServer, startRedisServer } from '@contour/queue/testing';
import { loadSchedulePlugins, runTraining } from '@contour/runs';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshot } from '../fault-injection/run-fixtures.js';
import { repositoryRoot, runAsProcess, runInProcess } from '../test-support/run-cli.js';

// The example plugin package's own source: its `acme:warmSine` and `acme:inverseSqrt`.
const plugin = join(repositoryRoot, 'examples/schedule-plugin/src/index.ts');
const pluginUrl = pathToFileURL(plugin).href;
const scratch = mkdtempSync(join(tmpdir(), 'contour-cli-plugin-training-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** 640 images, 20 % held out: 512 training images, 8 steps of 64 per epoch. */
const quick = ['--train-limit', '640', '--batch-size', '64', '--backend', 'cpu'];
const stepsPerEpoch = 8;

/** The example plugin's formulas, written out here from its documentation. */
const warmSine = (lr: number, steps: number, floor: number) => (t: number) =>
  lr * (floor + (1 - floor) * Math.sin((Math.PI / 2) * Math.min(1, t / steps)));
const inverseSqrt = (lr: number, warmup: number) => (t: number) =>
  lr * Math.sqrt(warmup) * Math.min((t + 1) ** -0.5, (t + 1) * warmup ** -1.5);

/** The rate each step of a run applied, as metrics.jsonl records it, by step t. */
function stepRates(directory: string): number[] {
  return readMetricsFile(join(directory, 'metrics.jsonl')).records.flatMap((record, index, records) => {
    if (record.kind !== 'step') return [];
    expect(record.step).toBe(records.slice(0, index).filter((other) => other.kind === 'step').length);
    return [record.learningRate];
  });
}

/** Asserts every recorded step rate against `formula(t)`; returns how many there were. */
function expectRates(directory: string, formula: (t: number) => number): number {
  const rates = stepRates(directory);
  expect(rates.length).toBeGreaterThan(0);
  rates.forEach((rate, t) => {
    expect(rate, `${directory} step ${t}`).toBeCloseTo(formula(t), 12);
  });
  return rates.length;
}

const readConfig = (directory: string) =>
  JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8')).config as {
    schedulePlugins?: string[];
    training: { optimizer: { lr: Record<string, number> } };
  };

const trialDirectories = (sweep: string) =>
  readdirSync(join(sweep, 'trials')).map((name) => join(sweep, 'trials', name));

/** `contour sweep` of the quick data with the example plugin, `epochs` epochs, no images, into `out`. */
const sweepWithPlugin = (out: string, epochs: string, flags: readonly string[]) =>
  runInProcess([
    'sweep',
    ...quick,
    '--epochs',
    epochs,
    '--plugin',
    plugin,
    ...flags,
    '--plots',
    'none',
    '--out',
    out,
  ]);

function writeModule(name: string, source: string): string {
  const path = join(scratch, name);
  writeFileSync(path, source);
  return path;
}

describe('contour train --plugin', () => {
  it("trains with the plugin's schedule: config.json records the module, each step's rate is its formula, report and charts drawn", async () => {
    const out = join(scratch, 'train');
    const { code, stdout, stderr } = await runInProcess([
      'train',
      ...quick,
      '--epochs',
      '2',
      '--plugin',
      plugin,
      '--schedule',
      '{"type":"acme:warmSine","steps":10,"floor":0.2}',
      '--lr',
      '0.5',
      '--out',
      out,
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'finished', summary: { epochs: 2 } });
    const config = readConfig(out);
    expect(config.schedulePlugins).toEqual([pluginUrl]);
    expect(config.training.optimizer.lr).toEqual({ type: 'acme:warmSine', lr: 0.5, steps: 10, floor: 0.2 });
    expect(expectRates(out, warmSine(0.5, 10, 0.2))).toBe(2 * stepsPerEpoch);
    expect(existsSync(join(out, 'learning-rate.svg'))).toBe(true);

    // A fresh process without the plugin reports the run from its records.
    const report = runAsProcess(['report', out]);
    expect(report.code, report.stderr).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('The schedule under the loss it produced');
  }, 120_000);

  it('resumes an interrupted run in a fresh process that loads the plugin config.json names, to the numbers of an uninterrupted run', async () => {
    await loadSchedulePlugins([pluginUrl]);
    const config = resolveRunConfig({
      data: { source: 'mnist', validation: 0.2, trainLimit: 640 },
      training: {
        model: 'linear',
        optimizer: { type: 'sgd', lr: { type: 'acme:inverseSqrt', lr: 0.6, warmupSteps: 6 }, momentum: 0.9 },
        epochs: 3,
        batchSize: 64,
        seed: 4,
      },
      backend: 'cpu',
      schedulePlugins: [pluginUrl],
    });
    const whole = join(scratch, 'whole');
    await runTraining(config, { directory: whole, console: false });
    const cut = join(scratch, 'cut');
    const controller = new AbortController();
    const stopped = await runTraining(config, {
      directory: cut,
      console: false,
      signal: controller.signal,
      callbacks: { onEpochEnd: (record) => record.epoch === 1 && controller.abort() },
    });
    expect(stopped.status).toBe('interrupted');

    // A copy whose recorded plugin module is gone: one line naming it, nothing changed.
    const copy = snapshot(cut);
    const moved = join(scratch, 'moved');
    cpSync(cut, moved, { recursive: true });
    const gone = pathToFileURL(join(scratch, 'gone', 'acme.js')).href;
    const configFile = join(moved, 'config.json');
    writeFileSync(
      configFile,
      readFileSync(configFile, 'utf8').replace(JSON.stringify(pluginUrl), JSON.stringify(gone)),
    );
    const before = snapshot(moved);
    const refused = runAsProcess(['train', '--resume', moved]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `contour: schedule plugin ${gone}: module not found (named in ${configFile})\n`,
    );
    expect(snapshot(moved)).toEqual(before);
    expect(snapshot(cut)).toEqual(copy);

    const resumed = runAsProcess(['train', '--resume', cut, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'finished', summary: { epochs: 3 } });
    const epochs = (directory: string) =>
      readMetricsFile(join(directory, 'metrics.jsonl')).records.flatMap((record) =>
        record.kind === 'epoch' ? [[record.epoch, record.learningRate, record.train, record.validation]] : [],
      );
    expect(epochs(cut)).toEqual(epochs(whole));
    expect(expectRates(cut, inverseSqrt(0.6, 6))).toBe(3 * stepsPerEpoch);
  }, 120_000);
});

describe('contour sweep --plugin', () => {
  it("sweeps the plugin's parameters from a schedule file on the vectorised path", async () => {
    const file = writeModule('warm-sine.json', '{"type":"acme:warmSine","steps":6,"floor":0.25}');
    const out = join(scratch, 'vectorised');
    const { code, stderr } = await sweepWithPlugin(out, '2', [
      '--schedule',
      `@${file}`,
      '--lr',
      '0.5,0.2',
      '--vary',
      'optimizer.lr.steps=4,12',
      '--workers',
      '0',
    ]);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('(4 in one pass, stacked weights)');
    const seen: string[] = [];
    for (const directory of trialDirectories(out)) {
      const config = readConfig(directory);
      expect(config.schedulePlugins).toEqual([pluginUrl]);
      const { lr, steps, floor } = config.training.optimizer.lr as {
        lr: number;
        steps: number;
        floor: number;
      };
      seen.push(`${lr}/${steps}/${floor}`);
      expect(expectRates(directory, warmSine(lr, steps, floor))).toBe(2 * stepsPerEpoch);
    }
    expect(seen.sort()).toEqual(['0.2/12/0.25', '0.2/4/0.25', '0.5/12/0.25', '0.5/4/0.25']);
  }, 120_000);

  it('trains the trials in worker processes that load the plugin themselves', async () => {
    const out = join(scratch, 'workers');
    const { code, stderr } = await sweepWithPlugin(out, '2', [
      '--schedule',
      '{"type":"acme:inverseSqrt","warmupSteps":5}',
      '--lr',
      '0.4,0.1',
      // Early stopping keeps the trials out of the vectorised pass.
      '--early-stopping',
      '5',
      '--workers',
      '2',
    ]);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('path: 2 worker process(es)');
    const rates = trialDirectories(out).map((directory) => {
      const { lr } = readConfig(directory).training.optimizer.lr as { lr: number };
      expect(expectRates(directory, inverseSqrt(lr, 5))).toBe(2 * stepsPerEpoch);
      return lr;
    });
    expect(rates.sort()).toEqual([0.1, 0.4]);
  }, 120_000);

  it('trains the trials on a queue worker (`contour worker`, its own process) that loads the plugin from the job', async () => {
    const redis: RedisServer = await startRedisServer();
    const main = fileURLToPath(new URL('../main.ts', import.meta.url));
    // A process of its own that never saw --plugin: the module travels in the job's config.
    const worker: ChildProcess = spawn(
      process.execPath,
      [
        '--conditions=@contour/source',
        '--import',
        'tsx',
        main,
        'worker',
        '--queue',
        redis.url,
        '--stack',
        '2',
      ],
      { cwd: fileURLToPath(new URL('../../', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    worker.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    worker.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    try {
      const out = join(scratch, 'queue');
      const { code, stderr } = await sweepWithPlugin(out, '1', [
        '--schedule',
        '{"type":"acme:warmSine","steps":5}',
        '--lr',
        '0.5,0.1',
        '--queue',
        redis.url,
      ]);
      expect(code, `${stderr}\n${output}`).toBe(0);
      const rates = trialDirectories(out).map((directory) => {
        const { lr } = readConfig(directory).training.optimizer.lr as { lr: number };
        expect(readConfig(directory).schedulePlugins).toEqual([pluginUrl]);
        expect(expectRates(directory, warmSine(lr, 5, 0))).toBe(stepsPerEpoch);
        return lr;
      });
      expect(rates.sort()).toEqual([0.1, 0.5]);
    } finally {
      worker.kill('SIGTERM');
      await exited;
      await redis.stop();
    }
    expect(output).toMatch(/^done {2}\S+: finished$/m);
  }, 180_000);
});

describe('contour find-lr and finetune --plugin', () => {
  it("find-lr checks the plugin's schedule and passes --plugin on to the train command it suggests", async () => {
    const { code, stdout, stderr } = await runInProcess([
      'find-lr',
      ...quick,
      '--iters',
      '20',
      '--plugin',
      plugin,
      '--schedule',
      '{"type":"acme:warmSine","steps":10}',
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    // The training flags in the order `train` defines them, --plugin included, then the rate.
    const command = `npx contour train --schedule '{"type":"acme:warmSine","steps":10}' --batch-size 64 --backend cpu --train-limit 640 --plugin ${plugin} --lr `;
    const { trainCommand } = JSON.parse(stdout) as { trainCommand: string };
    expect(trainCommand.slice(0, command.length)).toBe(command);
    expect(Number(trainCommand.slice(command.length))).toBeGreaterThan(0);
  }, 120_000);

  it("fine-tunes with the plugin's schedule and records the module in each run's config", async () => {
    const out = join(scratch, 'finetune');
    const { code, stderr } = await runInProcess([
      'finetune',
      ...quick,
      '--model',
      'mlp:16',
      '--epochs',
      '1',
      '--plugin',
      plugin,
      '--schedule',
      '{"type":"acme:warmSine","steps":4}',
      '--lr',
      '0.05',
      '--out',
      out,
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const run = join(out, 'finetune');
    expect(readConfig(run).schedulePlugins).toEqual([pluginUrl]);
    const steps = expectRates(run, warmSine(0.05, 4, 0));
    expect(steps).toBeGreaterThan(0);
  }, 120_000);
});

describe('--plugin bad input', () => {
  const throwing = writeModule('throws.mjs', "throw new Error('acme exploded');");
  const invalid = writeModule(
    'invalid.mjs',
    "export default { specificationVersion: 'v1', meta: { name: 'invalid', version: '1.0.0' }, schedules: { broken: { description: 'no create', parameters: {} } } };",
  );

  it('an unknown plugin type without --plugin: the one-line error with a hint to --plugin, nothing written', () => {
    const out = join(scratch, 'never-unknown');
    const result = runAsProcess([
      'train',
      '--schedule',
      '{"type":"acme:warmSine","steps":10}',
      '--epochs',
      '1',
      '--out',
      out,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^contour: optimizer spec: "lr\.type" of "sgd" must be one of constant, step, .*, or a plugin's "namespace:type" once its plugin is registered \(e\.g\. --plugin <module>\); got "acme:warmSine"\n$/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['train', ['--plugin', './no-such-plugin.js'], 'contour: --plugin ./no-such-plugin.js: module not found'],
    [
      'sweep',
      ['--plugin', './no-such-plugin.js', '--lr', '0.1,0.2'],
      'contour: --plugin ./no-such-plugin.js: module not found',
    ],
    ['train', ['--plugin', throwing], `contour: --plugin ${throwing}: could not be imported: acme exploded`],
    [
      'sweep',
      ['--plugin', invalid, '--lr', '0.1'],
      `contour: --plugin ${invalid}: schedule plugin "invalid": schedule "broken" needs a "create" function and a "parameters" object`,
    ],
    // The flags are checked before any plugin module loads.
    ['train', ['--plugin', throwing, '--epochs', '0'], 'contour: --epochs must be an integer ≥ 1; got "0"'],
    [
      'sweep',
      ['--plugin', throwing, '--lr', '0.1', '--batch-size', 'x'],
      'contour: --batch-size must be an integer ≥ 1; got "x"',
    ],
  ])('%s %j exits 2 with one line and writes nothing', async (command, args, message) => {
    const out = join(scratch, `never-${command}-${args.length}-${message.length}`);
    const { code, stderr } = await runInProcess([command, ...args, '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toBe(`${message}\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('--resume takes the plugins from config.json: --plugin with it is refused', async () => {
    const { code, stderr } = await runInProcess([
      'train',
      '--resume',
      join(scratch, 'train'),
      '--plugin',
      plugin,
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^contour: --resume continues a run with its own config\.json; remove --plugin /);
  });
});
