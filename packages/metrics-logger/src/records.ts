/** JSON values (configs, details). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Version of the record format written to `metrics.jsonl`; bumped on incompatible changes. */
export const metricsFormatVersion = 1;

/**
 * Status of a run, as in `status.json`. `interrupted`: stopped before its last epoch by Ctrl-C (or
 * paused), resumable from its checkpoint; `stopped`: early-stopped for good by a sweep's scheduler
 * (successive halving did not promote it from a rung; the reason is in its `early-stop` event and
 * `status.json`), its checkpoint kept so a later sweep may train it on.
 */
export type RunStatus = 'running' | 'finished' | 'interrupted' | 'stopped' | 'diverged' | 'failed';

/** Metrics of one data split at the end of an epoch. Non-finite values are kept as NaN/±Infinity. */
export interface SplitMetrics {
  /** Softmax cross entropy (mean over the split). */
  readonly crossEntropy?: number;
  /** Fraction misclassified, 0..1. */
  readonly classificationError?: number;
  /** The training objective when it is not cross entropy (e.g. mean squared error). */
  readonly loss?: number;
}

/** First record of a run: everything needed to reproduce it. */
export interface RunStartRecord {
  readonly kind: 'run-start';
  readonly formatVersion: number;
  readonly runId: string;
  /** ISO 8601 time. */
  readonly time: string;
  readonly config: JsonValue;
  /** Package and runtime versions, e.g. {"@contour/core": "0.1.0", "node": "20.20.2"}. */
  readonly versions: Readonly<Record<string, string>>;
  /** Epochs per run and batches per epoch, when known (for progress bars). */
  readonly epochs?: number;
  readonly batchesPerEpoch?: number;
}

/** One optimizer step: the training loss of the batch and the rate applied. */
export interface StepRecord {
  readonly kind: 'step';
  /** 1-based epoch the step belongs to. */
  readonly epoch: number;
  /** 0-based global step index (the schedule's t when it counts steps). */
  readonly step: number;
  readonly loss: number;
  readonly learningRate: number;
}

/** End of an epoch: train / validation / test metrics, rate, time, update ratios. */
export interface EpochRecord {
  readonly kind: 'epoch';
  /** 1-based epoch number; 0 is an optional evaluation before training. */
  readonly epoch: number;
  /** Steps taken so far. */
  readonly step: number;
  /** Rate in effect during the epoch's last step. */
  readonly learningRate: number;
  /** Seconds this epoch took. */
  readonly seconds: number;
  readonly train: SplitMetrics;
  readonly validation?: SplitMetrics;
  readonly test?: SplitMetrics;
  /** log10(mean |update| / mean |parameter|) per layer (DL4J's update:parameter ratio). */
  readonly updateRatios?: Readonly<Record<string, number>>;
  /**
   * Every value of the training loop's own epoch logs under its own name, when the run comes from
   * another loop (tfjs-layers `model.fit` through `@contour/layers`: `loss`, `acc`, `val_loss`, `lr`, …).
   */
  readonly metrics?: Readonly<Record<string, number>>;
}

/** Kinds of notable event during a run. */
export type RunEventKind =
  | 'diverged'
  | 'skipped-step'
  | 'early-stop'
  | 'interrupted'
  | 'resumed'
  | 'restored-best';

/** Something notable happened: divergence, a skipped non-finite step, early stop, interrupt. */
export interface EventRecord {
  readonly kind: 'event';
  readonly event: RunEventKind;
  readonly epoch: number;
  readonly step: number;
  /** One line for people, e.g. "loss is NaN at step 312". */
  readonly message: string;
  readonly detail?: JsonValue;
}

/** Last record of a run. */
export interface FinishRecord {
  readonly kind: 'finish';
  readonly status: RunStatus;
  readonly time: string;
  /** Epochs completed and steps taken. */
  readonly epochs: number;
  readonly steps: number;
  readonly seconds: number;
}

/**
 * One learning-rate range test run before training (`--lr auto`), written after `run-start`: the
 * whole curve, fastai's suggestions and the analysed window, for one seed.
 */
export interface RangeTestRecord {
  readonly kind: 'range-test';
  /** Seed of this test's initial weights and batch order. */
  readonly seed: number;
  /** The sweep's settings (start and end rate, iterations, smoothing, divergence factor). */
  readonly settings: Readonly<Record<string, number>>;
  /** Why it stopped: completed, diverged or non-finite. */
  readonly stop: string;
  readonly points: ReadonlyArray<{
    readonly learningRate: number;
    readonly loss: number;
    readonly smoothedLoss: number;
  }>;
  /** Index range of the analysed points (fastai's trimming). */
  readonly trimmed: { readonly start: number; readonly end: number };
  /** fastai's suggestions by name (valley, slide, minimum, steep) where they could decide. */
  readonly suggestions: Readonly<
    Record<
      string,
      { readonly learningRate: number; readonly loss: number; readonly pointLearningRate: number }
    >
  >;
}

/** The rate `--lr auto` chose from the range tests before it, and why. */
export interface AutoLearningRateRecord {
  readonly kind: 'auto-learning-rate';
  /** The chosen rate (the peak of the schedule when there is one). */
  readonly learningRate: number;
  /** The rule, in one line. */
  readonly rule: string;
  /** Why this rate, in one line (what the CLI prints). */
  readonly explanation: string;
  /** The rate each range test gave (null where it could not decide), in `range-test` record order. */
  readonly seedLearningRates: ReadonlyArray<number | null>;
  readonly seeds: readonly number[];
  /** Largest ÷ smallest of the seeds' rates. */
  readonly spread: number;
  /** The usable region of the median seed's curve: where the loss starts falling → its minimum. */
  readonly region: { readonly startLearningRate: number; readonly endLearningRate: number };
  /** The schedule trained with (`--schedule auto`), when not a constant rate. */
  readonly schedule?: JsonValue;
}

/** Any record of `metrics.jsonl`. */
export type MetricsRecord =
  | RunStartRecord
  | StepRecord
  | EpochRecord
  | EventRecord
  | FinishRecord
  | RangeTestRecord
  | AutoLearningRateRecord;

/** Where records go: memory, a JSONL file, the console, a browser store. */
export interface MetricsSink {
  write(record: MetricsRecord): void;
  /** Makes everything written so far durable (e.g. fsync); called at least once per epoch. */
  flush?(): void;
  close?(): void;
}
