// Profiles the training steps of the demo sweep (the mnist-lr-sweep preset through core's
// vectorised path: 5 rates stacked, 10 epochs, batch 64) on one backend:
//   node --conditions=@contour/source --import tsx bench/profile-sweep-steps.ts [--backend wasm] [--repetitions 3]
// Prints, per repetition, the wall seconds of the whole pass and of its steps alone (the pass minus
// the per-epoch evaluation), and the work per training step that does not depend on machine load:
// tfjs kernels dispatched, host syncs (read-backs of device data) and tensors allocated.
import { selectBackend } from '../packages/backends/src/index.ts';
import { CachedEvaluator } from '../packages/core/src/training/cached-evaluation.ts';
import { loadEmbeddedMnist, prepareDataset } from '../packages/mnist-loader/src/node/index.ts';
import { loadSweepData } from './bench-data.ts';
import { benchSettings, flagValue, loadTfCore, median } from './bench-support.ts';

const backendName = (flagValue(process.argv, '--backend') ?? 'wasm') as 'cpu' | 'wasm' | 'node';
const repetitions = Number(flagValue(process.argv, '--repetitions') ?? '3');
await selectBackend(backendName, { strict: true });
const tf = await loadTfCore();
const contour = await import('./contour-workloads.ts');
const settings = benchSettings(false);
const dataset = await loadSweepData(settings);

// Counters: every kernel goes through the engine's runKernelFunc, every new tensor through
// trackTensor, every read-back through the backend's readSync / read.
const counts = { kernels: 0, syncs: 0, tensors: 0 };
const kernelNames = new Map<string, number>();
const engine = tf.engine() as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const [name, key] of [
  ['runKernelFunc', 'kernels'],
  ['trackTensor', 'tensors'],
] as const) {
  const original = engine[name] as (...args: unknown[]) => unknown;
  engine[name] = function (this: unknown, ...args: unknown[]) {
    counts[key] += 1;
    if (key === 'kernels') {
      const kernel = (args[0] as { kernelName?: string }).kernelName ?? '(custom)';
      kernelNames.set(kernel, (kernelNames.get(kernel) ?? 0) + 1);
    }
    return original.apply(this, args);
  };
}
const backend = tf.backend() as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of ['readSync', 'read']) {
  const original = backend[name] as (...args: unknown[]) => unknown;
  backend[name] = function (this: unknown, ...args: unknown[]) {
    counts.syncs += 1;
    return original.apply(this, args);
  };
}
// Evaluation's share, to subtract: time and counts inside evaluateStacked.
const evaluation = { seconds: 0, kernels: 0, syncs: 0, tensors: 0 };
const evaluate = CachedEvaluator.prototype.evaluateStacked;
CachedEvaluator.prototype.evaluateStacked = function (this: CachedEvaluator, ...args) {
  const before = { ...counts };
  const started = performance.now();
  try {
    return evaluate.apply(this, args);
  } finally {
    evaluation.seconds += (performance.now() - started) / 1000;
    for (const key of ['kernels', 'syncs', 'tensors'] as const) evaluation[key] += counts[key] - before[key];
  }
};

const warmup = prepareDataset(await loadEmbeddedMnist(), {
  validationFraction: 0.2,
  seed: 0,
  trainLimit: 640,
});
await contour.contourSweepVectorised(benchSettings(true), warmup);

const steps = Math.ceil(dataset.train.count / settings.sweep.batchSize) * settings.sweep.epochs;
const rows: Array<{ seconds: number; stepSeconds: number; cpuSeconds: number }> = [];
for (let repetition = 0; repetition < repetitions; repetition += 1) {
  for (const key of ['kernels', 'syncs', 'tensors'] as const) {
    counts[key] = 0;
    evaluation[key] = 0;
  }
  evaluation.seconds = 0;
  kernelNames.clear();
  const cpuBefore = process.cpuUsage();
  const measured = await contour.contourSweepVectorised(settings, dataset);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const stepSeconds = measured.seconds - evaluation.seconds;
  rows.push({ seconds: measured.seconds, stepSeconds, cpuSeconds });
  const perStep = (key: 'kernels' | 'syncs' | 'tensors') =>
    ((counts[key] - evaluation[key]) / steps).toFixed(2);
  console.log(
    `${backendName} pass ${measured.seconds.toFixed(2)} s (CPU ${cpuSeconds.toFixed(2)} s), steps ${stepSeconds.toFixed(2)} s (${steps} steps), ` +
      `per step: ${perStep('kernels')} kernels, ${perStep('syncs')} syncs, ${perStep('tensors')} tensors; ` +
      `evaluation ${evaluation.seconds.toFixed(2)} s, ${evaluation.kernels} kernels, ${evaluation.syncs} syncs; ` +
      `val acc ${measured.trials?.map((trial) => ((trial.validationAccuracy ?? 0) * 100).toFixed(2)).join(' / ')}`,
  );
}
if (process.argv.includes('--kernels'))
  console.log(
    [...kernelNames]
      .sort((a, b) => b[1] - a[1])
      .map(([name, count]) => `${name} ${(count / steps).toFixed(2)}`)
      .join(', '),
  );
console.log(
  `median: pass ${median(rows.map((row) => row.seconds)).toFixed(2)} s (CPU ${median(rows.map((row) => row.cpuSeconds)).toFixed(2)} s), steps ${median(rows.map((row) => row.stepSeconds)).toFixed(2)} s`,
);
