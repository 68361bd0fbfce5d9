import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { selectBackend } from '@contour/backends';
import type { ModelSpec, TrainableModel, TrainingCheckpoint } from '@contour/core';
import {
  applyAutoLearningRate,
  autoLearningRateRecords,
  autoScheduleSpec,
  checkModelFitsData,
  createTrainableModel,
  type FoundAutoLearningRate,
  findAutoLearningRate,
  type RunConfig,
  resolveRunConfig,
  type TrainerCallbacks,
  train,
} from '@contour/core';
import {
  MetricsFormatError,
  MetricsLogger,
  type MetricsRecord,
  type MetricsSink,
  type RunStatus,
  type RunSummary,
} from '@contour/metrics-logger';
import {
  ConsoleSink,
  JsonlFileSink,
  makeDirectory,
  readMetricsFile,
  removeAtomicWriteLeftovers,
  writeFileAtomic,
} from '@contour/metrics-logger/node';
import type { PreparedDataset } from '@contour/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, readCheckpointFile } from './checkpoint-file.js';
import { loadRunDataset, modelSizes } from './load-run-dataset.js';
import { readInitialWeights, saveModel } from './model-files.js';
import {
  freshRunId,
  type OpenedRunDirectory,
  openRunDirectory,
  RunDirectoryError,
} from './open-run-directory.js';
import {
  finishRun,
  markRunFailed,
  type RunStatusFile,
  readJsonFile,
  runFiles,
  setAsideRunFiles,
  trimMetricsForResume,
  writeCheckpoint,
  writeStatus,
} from './run-directory.js';
import { loadSchedulePlugins, SchedulePluginLoadError } from './schedule-plugins.js';

export { RunDirectoryError } from './open-run-directory.js';

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
  /**
   * Continue the run in `directory` from its last checkpoint (its config.json is used). The
   * checkpoint and log are validated first; a bad one throws CheckpointError and changes nothing.
   */
  readonly resume?: boolean;
  /**
   * With `resume`: train the run again from epoch 1 with its config.json, after moving its other
   * files into `discarded-<time>/` (the way out of a damaged checkpoint; nothing is deleted).
   */
  readonly restart?: boolean;
  /**
   * `directory` already opened with {@link openRunDirectory} (with the same `resume`): the run
   * uses it instead of opening it, and closes it when it returns or throws.
   */
  readonly opened?: OpenedRunDirectory;
  readonly signal?: AbortSignal;
  /** Print progress to the console (stderr) with this label; false for silence. */
  readonly console?: false | { readonly label?: string; readonly progressBar?: boolean };
  /**
   * The console sink to print progress with instead of one made from `console`, e.g. one that
   * printed the run's start line already (`ConsoleSink.announceRunStart`).
   */
  readonly consoleSink?: ConsoleSink;
  readonly callbacks?: TrainerCallbacks;
  /** See `TrainOptions.pauseAfterEpoch`: a message pauses the run after that epoch (resumable). */
  readonly pauseAfterEpoch?: (epoch: number) => string | undefined;
  /** Extra sinks (e.g. a sweep worker forwarding records to its coordinator). */
  readonly sinks?: readonly MetricsSink[];
  /**
   * Choose the rate automatically (`--lr auto`; fresh runs only): before anything is written, run
   * the range test over `seeds` seeds on the run's model, data and optimizer
   * ({@link findAutoLearningRate}), put the chosen rate into the optimizer spec — as its `lr`, into
   * its schedule's `lr` when it has one, or as the peak of {@link autoScheduleSpec} with
   * `schedule: 'auto'` — so config.json holds the rate trained with (a resume reuses it), and log
   * the range tests and the choice after `run-start`.
   */
  readonly autoLearningRate?: {
    readonly seeds?: number;
    readonly schedule?: 'auto';
    /** Called with the choice and the optimizer spec it gives, before training starts. */
    readonly onChosen?: (found: FoundAutoLearningRate, optimizer: RunConfig['training']['optimizer']) => void;
  };
}

/** What runTraining returns. */
export interface RunOutcome {
  readonly runId: string;
  readonly directory: string;
  readonly status: RunStatus;
  readonly summary: RunSummary;
  readonly backend: string;
}

/** @contour/core's version, read from its package.json (the engine that trains the run). */
const coreVersion = (createRequire(import.meta.url)('@contour/core/package.json') as { version: string })
  .version;

/** Versions recorded in config.json: `contour` is @contour/core's version from its package.json. */
export function runtimeVersions(): Record<string, string> {
  return { node: process.versions.node, '@tensorflow/tfjs-core': tf.version_core, contour: coreVersion };
}

/**
 * The model a fresh run of `spec` starts from when its model.json has weights (read now, so a
 * missing weight file writes nothing); undefined otherwise (the trainer builds seeded weights).
 */
async function modelWithInitialWeights(
  spec: ModelSpec,
  dataset: PreparedDataset,
  seed: number,
): Promise<TrainableModel | undefined> {
  if (spec.type !== 'layers' || spec.layers?.weights === undefined) return undefined;
  const model = await createTrainableModel(spec, modelSizes(dataset, seed));
  try {
    model.setWeights(readInitialWeights(spec, model.parameterNames) ?? {});
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Trains one run into a run directory: picks the backend, loads and prepares the data, writes
 * `config.json` and `status.json`, appends `metrics.jsonl` as it goes, checkpoints every finite
 * epoch (`checkpoint.json`, `model/`), and writes `result.json` and the final status. With
 * `resume` it continues from the last checkpoint and appends without duplicating epochs.
 */
export async function runTraining(input: RunConfig, options: RunTrainingOptions): Promise<RunOutcome> {
  const resume = options.resume === true;
  if (
    options.opened !== undefined &&
    (options.opened.directory !== options.directory || options.opened.resume !== resume)
  ) {
    throw new Error(
      `runTraining: opened is ${options.opened.directory}, not ${options.directory} (resume ${resume})`,
    );
  }
  const opened = options.opened ?? openRunDirectory(options.directory, { resume });
  let failed = true;
  try {
    const outcome = await trainLocked(input, options, runFiles(options.directory));
    failed = false;
    return outcome;
  } finally {
    // A run that failed before writing anything leaves no directory behind to block a re-run.
    opened.close(failed);
  }
}

/** The parameter name → size map of the model a config builds on a dataset (for checkpoint checks). */
async function parameterSizes(
  config: RunConfig,
  dataset: Parameters<typeof modelSizes>[0],
): Promise<Record<string, number>> {
  const model = await createTrainableModel(config.training.model, modelSizes(dataset, config.training.seed));
  try {
    return Object.fromEntries(
      Object.entries(model.variables).map(([name, variable]) => [name, variable.size]),
    );
  } finally {
    model.dispose();
  }
}

/**
 * Loads the schedule plugins a run's config.json names; one that cannot be loaded (moved, not
 * installed on this machine) is a SchedulePluginLoadError naming the module and the file.
 */
async function loadRecordedPlugins(specifiers: unknown, configPath: string): Promise<void> {
  if (specifiers === undefined) return;
  if (!Array.isArray(specifiers) || specifiers.some((item) => typeof item !== 'string'))
    throw new RunDirectoryError(`${configPath}: "schedulePlugins" must be an array of module specifiers`);
  try {
    await loadSchedulePlugins(specifiers as string[]);
  } catch (error) {
    if (error instanceof SchedulePluginLoadError)
      throw new SchedulePluginLoadError(error.specifier, `${error.reason} (named in ${configPath})`, {
        cause: error,
      });
    throw error;
  }
}

/** Reads the log of a run being resumed; a bad line is a refusal naming file and line. */
function readLogForResume(path: string, directory: string): MetricsRecord[] | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return readMetricsFile(path).records;
  } catch (error) {
    if (error instanceof MetricsFormatError)
      throw new CheckpointError(path, `line ${error.lineNumber}: ${error.reason}`, directory);
    throw error;
  }
}

async function trainLocked(
  input: RunConfig,
  options: RunTrainingOptions,
  files: ReturnType<typeof runFiles>,
): Promise<RunOutcome> {
  let config = input;
  let runId = options.runId ?? freshRunId(input);
  let checkpoint: TrainingCheckpoint | undefined;
  // A worker process or a queue worker builds a plugin's schedule only once its module is loaded.
  if (!options.resume) await loadSchedulePlugins(input.schedulePlugins);
  if (options.resume) {
    const saved = readJsonFile<RunConfigFile>(files.config);
    if (!saved?.config || typeof saved.runId !== 'string')
      throw new RunDirectoryError(`--resume ${options.directory}: its config.json is not readable`);
    // A run some other writer recorded (e.g. @contour/layers' contourLogger around model.fit) has
    // no data or training section: resolving it would fill in defaults and train another model.
    const { data, training, source } = saved.config as {
      data?: unknown;
      training?: unknown;
      source?: unknown;
    };
    if (!isObject(data) || !isObject(training))
      throw new RunDirectoryError(
        `--resume ${options.directory}: its config.json has no data and training sections to continue from${typeof source === 'string' ? ` (recorded by ${source}, not contour train)` : ''}; only runs contour train or sweep wrote can be resumed (contour plot and report read any run)`,
      );
    // Its schedule may be a plugin's: the modules config.json names are registered before it is read.
    await loadRecordedPlugins((saved.config as { schedulePlugins?: unknown }).schedulePlugins, files.config);
    config = resolveRunConfig(saved.config as never);
    runId = saved.runId;
  }
  // Data first: a bad --data or batch size writes nothing.
  const dataset = await loadRunDataset(config.data, config.training);
  const selection = await selectBackend(config.backend);
  // A model.json that does not fit the data is refused before anything is written.
  await checkModelFitsData(config.training.model, modelSizes(dataset, config.training.seed));
  makeDirectory(options.directory);
  // Temp files of atomic writes a killed writer left (we hold the lock: none is in progress).
  removeAtomicWriteLeftovers(options.directory);
  removeAtomicWriteLeftovers(files.modelDirectory);
  const versions = runtimeVersions();
  if (options.resume && options.restart) {
    setAsideRunFiles(options.directory);
  } else if (options.resume) {
    // Everything is checked before the log is trimmed: a bad checkpoint changes nothing.
    const records = readLogForResume(files.metrics, options.directory);
    checkpoint = readCheckpointFile(files.checkpoint, {
      directory: options.directory,
      epochs: config.training.epochs,
      records,
      parameterSizes: await parameterSizes(config, dataset),
    });
    // The log is written before the checkpoint, so a run stopped in between logged one epoch
    // more than it saved; status.json's epoch moves only once a checkpoint is written.
    const loggedEpochs = (records ?? []).filter((record) => record.kind === 'epoch').length;
    const savedEpoch = readJsonFile<Partial<RunStatusFile>>(files.status)?.epoch;
    if (!checkpoint && (loggedEpochs > 1 || (typeof savedEpoch === 'number' && savedEpoch > 0)))
      throw new CheckpointError(
        files.checkpoint,
        `the file is missing but the run had saved epoch ${Math.max(savedEpoch ?? 0, loggedEpochs - 1)} (metrics.jsonl records ${loggedEpochs} epoch(s))`,
        options.directory,
      );
  }
  // A fresh run of a model.json with weights starts from them (a resumed one from its checkpoint);
  // read before config.json is written, so a missing weight file leaves nothing behind.
  const initialModel = checkpoint
    ? undefined
    : await modelWithInitialWeights(config.training.model, dataset, config.training.seed);
  let leadingRecords: MetricsRecord[] | undefined;
  if (options.autoLearningRate && !options.resume) {
    const auto = options.autoLearningRate;
    let found: FoundAutoLearningRate;
    try {
      found = await findAutoLearningRate(config.training, dataset, {
        ...(auto.seeds === undefined ? {} : { seeds: auto.seeds }),
        ...(initialModel ? { initialWeights: initialModel.getWeights() } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      initialModel?.dispose();
      throw error;
    }
    const { optimizer, schedule } = applyAutoLearningRate(
      config.training,
      dataset,
      found.auto.learningRate,
      auto.schedule,
    );
    config = resolveRunConfig({ ...config, training: { ...config.training, optimizer } } as never);
    leadingRecords = autoLearningRateRecords(found, schedule);
    auto.onChosen?.(found, config.training.optimizer);
  }
  if (!options.resume || options.restart) {
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
    }
  } else if (checkpoint) {
    trimMetricsForResume(options.directory, checkpoint.epoch);
  } else {
    // Interrupted before its first checkpoint: start over with an empty log (one run-start).
    writeFileAtomic(files.metrics, '');
  }
  // result.json describes a run that has ended; a resumed run is running again (readers such as
  // `contour report` check that result.json, status.json and the log agree).
  if (options.resume) rmSync(files.result, { force: true });
  writeStatus(options.directory, {
    status: 'running',
    epoch: checkpoint?.epoch ?? 0,
    step: checkpoint?.step ?? 0,
    updatedAt: new Date().toISOString(),
  });

  const sinks: MetricsSink[] = [new JsonlFileSink(files.metrics), ...(options.sinks ?? [])];
  if (options.consoleSink) {
    sinks.push(options.consoleSink);
  } else if (options.console !== false) {
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
      ...(options.pauseAfterEpoch ? { pauseAfterEpoch: options.pauseAfterEpoch } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(checkpoint ? { resumeFrom: checkpoint } : {}),
      ...(initialModel ? { initialModel } : {}),
      ...(leadingRecords ? { leadingRecords } : {}),
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
    // Best effort: on a full disk these writes fail too, and the first error is the one to report.
    try {
      logger.close();
    } catch {}
    markRunFailed(options.directory, error);
    throw error;
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
