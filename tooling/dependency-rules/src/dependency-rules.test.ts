import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repository = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const configFile = join(repository, '.dependency-cruiser.cjs');
// Its package.json is not exported, so the bin is found through this package's node_modules.
const depcruise = join(
  repository,
  'tooling/dependency-rules/node_modules/dependency-cruiser/bin/dependency-cruise.mjs',
);

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

/** Runs the same command as `pnpm check:dependencies` in `directory`; returns the violations. */
function check(directory: string, paths: readonly string[]): Violation[] {
  const output = execFileSync(
    process.execPath,
    [depcruise, '--config', configFile, '--output-type', 'json', '--no-progress', ...paths],
    { cwd: directory, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return (JSON.parse(output) as { summary: { violations: Violation[] } }).summary.violations;
}

const temporaryDirectories: string[] = [];
afterAll(() => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

/** A throwaway tree laid out like the repository: path → file contents. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'contour-dependency-rules-'));
  temporaryDirectories.push(root);
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), contents);
  }
  return root;
}

const clean = {
  'packages/schedules/src/index.ts': 'export const schedule = 1;\n',
  'packages/optimizers/src/index.ts':
    "import { schedule } from '../../schedules/src/index.js';\nexport const rate = schedule;\n",
  'packages/core/src/index.ts':
    "import { rate } from '../../optimizers/src/index.js';\nexport const core = rate;\n",
  'packages/core/src/node/index.ts':
    "import { readFileSync } from 'node:fs';\nimport { core } from '../index.js';\nexport const read = () => readFileSync(String(core));\n",
  'packages/metrics-logger/src/index.ts': 'export const records = [];\n',
  // Laid out as the real one: its modules under dist/, which the rules must still see.
  'node_modules/@tensorflow/tfjs-core/package.json':
    '{"name":"@tensorflow/tfjs-core","main":"dist/index.js"}\n',
  'node_modules/@tensorflow/tfjs-core/dist/index.js': 'export const tensor = 1;\n',
};

const rulesBroken = (files: Record<string, string>) =>
  check(tree({ ...clean, ...files }), ['packages'])
    .map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`)
    .sort();

describe('.dependency-cruiser.cjs', () => {
  it('passes a tree that keeps the layer graph (Node built-ins only behind ./node)', () => {
    expect(rulesBroken({})).toEqual([]);
  });

  it('fails when a lower layer imports a higher one', () => {
    expect(
      rulesBroken({
        'packages/schedules/src/index.ts':
          "import { rate } from '../../optimizers/src/index.js';\nexport const schedule = rate;\n",
      }),
    ).toContain('layer-schedules: packages/schedules/src/index.ts → packages/optimizers/src/index.ts');
  });

  it('fails when a browser-safe entry imports node:*', () => {
    expect(
      rulesBroken({
        'packages/core/src/index.ts':
          "import { readFileSync } from 'node:fs';\nexport const core = readFileSync;\n",
      }),
    ).toEqual(['browser-safe-no-node-builtins: packages/core/src/index.ts → fs']);
  });

  it('fails when a browser-safe entry imports a Node-only entry or package', () => {
    expect(
      rulesBroken({
        'packages/core/src/training.ts': "export { read } from './node/index.js';\n",
      }),
    ).toContain(
      'browser-safe-no-node-only-modules: packages/core/src/training.ts → packages/core/src/node/index.ts',
    );
  });

  it('keeps @contour/runs Node-only and above core: it may use node:*, core may not import it, nor may browser code', () => {
    const runs = {
      'packages/runs/src/index.ts':
        "import { readFileSync } from 'node:fs';\nimport { core } from '../../core/src/index.js';\nexport const run = () => readFileSync(String(core));\n",
    };
    expect(rulesBroken(runs)).toEqual([]);
    expect(
      rulesBroken({
        ...runs,
        'packages/core/src/training.ts': "export { run } from '../../runs/src/index.js';\n",
      }),
    ).toEqual([
      'browser-safe-no-node-only-modules: packages/core/src/training.ts → packages/runs/src/index.ts',
      'layer-core: packages/core/src/training.ts → packages/runs/src/index.ts',
    ]);
  });

  it('fails when metrics-logger or schedules imports tfjs', () => {
    expect(
      rulesBroken({
        'packages/metrics-logger/src/index.ts':
          "import { tensor } from '@tensorflow/tfjs-core';\nexport const records = [tensor];\n",
      }),
    ).toEqual([
      'no-tfjs-below-tensors: packages/metrics-logger/src/index.ts → node_modules/@tensorflow/tfjs-core/dist/index.js',
    ]);
  });

  it('fails when a tfjs-free entry reaches tfjs through another module, even by a type-only import', () => {
    const spec = "import { rule } from './rule.js';\nexport const spec = rule;\n";
    expect(
      rulesBroken({
        'packages/optimizers/src/spec.ts': spec,
        'packages/optimizers/src/rule.ts':
          "import { tensor } from '@tensorflow/tfjs-core';\nexport const rule = tensor;\n",
      }),
    ).toEqual([
      'light-entries-load-no-tfjs: packages/optimizers/src/spec.ts → node_modules/@tensorflow/tfjs-core/dist/index.js',
    ]);
    expect(
      rulesBroken({
        'packages/optimizers/src/spec.ts': spec,
        'packages/optimizers/src/rule.ts':
          "import type { Tensor } from '@tensorflow/tfjs-core';\nexport const rule: Tensor | 1 = 1;\n",
      }),
    ).toEqual([
      'light-entries-load-no-tfjs: packages/optimizers/src/spec.ts → node_modules/@tensorflow/tfjs-core/dist/index.js',
    ]);
    // The same module is fine behind the main entry.
    expect(
      rulesBroken({
        'packages/optimizers/src/rule.ts':
          "import { tensor } from '@tensorflow/tfjs-core';\nexport const rule = tensor;\n",
      }),
    ).toEqual([]);
    // A race's option names, as the CLI's `race --help` reads them.
    expect(
      rulesBroken({
        'packages/race/src/spec.ts': "export type { Racer } from './race.js';\n",
        'packages/race/src/race.ts':
          "import type { Tensor } from '@tensorflow/tfjs-core';\nexport type Racer = Tensor;\n",
      }),
    ).toEqual([
      'light-entries-load-no-tfjs: packages/race/src/spec.ts → node_modules/@tensorflow/tfjs-core/dist/index.js',
    ]);
  });

  it("fails when the queue's light entry reaches BullMQ or ioredis, even by a type-only import", () => {
    const queueClients = {
      'node_modules/bullmq/package.json': '{"name":"bullmq","main":"dist/index.js"}\n',
      'node_modules/bullmq/dist/index.js': 'export const Queue = 1;\n',
      'node_modules/ioredis/package.json': '{"name":"ioredis","main":"dist/index.js"}\n',
      'node_modules/ioredis/dist/index.js': 'export const Redis = 1;\n',
    };
    const options =
      "import { defaultQueueName } from './queue-connection.js';\nexport const name = defaultQueueName;\n";
    expect(
      rulesBroken({
        ...queueClients,
        'packages/queue/src/options.ts': options,
        'packages/queue/src/queue-connection.ts':
          "import { Redis } from 'ioredis';\nexport const defaultQueueName = String(Redis);\n",
      }),
    ).toEqual([
      'light-entries-load-no-queue-client: packages/queue/src/options.ts → node_modules/ioredis/dist/index.js',
    ]);
    expect(
      rulesBroken({
        ...queueClients,
        'packages/queue/src/options.ts': options,
        'packages/queue/src/queue-connection.ts':
          "import type { JobType } from 'bullmq';\nexport const defaultQueueName: JobType | string = 'q';\n",
      }),
    ).toEqual([
      'light-entries-load-no-queue-client: packages/queue/src/options.ts → node_modules/bullmq/dist/index.js',
    ]);
    // The same module is fine behind the main entry.
    expect(
      rulesBroken({
        ...queueClients,
        'packages/queue/src/index.ts': options,
        'packages/queue/src/queue-connection.ts':
          "import { Redis } from 'ioredis';\nexport const defaultQueueName = String(Redis);\n",
      }),
    ).toEqual([]);
  });

  it('fails on an import cycle, even a type-only one', () => {
    expect(
      rulesBroken({
        'packages/core/src/node/a.ts': "import type { B } from './b.js';\nexport type A = { b?: B };\n",
        'packages/core/src/node/b.ts': "import type { A } from './a.js';\nexport type B = { a?: A };\n",
      }),
    ).toEqual(['no-circular: packages/core/src/node/a.ts → packages/core/src/node/b.ts']);
  });

  it('fails on an import that does not resolve', () => {
    expect(rulesBroken({ 'packages/core/src/typo.ts': "export { core } from './idnex.js';\n" })).toEqual([
      'not-to-unresolvable: packages/core/src/typo.ts → ./idnex.js',
    ]);
  });

  it('passes on the repository itself', () => {
    expect(check(repository, ['packages/race/src', 'packages/core/src', 'apps/web/src'])).toEqual([]);
  });
});
