import type { BackendSelection } from '@contour/backends';
import type { RangeTestPoint, RangeTestResult } from '@contour/core';
import type { MetricsRecord, RunStatus } from '@contour/metrics-logger';
import type { IdxFileSet } from '@contour/mnist-loader';

/** Where the sweep's data comes from. */
export type DataChoice =
  | { readonly kind: 'embedded'; readonly baseUrl: string }
  | { readonly kind: 'files'; readonly files: IdxFileSet<File> };

/** Slots of the shared control word (an `Int32Array` over a `SharedArrayBuffer`). */
export const controlState = { running: 0, paused: 1, stopping: 2 } as const;

/** Main thread → worker: run a sweep (one trial per rate), or race optimizers on a surface. */
export type WorkerRequest =
  | {
      readonly type: 'sweep';
      readonly sweepId: string;
      readonly data: DataChoice;
      /** A JSON run config (`resolveRunConfig` input): data limits, training config, backend. */
      readonly config: {
        readonly data: Record<string, unknown>;
        readonly training: Record<string, unknown>;
        readonly backend: string;
      };
      readonly rates: readonly number[];
      /** Pause/stop control shared with the main thread (only under cross-origin isolation). */
      readonly control?: SharedArrayBuffer;
    }
  | {
      readonly type: 'range-test';
      readonly data: DataChoice;
      /** A JSON run config as for a sweep; the optimizer spec's rate is replaced by the sweep's. */
      readonly config: {
        readonly data: Record<string, unknown>;
        readonly training: Record<string, unknown>;
        readonly backend: string;
      };
      /** Settings of `runRangeTest` (validated by @contour/core). */
      readonly settings: {
        readonly startLearningRate: number;
        readonly endLearningRate: number;
        readonly iterations: number;
      };
    }
  | { readonly type: 'stop' }
  | {
      readonly type: 'race';
      readonly surface: string;
      readonly start: readonly [number, number] | null;
      readonly steps: number;
      /** Learning rates replacing the preset's, by racer label (`sgd`, `adam`…). */
      readonly rates?: Readonly<Record<string, number>>;
    };

/** A trial as the main thread sees it. */
export interface TrialInfo {
  readonly index: number;
  readonly id: string;
  readonly label: string;
  readonly rate: number;
  readonly config: unknown;
  /** `configHash(config)` of @contour/core, for `result.json`. */
  readonly configHash: string;
}

/** Worker → main thread. */
export type WorkerReply =
  | { readonly type: 'status'; readonly message: string }
  | { readonly type: 'backend'; readonly selection: BackendSelection }
  | {
      readonly type: 'data';
      readonly name: string;
      readonly source: string;
      readonly train: number;
      readonly validation: number;
      readonly test: number;
      /** Number of classes K (labels 0…K − 1): from the labels, or the data config's `classCount`. */
      readonly classCount: number;
      /** Rows and columns of one image (the model's input size is their product). */
      readonly imageShape: readonly [number, number];
      readonly seconds: number;
    }
  | { readonly type: 'trials'; readonly trials: readonly TrialInfo[] }
  /** The backend's warm-up before the first run (compiling kernels), in seconds: in no run's time. */
  | { readonly type: 'warm-up'; readonly seconds: number }
  | { readonly type: 'trial-start'; readonly index: number }
  | { readonly type: 'records'; readonly index: number; readonly records: readonly MetricsRecord[] }
  | {
      readonly type: 'progress';
      readonly index: number;
      readonly epoch: number;
      readonly batch: number;
      readonly batches: number;
      readonly loss: number;
    }
  | {
      readonly type: 'trial-end';
      readonly index: number;
      readonly status: RunStatus;
      readonly message?: string;
    }
  | {
      readonly type: 'sweep-end';
      /** The whole sweep, start-up included. */
      readonly seconds: number;
      /** Before the first run: backend, data and warm-up (in no run's seconds). */
      readonly startupSeconds: number;
      readonly stopped: boolean;
    }
  | { readonly type: 'range-test-points'; readonly points: readonly RangeTestPoint[] }
  | {
      readonly type: 'range-test-result';
      readonly result: RangeTestResult;
      readonly trainingExamples: number;
      /** @contour/core's auto rule (`--lr auto`) applied to this range test, or why it gives no rate. */
      readonly auto: RangeTestAuto;
    }
  | { readonly type: 'race-result'; readonly result: RaceSummary; readonly spec: Record<string, unknown> }
  | {
      readonly type: 'error';
      readonly message: string;
      /**
       * The setting the error is about, when a spec error names one: `optimizer`, `schedule` (the
       * optimizer's `lr` schedule), or core's field (`model`, `batchSize`, `epochs`…).
       */
      readonly field?: string;
    };

/**
 * The auto rule on one range test: the rate (`chooseLearningRate`), why, the usable region it read,
 * and 5 rates bracketing it (`autoSweepLearningRates`) for the Sweep lab; or the rule's problem.
 */
export type RangeTestAuto =
  | {
      readonly learningRate: number;
      readonly explanation: string;
      readonly rule: string;
      readonly startLearningRate: number;
      readonly endLearningRate: number;
      readonly bracket: readonly number[];
    }
  | { readonly problem: string };

/** What the race panel needs of a race (the surface's functions stay in the worker). */
export interface RaceSummary {
  readonly surface: string;
  readonly formula: string;
  readonly domain: { readonly x: readonly [number, number]; readonly y: readonly [number, number] };
  readonly start: readonly [number, number];
  /** The start asked for when it lay outside the map (the race starts from `start`, clamped). */
  readonly requestedStart: readonly [number, number] | null;
  readonly steps: number;
  readonly trajectories: ReadonlyArray<{
    readonly label: string;
    /** The racer's learning rate (the preset's, or the one set for it). */
    readonly learningRate: number;
    readonly divergedAtStep: number | null;
    readonly finalValue: number;
    readonly finalDistanceToMinimum: number | null;
  }>;
}
