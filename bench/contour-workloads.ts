// Contour's side of the benchmark: each workload through Contour's public pieces (the trainer,
// runSweep, race, the optimizers), on the backend the runner selected.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createModel,
  parseModelSpec,
  resolveRunConfig,
  resolveTrainingConfig,
  runRangeTest,
  train,
} from '../packages/core/src/index.ts';
import { expandSweep } from '../packages/core/src/sweep.ts';
import { trainVectorised } from '../packages/core/src/training/vectorised-sweep.ts';
import type { PreparedDataset } from '../packages/mnist-loader/src/index.ts';
import { type Racer, race } from '../packages/race/src/index.ts';
import { runSweep } from '../packages/runs/src/index.ts';
import type { BenchSettings } from './bench-support.ts';
import { loadTfCore, peakRssMegabytes } from './bench-support.ts';

const tf = await loadTfCore();

/** What one workload run reports (the runner adds the engine and backend). */
export interface WorkloadMeasurement {
  /** Wall seconds of the timed section (the whole workload as specified). */
  readonly seconds: number;
  /** Seconds of training steps alone (without the per-epoch evaluation), when separable. */
  readonly trainSeconds?: number;
  /** Steps-only seconds of each epoch (MLP). */
  readonly epochSeconds?: readonly number[];
  /** Final held-out accuracy (MLP: test; sweep: per trial, below). */
  readonly accuracy?: number;
  readonly trials?: ReadonlyArray<{
    readonly rate: number;
    readonly status: string;
    readonly epochs: number;
    readonly validationAccuracy: number | null;
  }>;
  /** find-lr: iterations run and the `minimum` suggestion (rate at the lowest smoothed loss ÷ 10). */
  readonly iterations?: number;
  readonly suggestion?: number;
  /** race: distance of each racer's last point to the minimum (null: diverged). */
  readonly distances?: Readonly<Record<string, number | null>>;
  /** tfjs tensor count after each epoch (and at the end): flat means no leak. */
  readonly tensorCounts?: readonly number[];
  readonly peakRssMegabytes: number;
  /** Which path ran (e.g. "vectorised K=5"), when the workload reports it. */
  readonly path?: string;
}

function sweepTrainingConfig(settings: BenchSettings, rate: number) {
  return resolveTrainingConfig({
    model: 'linear',
    optimizer: { type: 'sgd', lr: rate },
    loss: 'cross-entropy',
    epochs: settings.sweep.epochs,
    batchSize: settings.sweep.batchSize,
    seed: settings.sweep.seed,
    divergenceFactor: settings.sweep.divergenceFactor,
  });
}

/** The mnist-lr-sweep, one trial after another through `train` (no run directories). */
export async function contourSweepSequential(
  settings: BenchSettings,
  dataset: PreparedDataset,
): Promise<WorkloadMeasurement> {
  const tensorCounts: number[] = [];
  const trials: Array<NonNullable<WorkloadMeasurement['trials']>[number]> = [];
  const started = performance.now();
  for (const rate of settings.sweep.rates) {
    const result = await train(sweepTrainingConfig(settings, rate), {
      dataset,
      callbacks: { onEpochEnd: () => tensorCounts.push(tf.memory().numTensors) },
    });
    const last = result.history.at(-1);
    trials.push({
      rate,
      status: result.status,
      epochs: result.epochs,
      validationAccuracy: last?.validation ? 1 - (last.validation.classificationError ?? Number.NaN) : null,
    });
    result.model.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  tensorCounts.push(tf.memory().numTensors);
  return { seconds, trials, tensorCounts, peakRssMegabytes: peakRssMegabytes(), path: 'train() per trial' };
}

/**
 * The mnist-lr-sweep end to end as `contour sweep --preset mnist-lr-sweep` runs it (without the
 * plots and report): `expandSweep` + `runSweep` into a temporary sweep directory, worker processes
 * (one per core) or the vectorised path, every run directory written.
 */
export async function contourRunSweep(
  settings: BenchSettings,
  backend: string,
  workers: number | undefined,
): Promise<WorkloadMeasurement> {
  const base = resolveRunConfig({
    data: {
      source: 'mnist',
      validation: settings.sweep.validation,
      ...(settings.sweep.trainLimit === undefined ? {} : { trainLimit: settings.sweep.trainLimit }),
    },
    training: {
      model: 'linear',
      optimizer: { type: 'sgd', lr: settings.sweep.rates[0] ?? 0.1 },
      loss: 'cross-entropy',
      epochs: settings.sweep.epochs,
      batchSize: settings.sweep.batchSize,
      seed: settings.sweep.seed,
      divergenceFactor: settings.sweep.divergenceFactor,
    },
    backend,
  });
  const trials = expandSweep('bench', base, [{ key: 'lr', values: settings.sweep.rates }]);
  const directory = mkdtempSync(join(tmpdir(), 'contour-bench-sweep-'));
  try {
    const plan: string[] = [];
    const started = performance.now();
    const results = await runSweep(trials, {
      directory,
      ...(workers === undefined ? {} : { workers }),
      onPlan: (line) => plan.push(line),
    });
    const seconds = (performance.now() - started) / 1000;
    return {
      seconds,
      trials: results.map((result) => {
        const accuracy = result.summary?.final.validation?.classificationError;
        return {
          rate: settings.sweep.rates[result.trial.index] ?? Number.NaN,
          status: result.status,
          epochs: result.summary?.epochs ?? 0,
          validationAccuracy: accuracy === undefined ? null : 1 - accuracy,
        };
      }),
      peakRssMegabytes: peakRssMegabytes(),
      // e.g. "vectorised on wasm" or "2 worker process(es)".
      path:
        plan
          .map((line) => {
            const vectorised = /^path: vectorised .* on (\w+) \(/.exec(line);
            return vectorised
              ? `vectorised on ${vectorised[1]}`
              : line.replace(/^path: /, '').replace(/ — .*$/, '');
          })
          .join('; ') || 'runSweep',
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The MLP on Fashion-MNIST through `train` (evaluating train and test after each epoch). */
export async function contourMlp(
  settings: BenchSettings,
  dataset: PreparedDataset,
): Promise<WorkloadMeasurement> {
  const config = resolveTrainingConfig({
    model: `mlp:${settings.mlp.hidden.join(',')}`,
    optimizer: { type: 'adam', lr: settings.mlp.learningRate },
    loss: 'cross-entropy',
    epochs: settings.mlp.epochs,
    batchSize: settings.mlp.batchSize,
    seed: settings.mlp.seed,
    evaluateTest: true,
  });
  const tensorCounts: number[] = [];
  const epochSeconds: number[] = [];
  let epochStarted = performance.now();
  let lastBatchEnded = epochStarted;
  const started = performance.now();
  const result = await train(config, {
    dataset,
    callbacks: {
      onBatchEnd: () => {
        lastBatchEnded = performance.now();
      },
      onEpochEnd: () => {
        epochSeconds.push((lastBatchEnded - epochStarted) / 1000);
        tensorCounts.push(tf.memory().numTensors);
        epochStarted = performance.now();
      },
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const last = result.history.at(-1);
  result.model.dispose();
  tensorCounts.push(tf.memory().numTensors);
  return {
    seconds,
    trainSeconds: epochSeconds.reduce((sum, value) => sum + value, 0),
    epochSeconds,
    ...(last?.test ? { accuracy: 1 - (last.test.classificationError ?? Number.NaN) } : {}),
    tensorCounts,
    peakRssMegabytes: peakRssMegabytes(),
  };
}

/**
 * The learning-rate range test through core's `runRangeTest` (fastai `lr_find`: rate from start
 * toward end over N iterations, smoothed loss, stop at 4× the best, weights restored) on the
 * linear model.
 */
export async function contourFindLr(
  settings: BenchSettings,
  dataset: PreparedDataset,
): Promise<WorkloadMeasurement> {
  const { start, end, iterations, batchSize, beta, stopFactor, seed } = settings.findLr;
  const started = performance.now();
  const model = createModel(parseModelSpec('linear'), {
    inputSize: 784,
    outputSize: dataset.classCount,
    seed,
  });
  const result = await runRangeTest(model, dataset, {
    optimizer: { type: 'sgd', lr: start },
    startLearningRate: start,
    endLearningRate: end,
    iterations,
    beta,
    divergenceFactor: stopFactor,
    batchSize,
    seed,
  });
  model.dispose();
  const seconds = (performance.now() - started) / 1000;
  let lowest = 0;
  result.points.forEach((point, index) => {
    if (point.smoothedLoss < (result.points[lowest]?.smoothedLoss ?? Number.POSITIVE_INFINITY))
      lowest = index;
  });
  return {
    seconds,
    iterations: result.points.length,
    suggestion: (result.points[lowest]?.learningRate ?? Number.NaN) / 10,
    tensorCounts: [tf.memory().numTensors],
    peakRssMegabytes: peakRssMegabytes(),
  };
}

/** The race: @contour/race's `race` with the seven racers on Rosenbrock. */
export async function contourRace(settings: BenchSettings): Promise<WorkloadMeasurement> {
  const before = tf.memory().numTensors;
  const started = performance.now();
  const result = race({
    surface: settings.race.surface,
    start: [...settings.race.start],
    steps: settings.race.steps,
    // The settings hold plain JSON shared with the PyTorch and tfjs-layers workloads; race validates it.
    racers: settings.race.racers.map(({ label, spec }) => ({
      label,
      spec: spec as unknown as Racer['spec'],
    })),
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    distances: Object.fromEntries(
      result.trajectories.map((trajectory) => [
        trajectory.label,
        trajectory.divergedAtStep === null ? trajectory.finalDistanceToMinimum : null,
      ]),
    ),
    tensorCounts: [before, tf.memory().numTensors],
    peakRssMegabytes: peakRssMegabytes(),
  };
}

/** The mnist-lr-sweep with every rate trained together in one pass (core's vectorised path). */
export async function contourSweepVectorised(
  settings: BenchSettings,
  dataset: PreparedDataset,
): Promise<WorkloadMeasurement> {
  const tensorCounts: number[] = [];
  const started = performance.now();
  let epochsSeen = 0;
  const results = await trainVectorised(
    settings.sweep.rates.map((rate, index) => ({
      config: sweepTrainingConfig(settings, rate),
      callbacks:
        index === 0
          ? {
              onEpochEnd: () => {
                epochsSeen += 1;
                tensorCounts.push(tf.memory().numTensors);
              },
            }
          : {},
    })),
    { dataset },
  );
  const seconds = (performance.now() - started) / 1000;
  const trials = results.map((result, index) => {
    const last = result.history.at(-1);
    return {
      rate: settings.sweep.rates[index] ?? Number.NaN,
      status: result.status,
      epochs: result.epochs,
      validationAccuracy: last?.validation ? 1 - (last.validation.classificationError ?? Number.NaN) : null,
    };
  });
  for (const result of results) result.model.dispose();
  tensorCounts.push(tf.memory().numTensors);
  return {
    seconds,
    trials,
    tensorCounts: epochsSeen > 0 ? tensorCounts : [],
    peakRssMegabytes: peakRssMegabytes(),
    path: `trainVectorised K=${settings.sweep.rates.length}`,
  };
}
