import {
  type AutoLearningRate,
  CoreSpecError,
  chooseLearningRate,
  type RangeTestCurve,
  type RangeTestPoint,
  RangeTestRecorder,
  type RangeTestSettings,
  type SuggestionName,
  suggestionNames,
  yieldToEventLoop,
} from '@contour/core';
import { rangeTestChartSpec } from '@contour/metrics-logger';
import { createSeededRandom, shuffleInPlace } from '@contour/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { LayersOptionError } from './layers-error.js';
import { contourOptimizerOf, setLearningRate } from './optimizer-learning-rate.js';
import { snapshotOptimizer } from './optimizer-snapshot.js';

/** Examples and targets as tensors (first axis = examples), as `model.fit` takes them. */
export interface TensorData {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
}

/**
 * A `tf.data.Dataset` of batches, as `model.fitDataset` takes it: elements `{ xs, ys }` (or
 * `[xs, ys]`), already batched. Only `iterator()` is used, so no tfjs-data import is needed here.
 */
export interface BatchDataset {
  iterator(): Promise<{ next(): Promise<{ value?: unknown; done?: boolean | undefined }> }>;
}

/** Options of {@link findLearningRate}: fastai's `lr_find` settings and how to feed the model. */
export interface FindLearningRateOptions extends Partial<RangeTestSettings> {
  /** Examples per batch for `{ x, y }` data; default 32 (as `model.fit`). Ignored for datasets. */
  readonly batchSize?: number;
  /** Shuffle `{ x, y }` data each pass; default true (fastai's training loader shuffles). */
  readonly shuffle?: boolean;
  /** Seed of the shuffle; default 0. */
  readonly seed?: number;
  /** Which suggestions to compute; default all four (valley, slide, minimum, steep). */
  readonly suggestions?: readonly SuggestionName[];
  /** The suggestion drawn bold in the chart; default `'valley'` (fastai's default). */
  readonly selected?: SuggestionName;
  /** Aborting stops the sweep after the current batch; the model and optimizer are still restored. */
  readonly signal?: AbortSignal;
  /** Called after every recorded point (progress bars, live plots). */
  readonly onPoint?: (point: RangeTestPoint) => void;
}

/** What {@link findLearningRate} returns. */
export interface FindLearningRateResult extends RangeTestCurve {
  /** True when aborted before a stop rule fired. */
  readonly interrupted: boolean;
  /** Batches in one pass over the data (undefined for a dataset that was never exhausted). */
  readonly batchesPerEpoch: number | undefined;
  readonly seconds: number;
  /** The Vega-Lite spec of the plot `contour find-lr` draws (render it with vega-embed or vega). */
  readonly chart: ReturnType<typeof rangeTestChartSpec>;
  /**
   * Contour's automatic rate for this curve (`chooseLearningRate` of `@contour/core`, the rule of
   * `contour train --lr auto`: the lowest smoothed loss's rate ÷ 10, kept inside the usable region),
   * with its one-line explanation; undefined when the curve cannot decide (too short, never falls).
   * For the median over seeds, run the test with `seed` 0, 1, 2 and pass the results to
   * `chooseLearningRate`.
   */
  readonly auto: AutoLearningRate | undefined;
  /**
   * Sets `model`'s optimizer to the automatic rate (default) or to a named fastai suggestion, on
   * any tfjs optimizer (its cached rate tensors too), and returns the rate set. Call it after the
   * test, before `model.fit` (e.g. with `learningRateScheduler` off).
   *
   * @throws LayersOptionError when that rate is undefined for this curve or the model has no optimizer.
   */
  apply(model: LayersModel, choice?: 'auto' | SuggestionName): number;
}

const owner = 'findLearningRate';

/**
 * The learning-rate range test (Leslie Smith 2015; fastai `lr_find`) on any compiled tfjs-layers
 * model — Sequential or functional, dense or convolutional — with its own loss and optimizer: one
 * `trainOnBatch` per batch while the rate grows exponentially from `startLearningRate` (1e-7)
 * toward `endLearningRate` (10) over `iterations` (100) batches, the loss smoothed by a debiased
 * moving average (β 0.98), stopping when the smoothed loss exceeds 4× its best or is not finite.
 * The same recorder, stop rules, trimming and suggestions (valley, slide, minimum, steep) as
 * `contour find-lr`, from `@contour/core`; the chart is metrics-logger's `rangeTestChartSpec`.
 *
 * `data` is `{ x, y }` tensors (batched here, shuffled each pass) or a batched `tf.data.Dataset`
 * of `{ xs, ys }`; it is cycled when the test needs more batches than one pass holds.
 *
 * Afterwards the model's weights (trainable or not, e.g. batch-norm statistics) and the
 * optimizer's whole state (slots, step counts, rate; see `snapshotOptimizer`) are bit-identical
 * to before — also when a step throws or the signal aborts the test.
 *
 * @example
 * const result = await findLearningRate(model, { x, y });
 * console.log(result.suggestions.valley?.learningRate);
 *
 * @throws LayersOptionError for a model without an optimizer or bad `batchSize`/`seed`/data;
 *   CoreSpecError naming a bad range-test setting.
 */
export async function findLearningRate(
  model: LayersModel,
  data: TensorData | BatchDataset,
  options: FindLearningRateOptions = {},
): Promise<FindLearningRateResult> {
  const started = performance.now();
  const {
    batchSize = 32,
    shuffle = true,
    seed = 0,
    suggestions = suggestionNames,
    selected = 'valley',
    signal,
    onPoint,
    ...settings
  } = options;
  const recorder = new RangeTestRecorder(settings);
  const optimizer = model.optimizer as tf.Optimizer | undefined;
  if (!optimizer)
    throw new LayersOptionError(
      owner,
      'model',
      'a compiled model (call model.compile first)',
      'no optimizer',
    );
  if (!Number.isInteger(seed)) throw new LayersOptionError(owner, 'seed', 'an integer', seed);
  const batches = batchSource(data, batchSize, shuffle, seed);
  // A Contour optimizer just loaded with its model holds its saved slots until the first step:
  // match them now, so that the snapshot below includes them.
  const adapter = optimizer as { savedStatePending?: boolean; importSavedState?: (names: string[]) => void };
  if (adapter.savedStatePending === true)
    adapter.importSavedState?.(model.trainableWeights.map((weight) => (weight.read() as tf.Variable).name));
  const savedWeights = model.getWeights().map((weight) => tf.clone(weight));
  const savedOptimizer = snapshotOptimizer(optimizer);
  const contour = contourOptimizerOf(optimizer);
  let interrupted = false;
  let lastYield = performance.now();
  try {
    while (!signal?.aborted) {
      const batch = await batches.next();
      let loss: number;
      try {
        setLearningRate(optimizer, recorder.nextLearningRate());
        const outcome = await model.trainOnBatch(batch.x, batch.y);
        loss = Array.isArray(outcome) ? (outcome[0] as number) : outcome;
      } finally {
        if (batch.owned) tf.dispose([batch.x, batch.y]);
      }
      const report = (optimizer as { lastReport?: { status: string } }).lastReport;
      if (contour && report?.status === 'diverged') loss = Number.NaN;
      const stop = recorder.record(loss);
      onPoint?.(recorder.points.at(-1) as RangeTestPoint);
      if (stop) break;
      if (performance.now() - lastYield > 50) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
    interrupted = signal?.aborted === true && recorder.stop === undefined;
  } finally {
    model.setWeights(savedWeights);
    tf.dispose(savedWeights);
    savedOptimizer.restore();
    savedOptimizer.dispose();
    batches.dispose();
  }
  const curve = recorder.result(suggestions);
  let auto: AutoLearningRate | undefined;
  try {
    auto = chooseLearningRate([curve]);
  } catch (error) {
    if (!(error instanceof CoreSpecError)) throw error;
  }
  return {
    ...curve,
    auto,
    apply(target: LayersModel, choice: 'auto' | SuggestionName = 'auto'): number {
      const rate = choice === 'auto' ? auto?.learningRate : curve.suggestions[choice]?.learningRate;
      if (rate === undefined)
        throw new LayersOptionError(
          'findLearningRate result.apply',
          'choice',
          `a rate this curve gives (${['auto', ...Object.keys(curve.suggestions)].filter((name) => name !== 'auto' || auto).join(', ') || 'none'})`,
          choice,
        );
      const targetOptimizer = target.optimizer as tf.Optimizer | undefined;
      if (!targetOptimizer)
        throw new LayersOptionError(
          'findLearningRate result.apply',
          'model',
          'a compiled model (call model.compile first)',
          'no optimizer',
        );
      setLearningRate(targetOptimizer, rate);
      return rate;
    },
    interrupted,
    batchesPerEpoch: batches.batchesPerEpoch(),
    seconds: (performance.now() - started) / 1000,
    chart: rangeTestChartSpec({
      points: curve.points,
      trimmed: curve.trimmed,
      suggestions: Object.values(curve.suggestions),
      selected,
    }),
  };
}

interface Batch {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
  /** True when the batch tensors were made here and must be disposed after the step. */
  readonly owned: boolean;
}

interface BatchSource {
  next(): Promise<Batch>;
  batchesPerEpoch(): number | undefined;
  dispose(): void;
}

function isDataset(data: unknown): data is BatchDataset {
  return typeof (data as BatchDataset | null)?.iterator === 'function';
}

function batchSource(
  data: TensorData | BatchDataset,
  batchSize: number,
  shuffle: boolean,
  seed: number,
): BatchSource {
  if (isDataset(data)) return datasetBatches(data);
  if (!(data?.x instanceof tf.Tensor) || !(data?.y instanceof tf.Tensor))
    throw new LayersOptionError(
      owner,
      'data',
      '{ x, y } tensors or a batched tf.data.Dataset of { xs, ys }',
      data,
    );
  const count = data.x.shape[0] as number;
  if (data.y.shape[0] !== count)
    throw new LayersOptionError(
      owner,
      'data.y',
      `a tensor with ${count} rows (as data.x)`,
      `shape [${data.y.shape.join(', ')}]`,
    );
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > count)
    throw new LayersOptionError(
      owner,
      'batchSize',
      `an integer in 1..${count} (the examples in data.x)`,
      batchSize,
    );
  const perEpoch = Math.ceil(count / batchSize);
  const random = createSeededRandom(seed);
  let order = new Int32Array(0);
  let index = perEpoch;
  return {
    async next() {
      if (index >= perEpoch) {
        order = Int32Array.from({ length: count }, (_, position) => position);
        if (shuffle) shuffleInPlace(order, random);
        index = 0;
      }
      const slice = order.subarray(index * batchSize, Math.min(count, (index + 1) * batchSize));
      index += 1;
      return tf.tidy(() => {
        const indices = tf.tensor1d(slice, 'int32');
        return { x: tf.gather(data.x, indices), y: tf.gather(data.y, indices), owned: true };
      });
    },
    batchesPerEpoch: () => perEpoch,
    dispose: () => {},
  };
}

function datasetBatches(dataset: BatchDataset): BatchSource {
  let iterator: Awaited<ReturnType<BatchDataset['iterator']>> | undefined;
  let seen = 0;
  let perEpoch: number | undefined;
  return {
    async next() {
      for (let attempt = 0; attempt < 2; attempt += 1) {
        iterator ??= await dataset.iterator();
        const { value, done } = await iterator.next();
        if (!done) {
          seen += 1;
          return toBatch(value);
        }
        perEpoch ??= seen;
        iterator = undefined;
        if (seen === 0) break;
      }
      throw new LayersOptionError(
        owner,
        'data',
        'a dataset that yields at least one batch',
        'an empty dataset',
      );
    },
    batchesPerEpoch: () => perEpoch,
    dispose: () => {},
  };
}

function toBatch(value: unknown): Batch {
  const pair = Array.isArray(value)
    ? { x: value[0], y: value[1] }
    : { x: (value as { xs?: unknown })?.xs, y: (value as { ys?: unknown })?.ys };
  if (!(pair.x instanceof tf.Tensor) || !(pair.y instanceof tf.Tensor))
    throw new LayersOptionError(owner, 'data', 'dataset elements { xs, ys } (or [xs, ys]) of tensors', value);
  return { x: pair.x, y: pair.y, owned: true };
}
