// Stacked queue trials against the local vectorised sweep (issue 19): the same 50 tiny trials
// (linear model, 500 MNIST images, 1 epoch, batch 64, cpu; 50 rates) trained
//   - locally: `runSweep` in this process (one vectorised pass, as `contour sweep` does);
//   - over the queue with 2 `contour worker` processes (concurrency 1 each), `--stack 1` (one
//     trial per job, as before stacking) and `--stack 8` (the default), with the real
//     coordinator (`runSweepOnQueue`) in this process writing every run directory.
// Workers are long-lived, so they are started (and warmed by one sweep) before the timed runs;
// the local sweep is warmed the same way. Reports each side's median seconds over the repeats.
//
//   pnpm bench:queue-stacked [--repeats 3] [--trials 50] [--stacks 1,8]
//
// Needs Debian's redis-server. Writes bench/results/queue-stacked.json.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandSweep, resolveRunConfig, type SweepTrial } from '../packages/core/src/index.ts';
import { runSweepOnQueue } from '../packages/queue/src/run-sweep-on-queue.ts';
import { startRedisServer } from '../packages/queue/src/start-redis-server.ts';
import { runSweep } from '../packages/runs/src/index.ts';
import { writeResultsFile } from './results-file.ts';

const argument = (name: string) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const repeats = Number(argument('--repeats') ?? 3);
const trialCount = Number(argument('--trials') ?? 50);
const stacks = (argument('--stacks') ?? '1,8').split(',').map(Number);
const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'contour-queue-stacked-'));

const base = resolveRunConfig({
  data: { trainLimit: 500 },
  training: { epochs: 1, batchSize: 64, optimizer: { type: 'sgd', lr: 0.5 } },
  backend: 'cpu',
});
const rates = Array.from({ length: trialCount }, (_, index) =>
  Number((10 ** (-3 + (3 * index) / trialCount)).toPrecision(4)),
);
const trialsFor = (sweepId: string): SweepTrial[] =>
  expandSweep(sweepId, base, [{ key: 'lr', values: rates }]);

function startWorker(url: string, queueName: string, stack: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@contour/source',
      '--import',
      'tsx',
      join(root, 'apps/cli/src/main.ts'),
      'worker',
      '--queue',
      url,
      '--queue-name',
      queueName,
      '--concurrency',
      '1',
      '--stack',
      String(stack),
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (/^worker .+ on /m.test(text)) resolve(child);
    });
    child.once('exit', (code) =>
      reject(new Error(`worker exited with ${code} before it was ready:\n${text}`)),
    );
  });
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const round = (seconds: number) => Math.round(seconds * 100) / 100;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

async function checkFinished(rows: ReadonlyArray<{ status: string }>): Promise<void> {
  const unfinished = rows.filter((row) => row.status !== 'finished' && row.status !== 'diverged');
  if (rows.length !== trialCount || unfinished.length > 0)
    throw new Error(
      `expected ${trialCount} finished trials, got ${rows.length} (${unfinished.length} not finished)`,
    );
}

const redis = await startRedisServer();
const results: Record<string, number[]> = { local: [] };
for (const stack of stacks) results[`queue --stack ${stack}`] = [];
try {
  let sweep = 0;
  const local = async () => {
    sweep += 1;
    const directory = join(scratch, `local-${sweep}`);
    await checkFinished(await runSweep(trialsFor(`local-${sweep}`), { directory, onPlan: () => {} }));
  };
  await local();
  for (let repeat = 0; repeat < repeats; repeat += 1) results.local?.push(await timed(local));

  for (const stack of stacks) {
    const queueName = `stack-${stack}`;
    const workers = await Promise.all([1, 2].map(() => startWorker(redis.url, queueName, stack)));
    try {
      const queued = async () => {
        sweep += 1;
        const directory = join(scratch, `queue-${sweep}`);
        mkdirSync(directory, { recursive: true });
        await checkFinished(
          await runSweepOnQueue(trialsFor(`queue-${sweep}`), { directory, queueUrl: redis.url, queueName }),
        );
      };
      await queued();
      for (let repeat = 0; repeat < repeats; repeat += 1)
        results[`queue --stack ${stack}`]?.push(await timed(queued));
    } finally {
      for (const worker of workers) worker.kill('SIGTERM');
    }
  }
} finally {
  await redis.stop();
  rmSync(scratch, { recursive: true, force: true });
}

const rows = Object.entries(results).map(([path, seconds]) => ({
  path,
  medianSeconds: round(median(seconds)),
  seconds: seconds.map(round),
}));
console.log(`${trialCount} trials (linear, 500 images, 1 epoch, cpu), median of ${repeats}:`);
console.log('| path | median s | runs s |\n|---|---:|---|');
for (const row of rows) console.log(`| ${row.path} | ${row.medianSeconds} | ${row.seconds.join(', ')} |`);
writeResultsFile(join(root, 'bench/results/queue-stacked.json'), {
  date: new Date().toISOString(),
  trials: trialCount,
  repeats,
  workers: 2,
  rows,
});
