import type { QueueStatus } from '@contour/queue';
import { parseQueueUrl, QueueOptionError, type TrialJobState, trialJobStates } from '@contour/queue/options';
import type { Command } from 'commander';
import { compactTable } from '../compact-table.js';
import { UsageError } from '../usage-error.js';

/**
 * Parses a `--queue` flag (a bad address is a UsageError, exit 2) and checks at once that Redis
 * answers (QueueConnectionError naming the address, exit 1). Call it before writing anything.
 *
 * @returns the address as given, for `runSweepOnQueue({ queueUrl })`.
 */
export async function connectQueueFlag(url: string): Promise<string> {
  let address: ReturnType<typeof parseQueueUrl>;
  try {
    address = parseQueueUrl(url);
  } catch (error) {
    if (error instanceof QueueOptionError) throw new UsageError(error.message);
    throw error;
  }
  const { checkQueueConnection } = await import('@contour/queue');
  await checkQueueConnection(address);
  return url;
}

/** `killed-003-1a2b3c4d` → `killed`: the sweep a trial id belongs to. */
export function sweepIdOf(trialId: string): string {
  return trialId.replace(/-\d+-[0-9a-f]{8}$/, '');
}

/** 1234567 → `1.2 MB` (decimal units, as Redis's own `used_memory_human` is not). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'unknown';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function countsLine(counts: Readonly<Record<TrialJobState, number>>): string {
  return trialJobStates.map((state) => `${state} ${counts[state]}`).join(' · ');
}

function printStatus(status: QueueStatus, sweepId: string | undefined): void {
  console.log(
    `${status.address} queue ${status.queueName}: ${status.workers.length} worker(s)${
      status.workers.length > 0 ? ` (${status.workers.join(', ')})` : ''
    }`,
  );
  console.log(countsLine(status.counts));
  console.log(
    `Redis: ${formatBytes(status.redis.usedMemoryBytes)} used (INFO memory used_memory), ${status.redis.keys} keys`,
  );
  if (status.jobs.length === 0) {
    console.log(sweepId === undefined ? 'no jobs' : `no jobs of sweep ${sweepId}`);
    return;
  }
  if (sweepId === undefined) {
    const sweeps = new Map<string, Record<TrialJobState, number>>();
    for (const job of status.jobs) {
      const id = sweepIdOf(job.id);
      const counts =
        sweeps.get(id) ??
        (Object.fromEntries(trialJobStates.map((state) => [state, 0])) as Record<TrialJobState, number>);
      counts[job.state] += 1;
      sweeps.set(id, counts);
    }
    const table = compactTable(['sweep', ...trialJobStates]);
    for (const [id, counts] of sweeps)
      table.push([id, ...trialJobStates.map((state) => String(counts[state]))]);
    console.log(table.toString());
    return;
  }
  const table = compactTable(['trial', 'state', 'epoch', 'started', 'worker', 'result']);
  for (const job of status.jobs) {
    table.push([
      job.id,
      job.state,
      job.epoch === undefined ? '' : `${job.epoch}/${job.epochs ?? '?'}`,
      String(job.attemptsStarted),
      job.worker ?? '',
      job.result ?? job.error ?? '',
    ]);
  }
  console.log(table.toString());
}

interface QueueFlags {
  queue?: string;
  queueName?: string;
  sweep?: string;
  json?: boolean;
  failed?: boolean;
  all?: boolean;
}

function queueSelection(flags: QueueFlags) {
  if (flags.queue === undefined) throw new UsageError('--queue is required, e.g. --queue redis://host:6379');
  try {
    parseQueueUrl(flags.queue);
  } catch (error) {
    if (error instanceof QueueOptionError) throw new UsageError(error.message);
    throw error;
  }
  if (flags.sweep !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(flags.sweep)) {
    throw new UsageError(`--sweep must be a sweep id (letters, digits, ".", "_", "-"); got "${flags.sweep}"`);
  }
  return {
    queueUrl: flags.queue,
    ...(flags.queueName === undefined ? {} : { queueName: flags.queueName }),
    ...(flags.sweep === undefined ? {} : { sweepId: flags.sweep }),
  };
}

/** `contour queue status|clean`: shows and clears the jobs of distributed sweeps. */
export function registerQueueCommand(program: Command): void {
  const queue = program
    .command('queue')
    .description('show or clear the trials of sweeps run with --queue (Redis + BullMQ)');
  queue
    .command('status')
    .description('job counts, connected workers and, with --sweep, every trial of that sweep')
    .option('--queue <url>', 'the Redis address, e.g. redis://host:6379')
    .option('--sweep <id>', 'only this sweep (its id: the --id or --out folder name of the sweep)')
    .option('--queue-name <name>', 'the BullMQ queue (default contour-trials)')
    .option('--json', 'print the status as JSON')
    .action(async (flags: QueueFlags) => {
      const selection = queueSelection(flags);
      // BullMQ and ioredis load once the flags are checked.
      const { queueStatus } = await import('@contour/queue');
      const status = await queueStatus(selection);
      if (flags.json) console.log(JSON.stringify(status, null, 2));
      else printStatus(status, flags.sweep);
    });
  queue
    .command('clean')
    .description("remove a sweep's jobs and stored results from Redis (files in --out are kept)")
    .option('--queue <url>', 'the Redis address, e.g. redis://host:6379')
    .option('--sweep <id>', 'only this sweep')
    .option('--all', 'every sweep of the queue')
    .option('--failed', 'only failed trials (run the sweep again to retry them)')
    .option('--queue-name <name>', 'the BullMQ queue (default contour-trials)')
    .action(async (flags: QueueFlags) => {
      const selection = queueSelection(flags);
      if ((flags.sweep === undefined) === (flags.all !== true)) {
        throw new UsageError('queue clean needs exactly one of --sweep <id> or --all');
      }
      const { cleanQueue } = await import('@contour/queue');
      const result = await cleanQueue({ ...selection, ...(flags.failed ? { states: ['failed'] } : {}) });
      console.log(`removed ${result.removed.length} job(s)`);
      if (result.active.length > 0) {
        console.error(
          `${result.active.length} running trial(s) kept (stop their workers first): ${result.active.join(', ')}`,
        );
      }
    });
}
