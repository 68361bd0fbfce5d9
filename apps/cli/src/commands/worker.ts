import type { BackendChoice } from '@contour/core';
import type { QueueWorker } from '@contour/queue';
import {
  defaultStackSize,
  maxConcurrency,
  maxStackSize,
  parseQueueUrl,
  QueueOptionError,
} from '@contour/queue/options';
import type { Command } from 'commander';
import { parsePositiveInteger, UsageError } from '../usage-error.js';

interface WorkerFlags {
  queue?: string;
  concurrency?: string;
  stack?: string;
  backend: string;
  queueName?: string;
}

/** Backends a worker can train on in Node.js. */
export const workerBackends: readonly BackendChoice[] = ['auto', 'cpu', 'wasm', 'node'];

/**
 * `contour worker --queue redis://host:6379`: pulls sweep trials from the queue and trains them in
 * child processes until Ctrl-C / SIGTERM (which lets running trials finish; a second one stops
 * at once and their trials go to other workers).
 */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('train trials of sweeps run with --queue, pulled from Redis (BullMQ), until stopped')
    .option('--queue <url>', 'the Redis address shared with `contour sweep --queue`, e.g. redis://host:6379')
    .option(
      '--concurrency <n>',
      `training passes at once, each in its own reused process (default: number of cores, at most ${maxConcurrency})`,
    )
    .option(
      '--stack <k>',
      `compatible trials (same data, model, batch size, epochs; other rates, schedules or optimizers) one pass trains together (default ${defaultStackSize}, at most ${maxStackSize}; 1: one at a time)`,
    )
    .option('--backend <name>', `backend for trials that ask for auto: ${workerBackends.join(', ')}`, 'auto')
    .option('--queue-name <name>', 'the BullMQ queue (default contour-trials)')
    .action(async (flags: WorkerFlags) => {
      if (flags.queue === undefined)
        throw new UsageError('--queue is required, e.g. --queue redis://host:6379');
      const concurrency =
        flags.concurrency === undefined
          ? undefined
          : parsePositiveInteger('--concurrency', flags.concurrency, maxConcurrency);
      const stack =
        flags.stack === undefined ? undefined : parsePositiveInteger('--stack', flags.stack, maxStackSize);
      if (!workerBackends.includes(flags.backend as BackendChoice)) {
        throw new UsageError(`--backend must be one of ${workerBackends.join(', ')}; got "${flags.backend}"`);
      }
      try {
        parseQueueUrl(flags.queue);
      } catch (error) {
        if (error instanceof QueueOptionError) throw new UsageError(error.message);
        throw error;
      }
      // BullMQ, ioredis and the training engine load once the flags are checked.
      const { startQueueWorker } = await import('@contour/queue');
      let worker: QueueWorker;
      try {
        worker = await startQueueWorker({
          queueUrl: flags.queue,
          backend: flags.backend as BackendChoice,
          ...(concurrency === undefined ? {} : { concurrency }),
          ...(stack === undefined ? {} : { stack }),
          ...(flags.queueName === undefined ? {} : { queueName: flags.queueName }),
          onPass: (trialIds) => {
            if (trialIds.length > 1)
              console.error(`stack ${trialIds.length} trials in one pass: ${trialIds.join(', ')}`);
          },
          onTrialStart: (trialId) => console.error(`start ${trialId}`),
          onTrialEnd: (trialId, outcome) =>
            console.error(
              outcome.error === undefined
                ? `done  ${trialId}: ${outcome.status}`
                : `fail  ${trialId}: ${outcome.error.split('\n')[0]}`,
            ),
          onError: (message) => console.error(`worker: ${message}`),
        });
      } catch (error) {
        if (error instanceof QueueOptionError) throw new UsageError(error.message);
        throw error;
      }
      console.error(
        `worker ${worker.name} on ${worker.address}: concurrency ${concurrency ?? 'one per core'}, backend ${flags.backend}, stack ${stack ?? defaultStackSize} (Ctrl-C to stop)`,
      );
      let stops = 0;
      let exitCode = 0;
      const stop = (signal: NodeJS.Signals) => {
        stops += 1;
        exitCode = signal === 'SIGINT' ? 130 : 0;
        if (stops === 1) {
          console.error(
            'stopping: finishing the running trials (again to stop now; other workers will take them over)',
          );
          void worker.close();
        } else {
          void worker.close(true).finally(() => process.exit(exitCode));
        }
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        await worker.closed;
        if (exitCode !== 0) process.exitCode = exitCode;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
