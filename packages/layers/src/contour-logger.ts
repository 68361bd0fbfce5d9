import {
  type EpochRecord,
  type Finding,
  findings,
  type JsonValue,
  MetricsLogger,
  type MetricsRecord,
  type MetricsSink,
  metricsFormatVersion,
  type RunStartRecord,
  type RunStatus,
  type SplitMetrics,
} from '@contour/metrics-logger';
import * as tf from '@tensorflow/tfjs-core';
import { Callback, type LayersModel, version_layers } from '@tensorflow/tfjs-layers';
import { LayersOptionError } from './layers-error.js';
import { contourOptimizerOf, getLearningRate } from './optimizer-learning-rate.js';
import { type CallbackLogs, resolveLogs } from './resolve-logs.js';

/**
 * This package's version, recorded in every run-start record. It equals package.json's `version`
 * (a test checks it): the browser-safe entry cannot read package.json at run time.
 */
export const layersVersion = '0.0.0';

/** Options of {@link contourLogger}. */
export interface ContourLoggerOptions {
  /** The run's id (config.json, labels in `contour plot`); default `layers-<ISO time>`. */
  readonly runId?: string;
  /** Anything else worth recording with the run (data source, seed, …), merged into its config. */
  readonly config?: Readonly<Record<string, JsonValue>>;
  /** Also write one `step` record per batch (batch loss and rate); default false. */
  readonly steps?: boolean;
  /** Measure the per-layer update:weight ratio at the end of every epoch; default true. */
  readonly updateRatios?: boolean;
  /** Called with the findings (diverged, oscillating, too slow, overfitting, update ratios) at the end of every `fit`. */
  readonly onFindings?: (findings: readonly Finding[]) => void;
}

/** How a run ended, handed to a {@link RunDestination}. */
export interface RunEnd {
  readonly runId: string;
  readonly status: RunStatus;
  readonly epochs: number;
  readonly steps: number;
  readonly config: JsonValue;
  readonly findings: readonly Finding[];
}

/** Where a run's files go besides its records (the Node run directory of `@contour/layers/node`). */
export interface RunDestination {
  /** Called once with the run-start record, before it is logged. */
  start?(record: RunStartRecord): void;
  /** Called at the end of every `fit` (the run may continue in a later `fit`). */
  end?(ending: RunEnd): void;
  /**
   * Called once when writing the run failed (e.g. `DiskFullError` on a full disk), before the error
   * rejects `fit`: the destination marks the run as not running. Nothing is written after it.
   */
  failed?(error: unknown): void;
}

const crossEntropyLosses = new Set([
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'binaryCrossentropy',
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
  'binary_crossentropy',
]);
const accuracyNames = new Set([
  'acc',
  'accuracy',
  'categoricalAccuracy',
  'sparseCategoricalAccuracy',
  'binaryAccuracy',
  'categorical_accuracy',
  'sparse_categorical_accuracy',
  'binary_accuracy',
]);

/**
 * The callback {@link contourLogger} returns: writes a Contour run (the records of
 * `@contour/metrics-logger`) from tfjs-layers' `fit`/`fitDataset` callbacks.
 */
export class ContourLogger extends Callback {
  /** Every record written so far (also kept in memory for findings). */
  readonly records: MetricsRecord[] = [];
  readonly runId: string;
  readonly #logger: MetricsLogger;
  readonly #options: ContourLoggerOptions;
  readonly #destination: RunDestination | undefined;
  #config: JsonValue = null;
  #started = false;
  #step = 0;
  #epochsDone = 0;
  #epochStarted = 0;
  #trainStarted = 0;
  #currentEpoch = 0;
  #lastRate: number | undefined;
  #diverged = false;
  #kernelsBefore: Map<string, tf.Tensor> | undefined;
  #findings: readonly Finding[] = [];
  /** Set once a write failed: the run is over (marked failed), nothing more is written. */
  #failure: unknown;

  constructor(
    target: MetricsLogger | MetricsSink,
    options: ContourLoggerOptions = {},
    destination?: RunDestination,
  ) {
    super();
    if (target instanceof MetricsLogger) this.#logger = target;
    else if (typeof (target as MetricsSink | null)?.write === 'function')
      this.#logger = new MetricsLogger([target]);
    else
      throw new LayersOptionError(
        'contourLogger',
        'target',
        'a MetricsSink, a MetricsLogger (or, from @contour/layers/node, a directory path)',
        target,
      );
    if (
      options.runId !== undefined &&
      (typeof options.runId !== 'string' || !/^[\w.-]+$/.test(options.runId))
    )
      throw new LayersOptionError(
        'contourLogger',
        'runId',
        'letters, digits, ".", "_" or "-"',
        options.runId,
      );
    this.runId = options.runId ?? `layers-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    this.#options = options;
    this.#destination = destination;
  }

  /** Flushes and closes the sinks (e.g. the run directory's `metrics.jsonl`); call once the run is over. */
  close(): void {
    this.#logger.close();
  }

  /** The findings of the run so far (computed at the end of every `fit`). */
  get findings(): readonly Finding[] {
    return this.#findings;
  }

  override async onTrainBegin(): Promise<void> {
    this.#trainStarted = performance.now();
    if (!this.#started) {
      this.#started = true;
      const record = this.#runStart();
      this.#config = record.config;
      this.#guard(() => this.#destination?.start?.(record));
      this.#write(record);
    } else {
      this.#write({
        kind: 'event',
        event: 'resumed',
        epoch: this.#epochsDone,
        step: this.#step,
        message: `training continues at epoch ${this.#epochsDone + 1}`,
      });
    }
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    // A later `fit` without `initialEpoch` counts from 0 again; the run's epochs carry on (a log
    // that repeats an epoch number is refused by its readers).
    this.#currentEpoch = Math.max(epoch, this.#epochsDone);
    this.#epochStarted = performance.now();
  }

  override async onBatchBegin(): Promise<void> {
    if (this.#options.updateRatios === false) return;
    this.#disposeKernels();
    this.#kernelsBefore = new Map(
      kernelsOf(this.model).map(({ layer, kernel }) => [layer, tf.clone(kernel)]),
    );
  }

  override async onBatchEnd(_batch: number, logs?: CallbackLogs): Promise<void> {
    this.#step += 1;
    this.#lastRate = this.#rateOfLastStep();
    if (this.#options.steps) {
      const resolved = await resolveLogs(logs);
      this.#write({
        kind: 'step',
        epoch: this.#currentEpoch + 1,
        step: this.#step - 1,
        loss: resolved.loss ?? Number.NaN,
        learningRate: this.#lastRate,
      });
    }
  }

  override async onEpochEnd(_epoch: number, logs?: CallbackLogs): Promise<void> {
    const epoch = this.#currentEpoch;
    const resolved = { ...(await resolveLogs(logs)) };
    const learningRate = this.#lastRate ?? resolved.lr ?? getLearningRate(this.#optimizer());
    const updateRatios = await this.#updateRatios();
    const train = splitMetrics(resolved, '', this.model);
    const validation = splitMetrics(resolved, 'val_', this.model);
    const record: EpochRecord = {
      kind: 'epoch',
      epoch: epoch + 1,
      step: this.#step,
      learningRate,
      seconds: (performance.now() - this.#epochStarted) / 1000,
      train,
      ...(Object.keys(validation).length > 0 ? { validation } : {}),
      ...(updateRatios ? { updateRatios } : {}),
      metrics: resolved,
    };
    this.#write(record);
    this.#epochsDone = epoch + 1;
    const loss = resolved.loss;
    if (!this.#diverged && loss !== undefined && !Number.isFinite(loss)) {
      this.#diverged = true;
      this.#write({
        kind: 'event',
        event: 'diverged',
        epoch: epoch + 1,
        step: this.#step,
        message: `loss is ${loss} at epoch ${epoch + 1}`,
      });
    }
  }

  override async onTrainEnd(): Promise<void> {
    this.#disposeKernels();
    const status: RunStatus = this.#diverged ? 'diverged' : 'finished';
    this.#write({
      kind: 'finish',
      status,
      time: new Date().toISOString(),
      epochs: this.#epochsDone,
      steps: this.#step,
      seconds: (performance.now() - this.#trainStarted) / 1000,
    });
    this.#findings = findings(this.records);
    this.#options.onFindings?.(this.#findings);
    this.#guard(() =>
      this.#destination?.end?.({
        runId: this.runId,
        status,
        epochs: this.#epochsDone,
        steps: this.#step,
        config: this.#config,
        findings: this.#findings,
      }),
    );
  }

  #write(record: MetricsRecord): void {
    this.records.push(record);
    this.#guard(() => this.#logger.log(record));
  }

  /**
   * Runs a write; when it throws, tells the destination once (so a run directory is not left
   * `running`) and rethrows, which rejects `fit`. After a failure every write throws the same error:
   * a later callback (or `fit`) cannot write a `finished` status over a run that lost records.
   */
  #guard(write: () => void): void {
    if (this.#failure !== undefined) throw this.#failure;
    try {
      write();
    } catch (error) {
      this.#failure = error ?? new Error('write failed');
      try {
        this.#destination?.failed?.(error);
      } catch {}
      throw error;
    }
  }

  #optimizer(): tf.Optimizer {
    const optimizer = this.model?.optimizer;
    if (!optimizer) throw new Error('contourLogger: the model has no optimizer; call model.compile first');
    return optimizer;
  }

  #rateOfLastStep(): number {
    const optimizer = this.#optimizer();
    const report = contourOptimizerOf(optimizer)
      ? (optimizer as { lastReport?: { learningRate: number } }).lastReport
      : undefined;
    return report?.learningRate ?? getLearningRate(optimizer);
  }

  #runStart(): RunStartRecord {
    const model = this.model;
    const optimizer = this.#optimizer();
    const contour = contourOptimizerOf(optimizer);
    const params = (this.params ?? {}) as Record<string, unknown>;
    const batchesPerEpoch =
      typeof params.steps === 'number'
        ? params.steps
        : typeof params.samples === 'number' && typeof params.batchSize === 'number'
          ? Math.ceil(params.samples / params.batchSize)
          : undefined;
    const config: Record<string, JsonValue> = {
      source: '@contour/layers',
      model: {
        name: model.name,
        className: model.getClassName(),
        parameters: model.countParams(),
        layers: model.layers.map((layer) => ({
          name: layer.name,
          className: layer.getClassName(),
          parameters: layer.countParams(),
        })),
      },
      optimizer: contour
        ? { className: 'ContourOptimizer', spec: contour.spec }
        : { className: optimizer.getClassName(), config: toJson(optimizer.getConfig()) },
      loss: toJson(
        typeof model.loss === 'string' || Array.isArray(model.loss) ? model.loss : String(model.loss),
      ),
      fit: toJson(params),
      ...this.#options.config,
    };
    const epochs = typeof params.epochs === 'number' ? params.epochs : undefined;
    return {
      kind: 'run-start',
      formatVersion: metricsFormatVersion,
      runId: this.runId,
      time: new Date().toISOString(),
      config,
      versions: {
        '@contour/layers': layersVersion,
        '@tensorflow/tfjs-core': tf.version_core,
        '@tensorflow/tfjs-layers': version_layers,
        backend: tf.getBackend() ?? 'none',
      },
      ...(epochs !== undefined ? { epochs } : {}),
      ...(batchesPerEpoch !== undefined ? { batchesPerEpoch } : {}),
    };
  }

  async #updateRatios(): Promise<Record<string, number> | undefined> {
    const before = this.#kernelsBefore;
    if (!before || before.size === 0) return undefined;
    const kernels = kernelsOf(this.model).filter(({ layer }) => before.has(layer));
    const stacked = tf.tidy(() =>
      tf.stack(
        kernels.map(({ layer, kernel }) =>
          tf.stack([
            tf.mean(tf.abs(tf.sub(kernel, before.get(layer) as tf.Tensor))),
            tf.mean(tf.abs(kernel)),
          ]),
        ),
      ),
    );
    const values = await stacked.data();
    stacked.dispose();
    this.#disposeKernels();
    const ratios: Record<string, number> = {};
    kernels.forEach(({ layer }, index) => {
      ratios[layer] = Math.log10((values[index * 2] as number) / (values[index * 2 + 1] as number));
    });
    return ratios;
  }

  #disposeKernels(): void {
    if (this.#kernelsBefore) tf.dispose([...this.#kernelsBefore.values()]);
    this.#kernelsBefore = undefined;
  }
}

/** The kernel of every trainable layer (its weight named `…kernel`, else its first trainable weight). */
function kernelsOf(model: LayersModel): Array<{ layer: string; kernel: tf.Tensor }> {
  return model.layers.flatMap((layer) => {
    const weights = layer.trainable ? layer.trainableWeights : [];
    const weight = weights.find((candidate) => /kernel$/.test(candidate.originalName)) ?? weights[0];
    return weight ? [{ layer: layer.name, kernel: weight.read() }] : [];
  });
}

/** Contour's split metrics from tfjs logs: cross-entropy losses and accuracies map to Contour's names. */
function splitMetrics(
  logs: Readonly<Record<string, number>>,
  prefix: string,
  model: LayersModel,
): SplitMetrics {
  const metrics: { crossEntropy?: number; classificationError?: number; loss?: number } = {};
  const loss = logs[`${prefix}loss`];
  if (loss !== undefined) {
    if (typeof model.loss === 'string' && crossEntropyLosses.has(model.loss)) metrics.crossEntropy = loss;
    else metrics.loss = loss;
  }
  for (const name of accuracyNames) {
    const accuracy = logs[`${prefix}${name}`];
    if (accuracy !== undefined) {
      metrics.classificationError = 1 - accuracy;
      break;
    }
  }
  return metrics;
}

function toJson(value: unknown): JsonValue {
  try {
    return JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
  } catch {
    return String(value);
  }
}

/**
 * A tfjs-layers callback that records a `model.fit`/`fitDataset` run as a Contour run: a run-start
 * record (model layers and parameter counts, optimizer and its config, loss, fit settings,
 * versions), one epoch record per epoch with every value of the epoch logs (`metrics`), the rate
 * used in the epoch's last step, the epoch's time and each layer's update:weight ratio
 * (log10(mean |Δkernel| / mean |kernel|) over the epoch's last step), optionally one step record
 * per batch, a `diverged` event at the first non-finite loss, and a finish record plus the
 * findings (`findings` of `@contour/metrics-logger`) at the end of every `fit`. Losses map to
 * Contour's names: a cross-entropy loss is `crossEntropy`, others `loss`; `acc`/`accuracy` become
 * `classificationError` = 1 − accuracy; `val_…` go to the validation split.
 *
 * `target` is any `MetricsSink` (e.g. `MemorySink`, a browser store) or `MetricsLogger`; in Node,
 * `contourLogger` from `@contour/layers/node` also takes a directory and writes a run directory
 * (`config.json`, `metrics.jsonl`, `status.json`, `result.json`, `findings.json`) that
 * `contour plot`, `contour report` and the web app's Runs panel read.
 *
 * Several `fit` calls with the same logger continue one run (a `resumed` event marks each restart).
 *
 * @example
 * const sink = new MemorySink();
 * await model.fit(x, y, { epochs: 5, callbacks: [contourLogger(sink)] });
 *
 * @throws LayersOptionError for a target that is neither a sink nor a logger, or a bad `runId`.
 */
export function contourLogger(
  target: MetricsLogger | MetricsSink,
  options: ContourLoggerOptions = {},
): ContourLogger {
  return new ContourLogger(target, options);
}
