import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '@contour/backends';
import type { BackendChoice, Model, RunConfig, TrainableModel, TrainingConfig } from '@contour/core';
import {
  applyAutoLearningRate,
  autoLearningRateRecords,
  CoreSpecError,
  configHash,
  type DataConfig,
  defaultAutoSeeds,
  denseLayerNames,
  describeModelSpec,
  type FinetuneSettings,
  type FoundAutoLearningRate,
  findAutoLearningRate,
  finetune,
  finetuneTrainingConfig,
  LayersModelAdapter,
  type ModelSpec,
  prepareOptions,
  type TrainingResult,
  type TransferVariant,
  train,
  transferModel,
  transferVariants,
  validateFinetuneSettings,
  withOutputUnits,
} from '@contour/core';
import {
  type AutoLearningRateRecord,
  MetricsLogger,
  type MetricsRecord,
  type MetricsSink,
  type RunStatus,
  type RunSummary,
} from '@contour/metrics-logger';
import { ConsoleSink, JsonlFileSink, writeFileAtomic } from '@contour/metrics-logger/node';
import { loadMnistDataset, prepareDataset } from '@contour/mnist-loader/node';
import type { OptimizerSpec } from '@contour/optimizers';
import { lockDirectory } from './directory-lock.js';
import { loadTrainableModel, saveModel } from './model-files.js';
import {
  finishRun,
  markRunFailed,
  type RunResultFile,
  readJsonFile,
  runFiles,
  setAsideRunFiles,
  writeStatus,
} from './run-directory.js';
import { type RunConfigFile, RunDirectoryError, runTraining, runtimeVersions } from './run-training.js';
import { loadSchedulePlugins } from './schedule-plugins.js';

export { defaultSourceClasses, defaultTargetClasses } from '@contour/core/config';

/** Options of {@link runFinetuneExperiment}. */
export interface FinetuneExperimentOptions {
  /** Output directory: `pretrain/` (when pretraining) and one run directory per fine-tuning run. */
  readonly directory: string;
  /** The target task's data (its `classes` are the target classes). */
  readonly data: DataConfig;
  /** Fine-tuning config (epochs, batch size, seed, base optimizer spec); its model is the source's. */
  readonly training: TrainingConfig;
  readonly backend: BackendChoice;
  /**
   * Schedule plugin modules the optimizers' schedules need (`RunConfig.schedulePlugins`): loaded
   * first and recorded in every fine-tuning run's config.json (a `from` run's own are added).
   */
  readonly schedulePlugins?: readonly string[];
  /** A run directory whose `model/` is the pretrained model; without it, `pretrain` runs first. */
  readonly from?: string;
  /** The pretraining run (source classes and config), when not `from`. */
  readonly pretrain?: RunConfig;
  readonly settings: FinetuneSettings;
  /** Run boosted head, one global rate and scratch side by side. */
  readonly compare?: boolean;
  /** Optimizer of the run from scratch; default the pretraining's (or `training.optimizer` with `from`). */
  readonly scratchOptimizer?: OptimizerSpec;
  readonly signal?: AbortSignal;
  /** Print progress to stderr (label per run); false for silence. */
  readonly console?: false | { readonly progressBar?: boolean };
  /** Called when a run starts (progress lines in the CLI). */
  readonly onRunStart?: (name: string, directory: string, label: string) => void;
  /**
   * Choose the fine-tuning rate automatically (`finetune --lr auto`): after pretraining, the range
   * test runs over `seeds` seeds on the transferred network (pretrained layers, new head) with the
   * fine-tuning optimizer (its per-layer multipliers and frozen layers included); the chosen rate
   * becomes the base rate of the fine-tuning runs (with `schedule: 'auto'`, the peak of
   * `autoScheduleSpec`), and each fine-tuning run records the range tests and the choice after
   * `run-start`. The run from scratch (`compare`) keeps its own optimizer.
   *
   * Run again into the same directory, the rate a fine-tuning run there recorded (its range tests
   * and `auto-learning-rate` record in metrics.jsonl, finished or cut) is reused instead of
   * searched again: a finished run is kept as it is, a cut one restarts at the same rate and logs
   * the same records.
   */
  readonly autoLearningRate?: {
    readonly seeds?: number;
    readonly schedule?: 'auto';
    readonly onChosen?: (found: FoundAutoLearningRate, optimizer: OptimizerSpec) => void;
    /** Called instead of `onChosen` when the rate an earlier run recorded in `directory` is reused. */
    readonly onReused?: (record: AutoLearningRateRecord, optimizer: OptimizerSpec, directory: string) => void;
  };
}

/** One run of the experiment, on disk. */
export interface FinetuneRunOutcome {
  readonly name: string;
  readonly label: string;
  readonly directory: string;
  readonly status: RunStatus;
  readonly summary: RunSummary;
}

/** What {@link runFinetuneExperiment} returns. */
export interface FinetuneExperimentOutcome {
  readonly backend: string;
  /** The source run: the pretraining run directory, or `from`. */
  readonly source: {
    readonly directory: string;
    readonly pretrained: boolean;
    readonly classes?: readonly number[];
  };
  readonly runs: readonly FinetuneRunOutcome[];
}

/** `config.json` of a fine-tuning run: a run config plus where its weights came from. */
export interface FinetuneRunConfigFile extends RunConfigFile {
  readonly finetune: {
    readonly variant: string;
    readonly label: string;
    /** The source run directory (undefined for the run from scratch). */
    readonly from?: string;
    readonly settings?: FinetuneSettings;
  };
}

function consoleSink(options: FinetuneExperimentOptions, label: string): MetricsSink[] {
  if (options.console === false) return [];
  return [
    new ConsoleSink({
      label,
      ...(options.console?.progressBar === undefined ? {} : { progressBar: options.console.progressBar }),
    }),
  ];
}

/**
 * The layers fine-tuning addresses (input to head): `hidden1`…, `head` for an MLP, the layers with
 * a kernel for a model.json model (built once to list them).
 *
 * @throws CoreSpecError for a model with a single layer (nothing to transfer).
 */
async function transferableLayerNames(spec: ModelSpec): Promise<string[]> {
  let names: string[];
  if (spec.type === 'layers') {
    const model = await LayersModelAdapter.fromTopology(spec);
    names = model.layers.map((layer) => layer.name);
    model.dispose();
  } else {
    names = denseLayerNames(spec.hidden.length);
  }
  if (names.length < 2)
    throw new CoreSpecError(
      'model',
      'a model with hidden layers (e.g. mlp:128 or a CNN model.json) to fine-tune',
      describeModelSpec(spec),
    );
  return names;
}

/**
 * Transfer learning on disk: pretrains on the source classes (`pretrain/`, a normal run directory)
 * unless `from` names one, loads that model, prepares the target data, then fine-tunes into
 * `finetune/` — or with `compare`, runs `boosted-head/`, `global-rate/` and `scratch/` (see
 * {@link transferVariants}). Each run directory holds config.json (with a `finetune` section),
 * metrics.jsonl, status.json, result.json and model/, so `contour plot`/`report` read them.
 *
 * Run again with the same options into the same directory, it continues: a run that finished (or
 * diverged) with the same config is kept and its result reported, an unfinished pretraining run
 * resumes from its checkpoint, and an unfinished fine-tuning run starts over from epoch 1 (its old
 * outputs set aside in `discarded-<time>/`; result.json is only written when a run ends).
 *
 * @throws RunDirectoryError when a run directory holds a run of a different config; CoreSpecError
 *   for bad settings.
 */
export async function runFinetuneExperiment(
  options: FinetuneExperimentOptions,
): Promise<FinetuneExperimentOutcome> {
  let schedulePlugins = options.schedulePlugins ?? [];
  await loadSchedulePlugins(schedulePlugins);
  const sourceModel = options.from
    ? readJsonFile<RunConfigFile>(runFiles(options.from).config)?.config.training.model
    : options.pretrain?.training.model;
  // The backend first: listing a model.json's layers builds it.
  const selection = await selectBackend(options.backend);
  if (sourceModel) {
    // Bad settings fail now, before any pretraining.
    validateFinetuneSettings(options.settings, await transferableLayerNames(sourceModel));
  }
  let sourceDirectory: string;
  let sourceClasses: readonly number[] | undefined;
  let scratchOptimizer = options.scratchOptimizer;
  if (options.from !== undefined) {
    sourceDirectory = options.from;
    const saved = readJsonFile<RunConfigFile>(runFiles(options.from).config);
    if (!saved) throw new RunDirectoryError(`--from ${options.from}: no readable config.json there`);
    sourceClasses = saved.config.data.classes;
    // The run from scratch may train with the source run's plugin schedule.
    if (scratchOptimizer === undefined && saved.config.schedulePlugins) {
      await loadSchedulePlugins(saved.config.schedulePlugins);
      schedulePlugins = [...new Set([...schedulePlugins, ...saved.config.schedulePlugins])];
    }
    scratchOptimizer ??= saved.config.training.optimizer;
  } else {
    if (!options.pretrain)
      throw new CoreSpecError('pretrain', 'a run config when there is no "from"', undefined);
    sourceDirectory = join(options.directory, 'pretrain');
    sourceClasses = options.pretrain.data.classes;
    scratchOptimizer ??= options.pretrain.training.optimizer;
    options.onRunStart?.('pretrain', sourceDirectory, 'pretrain');
    // A model.json's output layer is sized to the pretraining classes (a dense head is sized by the data).
    const classes = options.pretrain.data.classes;
    const pretrain: RunConfig = {
      ...options.pretrain,
      training: {
        ...options.pretrain.training,
        model:
          classes === undefined
            ? options.pretrain.training.model
            : withOutputUnits(options.pretrain.training.model, classes.length),
      },
      backend: options.backend,
    };
    const previous = previousRun(sourceDirectory, pretrain);
    const outcome =
      previous.finished ??
      (await runTraining(pretrain, {
        directory: sourceDirectory,
        runId: 'pretrain',
        ...(previous.started ? { resume: true } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        console: options.console === false ? false : { label: 'pretrain', ...options.console },
      }));
    if (outcome.status === 'interrupted')
      return { backend: selection.name, source: { directory: sourceDirectory, pretrained: true }, runs: [] };
  }
  let source: TrainableModel;
  try {
    source = await loadTrainableModel(runFiles(sourceDirectory).modelDirectory);
  } catch {
    throw new RunDirectoryError(`${sourceDirectory}: no saved model (model/model.json) to fine-tune from`);
  }
  const runs: FinetuneRunOutcome[] = [];
  try {
    await transferableLayerNames(source.spec);
    const dataset = prepareDataset(
      await loadMnistDataset(
        options.data.source,
        options.data.classCount === undefined ? {} : { classCount: options.data.classCount },
      ),
      prepareOptions(options.data, options.training.seed),
    );
    if (dataset.featureShape.reduce((product, size) => product * size, 1) !== source.inputSize)
      throw new CoreSpecError(
        'data',
        `images of ${source.inputSize} pixels like the source model's`,
        options.data.source,
      );
    let fineTuning = options.training;
    let leadingRecords: MetricsRecord[] | undefined;
    const auto = options.autoLearningRate;
    const recorded = auto ? recordedAutoLearningRate(options, auto) : undefined;
    if (auto && recorded) {
      const { optimizer } = applyAutoLearningRate(
        options.training,
        dataset,
        recorded.choice.learningRate,
        auto.schedule,
      );
      fineTuning = { ...options.training, optimizer };
      leadingRecords = recorded.records;
      auto.onReused?.(recorded.choice, fineTuning.optimizer, recorded.directory);
    } else if (auto) {
      const outputSize = dataset.classCount;
      const found = await findAutoLearningRate(
        {
          ...options.training,
          optimizer: finetuneTrainingConfig(options.training, source, options.settings, outputSize).optimizer,
        },
        dataset,
        {
          ...(auto.seeds === undefined ? {} : { seeds: auto.seeds }),
          ...(options.signal ? { signal: options.signal } : {}),
          createModel: async (seed) =>
            source instanceof LayersModelAdapter
              ? await source.transfer(outputSize, seed)
              : transferModel(source as Model, { outputSize, seed }),
        },
      );
      const { optimizer, schedule } = applyAutoLearningRate(
        options.training,
        dataset,
        found.auto.learningRate,
        auto.schedule,
      );
      fineTuning = { ...options.training, optimizer };
      leadingRecords = autoLearningRateRecords(found, schedule);
      auto.onChosen?.(found, fineTuning.optimizer);
    }
    const variants: TransferVariant[] = options.compare
      ? transferVariants(fineTuning.optimizer, options.settings, scratchOptimizer)
      : [
          {
            name: 'boosted-head',
            label: 'fine-tune',
            settings: options.settings,
            optimizer: fineTuning.optimizer,
          },
        ];
    for (const variant of variants) {
      const name = options.compare ? variant.name : 'finetune';
      const directory = join(options.directory, name);
      options.onRunStart?.(name, directory, variant.label);
      const training: TrainingConfig = { ...fineTuning, optimizer: variant.optimizer };
      // The range tests describe the fine-tuning runs' rate, not the run from scratch.
      const leading = variant.settings && leadingRecords ? { leadingRecords } : {};
      const effective = variant.settings
        ? finetuneTrainingConfig(training, source, variant.settings, dataset.classCount)
        : { ...training, model: withOutputUnits(source.spec, dataset.classCount) };
      const runConfig: RunConfig = {
        data: options.data,
        training: effective,
        backend: options.backend,
        ...(schedulePlugins.length > 0 ? { schedulePlugins } : {}),
      };
      const finetuneSection: FinetuneRunConfigFile['finetune'] = {
        variant: variant.name,
        label: variant.label,
        ...(variant.settings ? { from: sourceDirectory, settings: variant.settings } : {}),
      };
      // One writer per run directory, as runTraining: a second finetune into it stops here.
      const lock = lockDirectory(directory);
      let outcome: Awaited<ReturnType<typeof trainIntoDirectory>>;
      try {
        outcome = await trainIntoDirectory(
          directory,
          runConfig,
          finetuneSection,
          selection,
          options,
          (logger) =>
            variant.settings
              ? finetune(training, {
                  dataset,
                  source,
                  settings: variant.settings,
                  runId: name,
                  recordedConfig: { ...runConfig, backend: selection.name, finetune: finetuneSection },
                  logger,
                  ...leading,
                  ...(options.signal ? { signal: options.signal } : {}),
                })
              : train(effective, {
                  dataset,
                  runId: name,
                  recordedConfig: { ...runConfig, backend: selection.name, finetune: finetuneSection },
                  logger,
                  ...(options.signal ? { signal: options.signal } : {}),
                }),
        );
      } finally {
        lock.release();
      }
      runs.push({ name, label: variant.label, ...outcome });
      if (outcome.status === 'interrupted') break;
    }
  } finally {
    source.dispose();
  }
  return {
    backend: selection.name,
    source: {
      directory: sourceDirectory,
      pretrained: options.from === undefined,
      ...(sourceClasses ? { classes: sourceClasses } : {}),
    },
    runs,
  };
}

/**
 * The automatic rate an earlier run of this experiment chose, from the metrics.jsonl of a
 * fine-tuning run it started (`finetune/`, or `boosted-head/` and `global-rate/` with `compare`):
 * the `range-test` records and the `auto-learning-rate` record logged after `run-start`, verbatim.
 * None when no run got that far, or when its choice was made with another number of seeds or with
 * or without `schedule: 'auto'` (then the range test runs again). A line a killed writer cut short
 * comes after these records and is not read.
 */
function recordedAutoLearningRate(
  options: FinetuneExperimentOptions,
  auto: NonNullable<FinetuneExperimentOptions['autoLearningRate']>,
): { directory: string; records: MetricsRecord[]; choice: AutoLearningRateRecord } | undefined {
  const names = options.compare ? ['boosted-head', 'global-rate'] : ['finetune'];
  for (const name of names) {
    const directory = join(options.directory, name);
    let text: string;
    try {
      text = readFileSync(runFiles(directory).metrics, 'utf8');
    } catch {
      continue;
    }
    const records: MetricsRecord[] = [];
    for (const line of text.split('\n').slice(1)) {
      let record: MetricsRecord;
      try {
        record = JSON.parse(line) as MetricsRecord;
      } catch {
        break;
      }
      if (record.kind === 'range-test') {
        records.push(record);
        continue;
      }
      if (record.kind !== 'auto-learning-rate') break;
      const seeds = auto.seeds ?? defaultAutoSeeds;
      if (record.seeds.length !== seeds || (record.schedule !== undefined) !== (auto.schedule === 'auto'))
        break;
      return { directory, records: [...records, record], choice: record };
    }
  }
  return undefined;
}

/**
 * What a run directory holds from an earlier run of the same command: `finished` (its result) when
 * that run finished or diverged with `config`, `started` when it holds config.json of `config` but
 * did not end so.
 *
 * @throws RunDirectoryError when config.json there records a different config.
 */
function previousRun(
  directory: string,
  config: unknown,
  extra?: unknown,
): { started: boolean; finished?: { status: RunStatus; summary: RunSummary } } {
  const files = runFiles(directory);
  const saved = readJsonFile<FinetuneRunConfigFile>(files.config);
  if (!saved) return { started: false };
  const same =
    configHash(saved.config) === configHash(config) &&
    (extra === undefined || configHash(saved.finetune) === configHash(extra));
  if (!same)
    throw new RunDirectoryError(
      `${directory} already holds a run of a different config (config.json); use another --out`,
    );
  const result = readJsonFile<RunResultFile>(files.result);
  if (
    result &&
    result.configHash === configHash(config) &&
    (result.status === 'finished' || result.status === 'diverged')
  )
    return { started: true, finished: { status: result.status, summary: result.summary } };
  return { started: true };
}

/**
 * Trains one run into a fresh run directory (config, status, metrics, result, model); the caller
 * holds the directory's lock.
 */
async function trainIntoDirectory(
  directory: string,
  config: RunConfig,
  finetuneSection: FinetuneRunConfigFile['finetune'],
  selection: { requested: string; name: string; reason: string },
  options: FinetuneExperimentOptions,
  run: (logger: MetricsLogger) => Promise<TrainingResult>,
): Promise<{ directory: string; status: RunStatus; summary: RunSummary }> {
  const files = runFiles(directory);
  const previous = previousRun(directory, config, finetuneSection);
  if (previous.finished) return { directory, ...previous.finished };
  // An unfinished run (killed or interrupted) starts over: fine-tuning does not resume from a
  // checkpoint. Its outputs (result.json included) move aside first, so nothing half-done is read.
  if (previous.started) setAsideRunFiles(directory);
  const runId = finetuneSection.variant;
  const configFile: FinetuneRunConfigFile = {
    formatVersion: 1,
    runId: directory.split(/[\\/]/).at(-1) ?? runId,
    createdAt: new Date().toISOString(),
    config,
    backend: { requested: selection.requested, chosen: selection.name, reason: selection.reason },
    versions: runtimeVersions(),
    finetune: finetuneSection,
  };
  writeFileAtomic(files.config, `${JSON.stringify(configFile, null, 2)}\n`);
  writeStatus(directory, { status: 'running', epoch: 0, step: 0, updatedAt: new Date().toISOString() });
  const logger = new MetricsLogger([
    new JsonlFileSink(files.metrics),
    ...consoleSink(options, configFile.runId),
  ]);
  try {
    const result = await run(logger);
    logger.close();
    await saveModel(result.model, files.modelDirectory);
    result.model.dispose();
    const summary = finishRun(directory, {
      runId: configFile.runId,
      status: result.status,
      epochs: result.epochs,
      steps: result.steps,
      stopReason: result.stopReason,
      backend: selection.name,
      config,
    });
    return { directory, status: result.status, summary };
  } catch (error) {
    try {
      logger.close();
    } catch {}
    markRunFailed(directory, error);
    throw error;
  }
}
