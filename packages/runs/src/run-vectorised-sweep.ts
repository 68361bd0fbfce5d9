import { selectBackend } from '@contour/backends';
import type { SweepTrial } from '@contour/core';
import { trainVectorised } from '@contour/core';
import { type EpochRecord, type EventRecord, MetricsLogger } from '@contour/metrics-logger';
import { JsonlFileSink, makeDirectory, writeFileAtomic } from '@contour/metrics-logger/node';
import { type DirectoryLock, lockDirectory } from './directory-lock.js';
import { loadRunDataset } from './load-run-dataset.js';
import { saveModel } from './model-files.js';
import { finishRun, markRunFailed, runFiles, writeCheckpoint, writeStatus } from './run-directory.js';
import { type RunConfigFile, runtimeVersions } from './run-training.js';
import { loadSchedulePlugins } from './schedule-plugins.js';
import type { SweepTrialResult } from './sweep-trial-result.js';

/** Options of {@link runVectorisedTrials}. */
export interface VectorisedTrialsOptions {
  readonly signal?: AbortSignal;
  /** The backend chosen and why (one line), reported before training starts. */
  readonly onBackend?: (name: string, reason: string) => void;
  readonly onTrialStart?: (trial: SweepTrial) => void;
  readonly onEpoch?: (trial: SweepTrial, record: EpochRecord) => void;
  readonly onTrialEnd?: (result: SweepTrialResult) => void;
  /** A trial's events (divergence, interruption) as they are logged. */
  readonly onEvent?: (trial: SweepTrial, event: EventRecord) => void;
  /** See `RunRecorderOptions.pauseAfterEpoch`, per trial. */
  readonly pauseAfterEpoch?: (trial: SweepTrial, epoch: number) => string | undefined;
}

/**
 * Trains a group of sweep trials that differ only in their rate or schedule (see
 * `vectorisedSupport`) in one pass, in this process, writing each trial's run directory exactly
 * as `runTraining` does: `config.json`, `status.json`, `metrics.jsonl`, a checkpoint and `model/`
 * after every finite epoch, `result.json`. The data is loaded once for the group.
 */
export async function runVectorisedTrials(
  group: ReadonlyArray<{ readonly trial: SweepTrial; readonly directory: string }>,
  options: VectorisedTrialsOptions = {},
): Promise<SweepTrialResult[]> {
  const first = group[0];
  if (!first) return [];
  const config = first.trial.config;
  const fail = (message: string) =>
    group.map(({ trial, directory }) => {
      // On a full disk this removes status.json rather than leave it saying `running`.
      markRunFailed(directory, message);
      const result: SweepTrialResult = {
        trial,
        directory,
        status: 'failed',
        summary: undefined,
        reused: false,
        error: message,
      };
      options.onTrialEnd?.(result);
      return result;
    });
  const loggers: MetricsLogger[] = [];
  const locks: DirectoryLock[] = [];
  try {
    // A queue worker's child builds a plugin's schedule only once its module is loaded.
    for (const { trial } of group) await loadSchedulePlugins(trial.config.schedulePlugins);
    const selection = await selectBackend(config.backend);
    options.onBackend?.(selection.name, selection.reason);
    const dataset = await loadRunDataset(config.data, config.training);
    const versions = runtimeVersions();
    // One writer per run directory, as runTraining: taken for the whole group before any write.
    for (const { directory } of group) locks.push(lockDirectory(directory));
    const trials = group.map(({ trial, directory }) => {
      makeDirectory(directory);
      const files = runFiles(directory);
      const configFile: RunConfigFile = {
        formatVersion: 1,
        runId: trial.id,
        createdAt: new Date().toISOString(),
        config: trial.config,
        backend: { requested: selection.requested, chosen: selection.name, reason: selection.reason },
        versions,
      };
      writeFileAtomic(files.config, `${JSON.stringify(configFile, null, 2)}\n`);
      writeStatus(directory, { status: 'running', epoch: 0, step: 0, updatedAt: new Date().toISOString() });
      const logger = new MetricsLogger([new JsonlFileSink(files.metrics)]);
      loggers.push(logger);
      options.onTrialStart?.(trial);
      return {
        config: trial.config.training,
        runId: trial.id,
        recordedConfig: { ...trial.config, backend: selection.name },
        versions,
        logger,
        callbacks: {
          onEpochEnd: (record: EpochRecord) => options.onEpoch?.(trial, record),
          onEvent: (event: EventRecord) => options.onEvent?.(trial, event),
        },
        ...(options.pauseAfterEpoch
          ? { pauseAfterEpoch: (epoch: number) => options.pauseAfterEpoch?.(trial, epoch) }
          : {}),
        saveCheckpoint: async (
          saved: Parameters<typeof writeCheckpoint>[1],
          model: Parameters<typeof saveModel>[0],
        ) => {
          await saveModel(model, files.modelDirectory);
          writeCheckpoint(directory, saved);
          writeStatus(directory, {
            status: 'running',
            epoch: saved.epoch,
            step: saved.step,
            updatedAt: new Date().toISOString(),
          });
        },
      };
    });
    const outcomes = await trainVectorised(trials, {
      dataset,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return outcomes.map((outcome, index) => {
      const { trial, directory } = group[index] as (typeof group)[number];
      (loggers[index] as MetricsLogger).close();
      outcome.model.dispose();
      const summary = finishRun(directory, {
        runId: trial.id,
        status: outcome.status,
        epochs: outcome.epochs,
        steps: outcome.steps,
        stopReason: outcome.stopReason,
        backend: selection.name,
        config: trial.config,
      });
      const result: SweepTrialResult = { trial, directory, status: outcome.status, summary, reused: false };
      options.onTrialEnd?.(result);
      return result;
    });
  } catch (error) {
    for (const logger of loggers) {
      try {
        logger.close();
      } catch {}
    }
    return fail(error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error));
  } finally {
    for (const lock of locks) lock.release();
  }
}
