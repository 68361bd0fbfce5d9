import { existsSync, mkdirSync } from 'node:fs';
import { selectBackend } from '@contour/backends';
import { MetricsLogger, type MetricsSink, type RunStatus, type RunSummary } from '@contour/metrics-logger';
import { ConsoleSink, JsonlFileSink, writeFileAtomic } from '@contour/metrics-logger/node';
import * as tf from '@tensorflow/tfjs-core';
import { checkModelFitsData } from '../model/layers-model-adapter.js';
import { configHash, type RunConfig, resolveRunConfig } from '../run-config.js';
import { type TrainerCallbacks, train } from '../training/trainer.js';
import type { TrainingCheckpoint } from '../training/training-checkpoint.js';
import { loadRunDataset, modelSizes } from './load-run-dataset.js';
import { saveModel } from './model-files.js';
import {
  finishRun,
  markRunFailed,
  readJsonFile,
  runFiles,
  trimMetricsForResume,
  writeCheckpoint,
  writeStatus,
} from './run-directory.js';

/** `config.json` of a run. */
export interface RunConfigFile {
  readonly formatVersion: 1;
  readonly runId: string;
  readonly createdAt: string;
  readonly config: RunConfig;
  readonly backend: { readonly requested: string; readonly chosen: string; readonly reason: string };
  readonly versions: Readonly<Record<string, string>>;
}

/** Options of runTraining. */
export interface RunTrainingOptions {
  /** The run directory. It must not hold a run already, unless `resume`. */
  readonly directory: string;
  readonly runId?: string;
  /** Continue the run in `directory` from its last checkpoint (its config.json is used). */
  readonly resume?: boolean;
  readonly signal?: AbortSignal;
  /** Print progress to the console (stderr) with this label; false for silence. */
  readonly console?: false | { readonly label?: string; readonly progressBar?: boolean };
  readonly callbacks?: TrainerCallbacks;
  /** Extra sinks (e.g. a sweep worker forwarding records to its coordinator). */
  readonly sinks?: readonly MetricsSink[];
}

/** What runTraining returns. */
export interface RunOutcome {
  readonly runId: string;
  readonly directory: string;
  readonly status: RunStatus;
  readonly summary: RunSummary;
  readonly backend: string;
}

/** Thrown when `--out` already holds a run and it is not a resume: nothing is overwritten. */
export class RunDirectoryError extends Error {
  override readonly name = 'RunDirectoryError';
}

/** Versions recorded in config.json. */
export function runtimeVersions(): Record<string, string> {
  return { node: process.versions.node, '@tensorflow/tfjs-core': tf.version_core, contour: '0.1.0' };
}

/**
 * Trains one run into a run directory: picks the backend, loads and prepares the data, writes
 * `config.json` and `status.json`, appends `metrics.jsonl` as it goes, checkpoints every finite
 * epoch (`checkpoint.json`, `model/`), and writes `result.json` and the final status. With
 * `resume` it continues from the last checkpoint and appends without duplicating epochs.
 */
export async function runTraining(input: RunConfig, options: RunTrainingOptions): Promise<RunOutcome> {
  const files = runFiles(options.directory);
  let config = input;
  let runId = options.runId ?? `run-${configHash(input)}`;
  let checkpoint: TrainingCheckpoint | undefined;
  if (options.resume) {
    const saved = readJsonFile<RunConfigFile>(files.config);
    if (!saved) throw new RunDirectoryError(`--resume ${options.directory}: no readable config.json there`);
    config = resolveRunConfig(saved.config as never);
    runId = saved.runId;
    checkpoint = readJsonFile<TrainingCheckpoint>(files.checkpoint);
  } else if (existsSync(files.metrics) || existsSync(files.config)) {
    throw new RunDirectoryError(
      `${options.directory} already holds a run (config.json/metrics.jsonl); use --resume ${options.directory} or another --out`,
    );
  }
  // Data first: a bad --data or batch size writes nothing.
  const dataset = await loadRunDataset(config.data, config.training);
  const selection = await selectBackend(config.backend);
  // A model.json that does not fit the data is refused before anything is written.
  await checkModelFitsData(config.training.model, modelSizes(dataset, config.training.seed));
  mkdirSync(options.directory, { recursive: true });
  const versions = runtimeVersions();
  if (!options.resume) {
    const configFile: RunConfigFile = {
      formatVersion: 1,
      runId,
      createdAt: new Date().toISOString(),
      config,
      backend: { requested: selection.requested, chosen: selection.name, reason: selection.reason },
      versions,
    };
    writeFileAtomic(files.config, `${JSON.stringify(configFile, null, 2)}\n`);
  } else if (checkpoint) {
    trimMetricsForResume(options.directory, checkpoint.epoch);
  } else {
    // Interrupted before its first checkpoint: start over in the same directory.
    trimMetricsForResume(options.directory, 0);
  }
  writeStatus(options.directory, {
    status: 'running',
    epoch: checkpoint?.epoch ?? 0,
    step: checkpoint?.step ?? 0,
    updatedAt: new Date().toISOString(),
  });

  const sinks: MetricsSink[] = [new JsonlFileSink(files.metrics), ...(options.sinks ?? [])];
  if (options.console !== false) {
    sinks.push(
      new ConsoleSink({
        ...(options.console?.label ? { label: options.console.label } : {}),
        ...(options.console?.progressBar === undefined ? {} : { progressBar: options.console.progressBar }),
      }),
    );
  }
  const logger = new MetricsLogger(sinks);
  try {
    const result = await train(config.training, {
      dataset,
      runId,
      recordedConfig: { ...config, backend: selection.name },
      versions,
      logger,
      ...(options.callbacks ? { callbacks: options.callbacks } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(checkpoint ? { resumeFrom: checkpoint } : {}),
      saveCheckpoint: async (saved, model) => {
        await saveModel(model, files.modelDirectory);
        writeCheckpoint(options.directory, saved);
        writeStatus(options.directory, {
          status: 'running',
          epoch: saved.epoch,
          step: saved.step,
          updatedAt: new Date().toISOString(),
        });
      },
    });
    logger.close();
    result.model.dispose();
    const summary = finishRun(options.directory, {
      runId,
      status: result.status,
      epochs: result.epochs,
      steps: result.steps,
      stopReason: result.stopReason,
      backend: selection.name,
      config,
    });
    return { runId, directory: options.directory, status: result.status, summary, backend: selection.name };
  } catch (error) {
    logger.close();
    markRunFailed(options.directory, error);
    throw error;
  }
}
