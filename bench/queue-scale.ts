// Queue scale simulation (issue 19): N trials with a stub trainer (bench/stub-trial-processor.ts,
// about a millisecond each, answering with a real tiny run directory) through a real Redis and
// worker processes, with the real coordinator (`runSweepOnQueue`) in this process writing every
// trial's run directory. Reports throughput (trials/s), the coordinator's peak memory, and Redis's
// memory (INFO memory used_memory: peak while the sweep runs and what is left after it), per N.
//
//   pnpm bench:queue [--trials 1000,10000] [--workers 4] [--concurrency 1]
//
// Needs Debian's redis-server. Writes bench/results/queue-scale.json.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandSweep, resolveRunConfig } from '../packages/core/src/index.ts';
import { createRedisClient, parseQueueUrl } from '../packages/queue/src/queue-connection.ts';
import { redisUsage } from '../packages/queue/src/queue-status.ts';
import { runSweepOnQueue } from '../packages/queue/src/run-sweep-on-queue.ts';
import { startRedisServer } from '../packages/queue/src/start-redis-server.ts';
import { runTraining } from '../packages/runs/src/index.ts';
import { writeResultsFile } from './results-file.ts';

const argument = (name: string) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const sizes = (argument('--trials') ?? '1000,10000').split(',').map(Number);
const workerCount = Number(argument('--workers') ?? 4);
const concurrency = Number(argument('--concurrency') ?? 1);
const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'contour-queue-scale-'));
const megabytes = (bytes: number) => Math.round((bytes / 1e6) * 10) / 10;

function directoryBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    total += entry.isDirectory() ? directoryBytes(child) : statSync(child).size;
  }
  return total;
}

// One real tiny trial (linear model, 500 images, 1 epoch, cpu): the files every stub answer copies.
const base = resolveRunConfig({
  data: { trainLimit: 500 },
  training: { epochs: 1, batchSize: 64, optimizer: { type: 'sgd', lr: 0.5 } },
  backend: 'cpu',
});
const template = join(scratch, 'template');
await runTraining(base, { directory: template, runId: 'template', console: false });
const templateBytes = directoryBytes(template);

function startWorker(url: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@contour/source',
      '--import',
      'tsx',
      join(root, 'bench/queue-scale-worker.ts'),
      url,
      String(concurrency),
    ],
    {
      cwd: root,
      env: { ...process.env, CONTOUR_STUB_TEMPLATE: template },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('ready ')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

interface Row {
  readonly trials: number;
  readonly seconds: number;
  readonly trialsPerSecond: number;
  readonly coordinatorPeakRssMB: number;
  readonly coordinatorPeakHeapMB: number;
  readonly redisBeforeMB: number;
  readonly redisPeakMB: number;
  readonly redisAfterMB: number;
  readonly redisKeysAfter: number;
  readonly sweepDirectoryMB: number;
}

const rows: Row[] = [];
for (const size of sizes) {
  const redis = await startRedisServer();
  const client = createRedisClient(parseQueueUrl(redis.url));
  await client.connect();
  const workers = await Promise.all(Array.from({ length: workerCount }, () => startWorker(redis.url)));
  const before = await redisUsage(client);
  let redisPeak = before.usedMemoryBytes;
  let rssPeak = process.memoryUsage().rss;
  let heapPeak = process.memoryUsage().heapUsed;
  let sampling = false;
  const sampler = setInterval(() => {
    const memory = process.memoryUsage();
    rssPeak = Math.max(rssPeak, memory.rss);
    heapPeak = Math.max(heapPeak, memory.heapUsed);
    if (sampling) return;
    sampling = true;
    void redisUsage(client)
      .then((usage) => {
        redisPeak = Math.max(redisPeak, usage.usedMemoryBytes);
      })
      .finally(() => {
        sampling = false;
      });
  }, 200);
  const rates = Array.from({ length: size }, (_, index) => 0.01 + index * 1e-7);
  const trials = expandSweep(`scale-${size}`, base, [{ key: 'lr', values: rates }]);
  const directory = join(scratch, `sweep-${size}`);
  const started = performance.now();
  const results = await runSweepOnQueue(trials, { directory, queueUrl: redis.url });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const after = await redisUsage(client);
  const finished = results.filter((row) => row.status === 'finished').length;
  if (finished !== size) throw new Error(`${size} trials: only ${finished} finished`);
  rows.push({
    trials: size,
    seconds: Math.round(seconds * 10) / 10,
    trialsPerSecond: Math.round((size / seconds) * 10) / 10,
    coordinatorPeakRssMB: megabytes(rssPeak),
    coordinatorPeakHeapMB: megabytes(heapPeak),
    redisBeforeMB: megabytes(before.usedMemoryBytes),
    redisPeakMB: megabytes(redisPeak),
    redisAfterMB: megabytes(after.usedMemoryBytes),
    redisKeysAfter: after.keys,
    sweepDirectoryMB: megabytes(directoryBytes(directory)),
  });
  console.error(JSON.stringify(rows.at(-1)));
  for (const worker of workers) worker.kill('SIGTERM');
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
  client.disconnect();
  await redis.stop();
  rmSync(directory, { recursive: true, force: true });
}

console.log(
  `queue scale: ${workerCount} worker processes × concurrency ${concurrency}, stub trainer, one run directory of ${megabytes(templateBytes)} MB per trial`,
);
console.log(
  '| trials | seconds | trials/s | coordinator peak RSS MB | coordinator peak heap MB | Redis before MB | Redis peak MB | Redis after MB | Redis keys after | sweep dir MB |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) {
  console.log(
    `| ${row.trials} | ${row.seconds} | ${row.trialsPerSecond} | ${row.coordinatorPeakRssMB} | ${row.coordinatorPeakHeapMB} | ${row.redisBeforeMB} | ${row.redisPeakMB} | ${row.redisAfterMB} | ${row.redisKeysAfter} | ${row.sweepDirectoryMB} |`,
  );
}
writeResultsFile(join(root, 'bench/results/queue-scale.json'), {
  workers: workerCount,
  concurrency,
  templateMB: megabytes(templateBytes),
  rows,
});
rmSync(scratch, { recursive: true, force: true });
process.exit(0);
