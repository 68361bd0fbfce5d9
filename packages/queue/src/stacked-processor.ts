// The queue worker's processor when it trains in its own reused child processes: a job it gets
// (the "leader") claims up to `stack - 1` more waiting trials that can be trained with it in one
// vectorised pass, and the pass trains them together. Each claimed trial stays its own BullMQ job
// — its own lock, renewed by this (main) process while the pass runs, its own progress, result,
// failure and retries — because the worker processes it like any job (`processJob`); its
// processor call only waits for its part of the pass. A killed worker's claimed trials all stay
// locked until their locks expire, then other workers take them over (stalled-job detection).
import { type BackendChoice, groupVectorisedTrials, type SweepTrial } from '@contour/core';
import type { WorkerProcessPool } from '@contour/runs';
import { loadSchedulePlugins } from '@contour/runs/files';
import { type Job, UnrecoverableError, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { StackedTrainReply, StackedTrainRequest } from './stacked-trial-job.js';
import type { TrialJobData, TrialJobResult } from './trial-job.js';
import { jobTrial, workerTrialConfig } from './trial-training.js';

/** Options of {@link createStackedProcessor}. */
export interface StackedProcessorOptions {
  /** The worker running this processor (known once it is constructed). */
  readonly worker: () => Worker<TrialJobData, TrialJobResult>;
  /** Trials trained in one pass at most (1: one at a time). */
  readonly stack: number;
  /** The worker's reused child processes, one pass each at a time. */
  readonly pool: WorkerProcessPool<StackedTrainRequest, StackedTrainReply>;
  /** A connection to the worker's Redis, to look at the next waiting trial before claiming it. */
  readonly client: Redis;
  /** The worker's backend for trials that ask for `auto` (it decides which trials stack). */
  readonly backend: BackendChoice;
  readonly onTrialStart?: (trialId: string) => void;
  /** The trials of each pass as it starts (one id: trained alone). */
  readonly onPass?: (trialIds: readonly string[]) => void;
}

interface Deferred {
  readonly promise: Promise<TrialJobResult>;
  resolve(result: TrialJobResult): void;
  reject(error: Error): void;
  settled: boolean;
}

function deferred(): Deferred {
  let resolve: (result: TrialJobResult) => void = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<TrialJobResult>((done, failed) => {
    resolve = done;
    reject = failed;
  });
  // Awaited by the worker's processJob; never an unhandled rejection before that.
  promise.catch(() => {});
  const state: Deferred = {
    promise,
    settled: false,
    resolve: (result) => {
      if (state.settled) return;
      state.settled = true;
      resolve(result);
    },
    reject: (error) => {
      if (state.settled) return;
      state.settled = true;
      reject(error);
    },
  };
  return state;
}

/** Whether `candidate` can join `group` in one vectorised pass (the local sweep's check). */
function stacksWith(group: readonly SweepTrial[], candidate: SweepTrial): boolean {
  const together = [...group, candidate];
  const { groups } = groupVectorisedTrials(together);
  return groups.length === 1 && groups[0]?.length === together.length;
}

/** The processor of a stacking queue worker (see the module comment). */
export function createStackedProcessor(
  options: StackedProcessorOptions,
): (job: Job<TrialJobData, TrialJobResult>, token?: string) => Promise<TrialJobResult> {
  // Trials claimed by a leader: their own processor call waits for the pass's answer.
  const claimed = new Map<string, Deferred>();
  // Their processing by the worker (completion written to Redis), awaited by the leader.
  const extraJobs = new Map<string, Promise<unknown>>();
  let claims = 0;
  return async (job, token) => {
    const waiting = claimed.get(job.id as string);
    if (waiting) return waiting.promise;
    const leader = jobTrial(job.id, job.data);
    const effective = (trial: SweepTrial) => ({
      ...trial,
      config: workerTrialConfig(trial, options.backend).config,
    });
    const group: SweepTrial[] = [effective(leader)];
    const jobs: Array<Job<TrialJobData, TrialJobResult>> = [job];
    const worker = options.worker();
    // A plugin's schedule is built (to see whether it stacks) once its module is loaded here too;
    // one that cannot be loaded trains alone, and its child reports why it fails.
    await loadSchedulePlugins(leader.config.schedulePlugins).catch(() => {});
    // Claim more only when the leader itself can train stacked (e.g. not a model.json).
    // Successive-halving stages train alone (each from its own rung checkpoint to its own epoch).
    const canStack =
      options.stack > 1 &&
      token !== undefined &&
      job.data?.successiveHalving === undefined &&
      stacksWith(group, group[0] as SweepTrial);
    // The next waiting trial, looked at before it is claimed: a claim counts as a started attempt.
    const peek = async (): Promise<SweepTrial | undefined> => {
      const nextId = await options.client.lindex(worker.toKey('wait'), -1);
      if (nextId === null) return undefined;
      const data = await options.client.hget(worker.toKey(nextId), 'data');
      try {
        const parsed = JSON.parse(data ?? 'null') as TrialJobData;
        if (parsed?.successiveHalving !== undefined) return undefined;
        return effective(jobTrial(nextId, parsed));
      } catch {
        return undefined;
      }
    };
    while (canStack && jobs.length < options.stack) {
      const upcoming = await peek().catch(() => undefined);
      if (upcoming === undefined || !stacksWith(group, upcoming)) break;
      claims += 1;
      const claimToken = `${token}:stack-${claims}`;
      const next = await worker.getNextJob(claimToken, { block: false });
      if (!next) break;
      let trial: SweepTrial | undefined;
      try {
        trial =
          next.data?.successiveHalving === undefined ? effective(jobTrial(next.id, next.data)) : undefined;
      } catch {
        trial = undefined;
      }
      if (trial === undefined || !stacksWith(group, trial)) {
        // Another worker took the one looked at: this one is not for this pass, so back to the
        // queue (and stop claiming, so that a queue of other trials is not cycled through).
        await next.moveToWait(claimToken).catch(() => {});
        break;
      }
      group.push(trial);
      jobs.push(next);
      const answer = deferred();
      claimed.set(next.id as string, answer);
      // The worker handles it as its own job: lock renewal, completion or failure, retries.
      const processing = worker
        .processJob(next, claimToken, () => false)
        .finally(() => {
          claimed.delete(next.id as string);
        });
      extraJobs.set(next.id as string, processing);
    }
    const answers = new Map<string, Deferred>(
      jobs.map((claimedJob) => [claimedJob.id as string, claimed.get(claimedJob.id as string) ?? deferred()]),
    );
    options.onPass?.(jobs.map((claimedJob) => claimedJob.id as string));
    for (const claimedJob of jobs) options.onTrialStart?.(claimedJob.id as string);
    const request: StackedTrainRequest = {
      type: 'train',
      jobs: jobs.map((claimedJob) => ({ id: claimedJob.id as string, data: claimedJob.data })),
    };
    try {
      await options.pool.run(request, (reply) => {
        if (reply.type === 'end') return true;
        const target = jobs.find((candidate) => candidate.id === reply.jobId);
        const answer = answers.get(reply.jobId);
        if (!target || !answer) return false;
        if (reply.type === 'progress') target.updateProgress(reply.progress as never).catch(() => {});
        else if (reply.type === 'result') answer.resolve(reply.result);
        else answer.reject(reply.final ? new UnrecoverableError(reply.message) : new Error(reply.message));
        return false;
      });
    } catch (error) {
      // The child crashed or was stopped: every unanswered trial of the pass gets another attempt.
      for (const answer of answers.values()) answer.reject(error as Error);
    }
    for (const [jobId, answer] of answers) {
      answer.reject(new Error(`trial ${jobId}: the training process answered nothing for it`));
    }
    // The leader's job ends after its companions' (a closing worker waits for the leader only).
    await Promise.allSettled(jobs.slice(1).map((claimedJob) => extraJobs.get(claimedJob.id as string)));
    for (const claimedJob of jobs.slice(1)) extraJobs.delete(claimedJob.id as string);
    return (answers.get(job.id as string) as Deferred).promise;
  };
}
