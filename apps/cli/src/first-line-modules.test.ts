import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { commandIndex } from './command-index.js';
import { repositoryRoot } from './test-support/run-cli.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const preload = fileURLToPath(new URL('./test-support/record-module-loads.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'contour-first-line-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The modules a command must not load before its first line: tfjs, charts, the queue. */
const heavy = /\/(@tensorflow\/tfjs[^/]*|vega|vega-lite|@resvg\/resvg-js|bullmq|ioredis)\//;

interface Loads {
  /** Module URLs resolved before the first byte of output, and after it. */
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly output: string;
}

/**
 * Runs the CLI (sources, as `pnpm contour`'s tests do) with the module recorder preloaded, until it
 * printed `lines` lines or exited, then stops it; returns what it loaded before its first output.
 */
function loadsOf(args: readonly string[], lines = 1): Promise<Loads> {
  const directory = mkdtempSync(join(scratch, 'run-'));
  const log = join(directory, 'modules.log');
  const child = spawn(
    process.execPath,
    ['--conditions=@contour/source', '--import', 'tsx', '--import', preload, main, ...args],
    {
      cwd: repositoryRoot,
      env: { ...process.env, CONTOUR_MODULE_LOG: log, INIT_CWD: directory },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise((done) => {
    const finish = (): void => {
      child.kill('SIGKILL');
      const entries = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
      const first = entries.indexOf('first-output');
      done({
        before: first === -1 ? entries : entries.slice(0, first),
        after: first === -1 ? [] : entries.slice(first + 1),
        output,
      });
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.split('\n').length > lines) finish();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', finish);
  });
}

const heavyIn = (urls: readonly string[]) => [...new Set(urls.filter((url) => heavy.test(url)))];

describe('the first output line', () => {
  it('of a sweep comes before tfjs loads, which the recorder sees load after it', async () => {
    const out = join(scratch, 'sweep');
    const loads = await loadsOf(['sweep', '--preset', 'mnist-lr-sweep', '--epochs', '1', '--out', out], 2);
    expect(loads.output).toMatch(/^sweep sweep: 5 trials → /);
    expect(heavyIn(loads.before)).toEqual([]);
    // The second line (the training path) needs the engine: the recorder must have seen it load.
    expect(loads.after.some((url) => url.includes('/@tensorflow/tfjs-core/'))).toBe(true);
  });

  it('of find-lr comes before tfjs loads', async () => {
    const loads = await loadsOf(['find-lr', '--iters', '20', '--out', join(scratch, 'find-lr')]);
    expect(loads.output).toMatch(/^range test .* over 20 batches/);
    expect(heavyIn(loads.before)).toEqual([]);
  });

  it('of train (run <id> started) and of finetune (pretraining a dense model) comes before tfjs loads', async () => {
    const quick = ['--epochs', '1', '--train-limit', '200', '--backend', 'cpu'];
    const train = await loadsOf(['train', ...quick, '--out', join(scratch, 'train-run')], 2);
    const [first, second] = train.output.split('\n');
    expect(first).toMatch(/^run run-[0-9a-f]+ started: 1 epochs$/);
    expect(second).toMatch(/^epoch 1 \| /);
    expect(heavyIn(train.before)).toEqual([]);
    // The second line (epoch 1) needs the engine: the recorder must have seen it load.
    expect(train.after.some((url) => url.includes('/@tensorflow/tfjs-core/'))).toBe(true);
    const out = join(scratch, 'finetune-run');
    const finetune = await loadsOf(['finetune', ...quick, '--out', out], 2);
    expect(finetune.output.split('\n').slice(0, 2)).toEqual([
      `pretrain: pretrain → ${join(out, 'pretrain')}`,
      '[pretrain] run pretrain started: 1 epochs',
    ]);
    expect(heavyIn(finetune.before)).toEqual([]);
    expect(finetune.after.some((url) => url.includes('/@tensorflow/tfjs-core/'))).toBe(true);
  });

  it('of train and finetune, a usage error, comes before tfjs loads', async () => {
    for (const command of ['train', 'finetune']) {
      const loads = await loadsOf([command, '--epochs', '0', '--out', join(scratch, command)]);
      expect(loads.output, command).toMatch(/^contour: .*epochs/);
      expect(heavyIn(loads.before), command).toEqual([]);
    }
  });

  it('of a training command with --plugin: a usage error comes before the plugin module loads, a first line after it', async () => {
    const plugin = join(repositoryRoot, 'examples/schedule-plugin/src/index.ts');
    const pluginLoaded = (urls: readonly string[]) =>
      urls.some((url) => url.includes('/examples/schedule-plugin/'));
    for (const command of ['train', 'sweep']) {
      const out = join(scratch, `${command}-plugin`);
      const loads = await loadsOf([
        command,
        '--plugin',
        plugin,
        '--lr',
        '0.1',
        '--epochs',
        '0',
        '--out',
        out,
      ]);
      expect(loads.output, command).toMatch(/^contour: --epochs must be an integer ≥ 1/);
      expect(pluginLoaded(loads.before), command).toBe(false);
    }
    // The recorder sees the plugin load when the flags are good: before find-lr's first line, no tfjs.
    const schedule = '{"type":"acme:warmSine","steps":10}';
    const loads = await loadsOf(['find-lr', '--plugin', plugin, '--schedule', schedule, '--iters', '20']);
    expect(loads.output).toMatch(/^range test .* over 20 batches/);
    expect(pluginLoaded(loads.before)).toBe(true);
    expect(heavyIn(loads.before)).toEqual([]);
  });

  it("of every command's --help loads no tfjs, chart or queue module", async () => {
    for (const { name } of commandIndex) {
      const loads = await loadsOf([name, '--help']);
      expect(loads.output, name).toContain(`Usage: contour ${name}`);
      expect(heavyIn(loads.before), name).toEqual([]);
    }
    for (const subcommand of ['status', 'clean']) {
      const loads = await loadsOf(['queue', subcommand, '--help']);
      expect(loads.output, subcommand).toContain(`Usage: contour queue ${subcommand}`);
      expect(heavyIn(loads.before), subcommand).toEqual([]);
    }
  });

  it('of race, worker and queue, a usage error, comes before tfjs, bullmq or ioredis loads', async () => {
    const cases: ReadonlyArray<readonly [readonly string[], RegExp]> = [
      [['race', '--surface', 'nowhere'], /^contour: --surface must be one of rosenbrock, /],
      [['race', '--preset', 'classic-race', '--steps', '0'], /^contour: --steps /],
      [['worker'], /^contour: --queue is required/],
      [['worker', '--queue', 'http://host:6379'], /^contour: --queue must start with redis:\/\//],
      [['queue', 'status'], /^contour: --queue is required/],
      [['queue', 'clean', '--queue', 'nowhere'], /^contour: --queue must be a Redis address/],
    ];
    for (const [args, message] of cases) {
      const loads = await loadsOf(args);
      expect(loads.output, args.join(' ')).toMatch(message);
      expect(heavyIn(loads.before), args.join(' ')).toEqual([]);
    }
  });
});
