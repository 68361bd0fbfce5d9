import type { AutoLearningRateRecord, JsonValue, RangeTestRecord } from '@contour/metrics-logger';
import { createBatcher, type PreparedDataset } from '@contour/mnist-loader';
import type { OptimizerSpec } from '@contour/optimizers';
import type { TrainableModel, WeightValues } from '../model/trainable-model.js';
import type { TrainingConfig } from '../training/training-config.js';
import {
  type AutoLearningRate,
  type AutoRuleSettings,
  autoScheduleSpec,
  chooseLearningRate,
} from './auto-learning-rate.js';
import {
  findLearningRateOnDataset,
  type LearningRateTrainingConfig,
} from './find-learning-rate-on-dataset.js';
import type { RangeTestSettings } from './range-test-recorder.js';
import { type RangeTestResult, type RunRangeTestOptions, runRangeTest } from './run-range-test.js';

/** Default number of range tests (seeds) behind an automatic rate. */
export const defaultAutoSeeds = 3;

/** Options of {@link findAutoLearningRate}. */
export interface FindAutoLearningRateOptions {
  /** Range tests to run, with seeds `seed`, `seed + 1`, …; default 3. */
  readonly seeds?: number;
  /** Settings of each range test (fastai's defaults). */
  readonly settings?: Partial<RangeTestSettings>;
  /** Settings of the rule (the benchmark's defaults). */
  readonly rule?: Partial<AutoRuleSettings>;
  /** Weights every test starts from instead of the seed's (a model.json's own weights). */
  readonly initialWeights?: WeightValues;
  readonly signal?: AbortSignal;
  /**
   * Builds the model of the test with this seed (e.g. a pretrained network with a new head, for
   * fine-tuning) instead of the spec's fresh model; it is disposed after its test.
   */
  readonly createModel?: (seed: number) => Promise<TrainableModel>;
  /** Called after each range test. */
  readonly onRangeTest?: (seed: number, result: RangeTestResult) => void;
}

/** Thrown by {@link findAutoLearningRate} when its signal stops a range test: no rate is chosen. */
export class RangeTestInterruptedError extends Error {
  constructor() {
    super('interrupted during the learning-rate range test: no rate was chosen, nothing was trained');
    this.name = 'RangeTestInterruptedError';
  }
}

/** What {@link findAutoLearningRate} returns: every range test and the rate chosen from them. */
export interface FoundAutoLearningRate {
  readonly rangeTests: readonly { readonly seed: number; readonly result: RangeTestResult }[];
  readonly auto: AutoLearningRate;
}

/**
 * Runs the range test once per seed (`training.seed`, `+1`, …: each seed draws its own initial
 * weights — unless `initialWeights` — and batch order) on the same model spec, data, optimizer,
 * batch size and loss as the training will use, and picks the rate with {@link chooseLearningRate}.
 * Browser-safe: nothing is written.
 *
 * @throws CoreSpecError (`curves`) when no test's smoothed loss falls.
 * @throws RangeTestInterruptedError when `signal` aborts a range test.
 */
export async function findAutoLearningRate(
  training: LearningRateTrainingConfig,
  dataset: PreparedDataset,
  options: FindAutoLearningRateOptions = {},
): Promise<FoundAutoLearningRate> {
  const count = options.seeds ?? defaultAutoSeeds;
  const rangeTests: { seed: number; result: RangeTestResult }[] = [];
  for (let index = 0; index < count; index += 1) {
    const seed = training.seed + index;
    const result = options.createModel
      ? await rangeTestOn(await options.createModel(seed), dataset, {
          ...options.settings,
          optimizer: training.optimizer,
          batchSize: training.batchSize,
          seed,
          loss: training.loss,
          ...(options.signal ? { signal: options.signal } : {}),
        })
      : await findLearningRateOnDataset({ ...training, seed }, dataset, {
          method: 'exponential',
          ...(options.settings ? { settings: options.settings } : {}),
          ...(options.initialWeights ? { initialWeights: options.initialWeights } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
    // A test cut short by the signal has no usable curve: no rate is chosen from it.
    if (options.signal?.aborted) throw new RangeTestInterruptedError();
    rangeTests.push({ seed, result });
    options.onRangeTest?.(seed, result);
  }
  return {
    rangeTests,
    auto: chooseLearningRate(
      rangeTests.map((test) => test.result),
      options.rule,
    ),
  };
}

/** The range test on a model built for it, disposed afterwards. */
async function rangeTestOn(
  model: TrainableModel,
  dataset: PreparedDataset,
  options: RunRangeTestOptions,
): Promise<RangeTestResult> {
  try {
    return await runRangeTest(model, dataset, options);
  } finally {
    model.dispose();
  }
}

/**
 * The records a run trained with an automatic rate writes after `run-start`: one `range-test` per
 * seed (curve, suggestions, analysed window) and the `auto-learning-rate` record (rate, rule,
 * explanation, each seed's rate, spread, region, and the schedule when there is one).
 */
export function autoLearningRateRecords(
  found: FoundAutoLearningRate,
  schedule?: JsonValue,
): [...RangeTestRecord[], AutoLearningRateRecord] {
  const tests: RangeTestRecord[] = found.rangeTests.map(({ seed, result }) => ({
    kind: 'range-test',
    seed,
    settings: { ...result.settings },
    stop: result.stop,
    points: result.points.map(({ learningRate, loss, smoothedLoss }) => ({
      learningRate,
      loss,
      smoothedLoss,
    })),
    trimmed: { start: result.trimmed.start, end: result.trimmed.end },
    suggestions: Object.fromEntries(
      Object.values(result.suggestions).map((item) => [
        item.name,
        { learningRate: item.learningRate, loss: item.loss, pointLearningRate: item.pointLearningRate },
      ]),
    ),
  }));
  const { auto } = found;
  return [
    ...tests,
    {
      kind: 'auto-learning-rate',
      learningRate: auto.learningRate,
      rule: auto.rule,
      explanation: auto.explanation,
      seedLearningRates: auto.seeds.map((choice) => choice.learningRate ?? null),
      seeds: found.rangeTests.map((test) => test.seed),
      spread: auto.spread,
      region: {
        startLearningRate: auto.region.startLearningRate,
        endLearningRate: auto.region.endLearningRate,
      },
      ...(schedule === undefined ? {} : { schedule }),
    },
  ];
}

/**
 * The optimizer a run trains with once its automatic rate is chosen, and the schedule made for it:
 * with `schedule: 'auto'` the schedule `autoScheduleSpec` builds over all of the training's steps,
 * otherwise the chosen rate (put into the rate schedule the optimizer already had, if any).
 */
export function applyAutoLearningRate(
  training: TrainingConfig,
  dataset: PreparedDataset,
  learningRate: number,
  schedule?: 'auto',
): { optimizer: OptimizerSpec; schedule: ReturnType<typeof autoScheduleSpec> | undefined } {
  const batches = createBatcher(dataset, { batchSize: training.batchSize, seed: training.seed }).batchCount;
  const made =
    schedule === 'auto'
      ? autoScheduleSpec(training.optimizer.type, learningRate, batches * training.epochs)
      : undefined;
  const current = training.optimizer.lr;
  const lr =
    made ??
    (current !== null && typeof current === 'object' ? { ...current, lr: learningRate } : learningRate);
  return { optimizer: { ...training.optimizer, lr } as OptimizerSpec, schedule: made };
}
