// Shared pieces of the benchmark suite: the workloads' settings (one place, so Contour, tfjs-layers
// and PyTorch run exactly the same work), statistics, and the tfjs instances the packages use.
import { createRequire } from 'node:module';

/** The workloads of issue 8, in table order. */
export const workloadNames = ['sweep', 'mlp', 'find-lr', 'race'] as const;
export type WorkloadName = (typeof workloadNames)[number];

/** Every setting of every workload; written to `settings.json` for the PyTorch script too. */
export interface BenchSettings {
  readonly smoke: boolean;
  readonly sweep: {
    /** The `mnist-lr-sweep` preset: one-layer softmax, these rates, SGD, cross entropy. */
    readonly rates: readonly number[];
    readonly epochs: number;
    readonly batchSize: number;
    readonly validation: number;
    readonly seed: number;
    /** Training images used (the embedded sample has 8,495 before the validation split). */
    readonly trainLimit?: number;
    /** An epoch whose mean loss exceeds this factor × the best epoch mean stops the trial (Contour's rule). */
    readonly divergenceFactor: number;
  };
  readonly mlp: {
    readonly hidden: readonly number[];
    readonly epochs: number;
    readonly batchSize: number;
    /** Adam's rate (PyTorch defaults for β1, β2, ε). */
    readonly learningRate: number;
    readonly seed: number;
    readonly trainLimit?: number;
    readonly testLimit?: number;
  };
  readonly findLr: {
    readonly start: number;
    readonly end: number;
    readonly iterations: number;
    readonly batchSize: number;
    readonly beta: number;
    readonly stopFactor: number;
    readonly seed: number;
  };
  readonly race: {
    readonly surface: 'rosenbrock';
    readonly start: readonly [number, number];
    readonly steps: number;
    readonly racers: ReadonlyArray<{ readonly label: string; readonly spec: Record<string, unknown> }>;
  };
}

/** The workloads as issue 8 lists them; `smoke` shrinks them to run in seconds (CI). */
export function benchSettings(smoke: boolean): BenchSettings {
  const sgdRate = 0.001;
  return {
    smoke,
    sweep: {
      rates: [1, 0.5, 0.2, 0.1, 0.01],
      epochs: smoke ? 2 : 10,
      batchSize: 64,
      validation: 0.2,
      seed: 0,
      ...(smoke ? { trainLimit: 640 } : {}),
      divergenceFactor: 1000,
    },
    mlp: {
      hidden: smoke ? [32, 16] : [256, 128],
      epochs: smoke ? 1 : 3,
      batchSize: 128,
      learningRate: 0.001,
      seed: 0,
      ...(smoke ? { trainLimit: 1024, testLimit: 512 } : {}),
    },
    findLr: {
      start: 1e-7,
      end: 10,
      iterations: smoke ? 20 : 100,
      batchSize: 64,
      beta: 0.98,
      stopFactor: 4,
      seed: 0,
    },
    race: {
      surface: 'rosenbrock',
      start: [-1.2, 1],
      steps: smoke ? 50 : 1000,
      // Contour's `classic-race` preset on Rosenbrock (packages/race/src/race-presets.ts).
      racers: [
        { label: 'sgd', spec: { type: 'sgd', lr: sgdRate } },
        { label: 'momentum', spec: { type: 'sgd', lr: sgdRate, momentum: 0.9 } },
        { label: 'nesterov', spec: { type: 'sgd', lr: sgdRate, momentum: 0.9, nesterov: true } },
        { label: 'adagrad', spec: { type: 'adagrad', lr: 0.5 } },
        { label: 'adadelta', spec: { type: 'adadelta', lr: 10 } },
        { label: 'rmsprop', spec: { type: 'rmsprop', lr: 0.05 } },
        { label: 'adam', spec: { type: 'adam', lr: 0.05 } },
      ],
    },
  };
}

/** Median of a non-empty list (mean of the middle two for even lengths). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/**
 * A markdown table of two builds measured side by side: the median of each column for A and for B,
 * then B ÷ A.
 */
export function sideBySideTable<T>(
  columns: ReadonlyArray<readonly [keyof T, string]>,
  [nameA, runsA]: readonly [string, readonly T[]],
  [nameB, runsB]: readonly [string, readonly T[]],
): string {
  const medians = (runs: readonly T[]) => columns.map(([key]) => median(runs.map((run) => Number(run[key]))));
  const a = medians(runsA);
  const b = medians(runsB);
  return [
    `| build | ${columns.map(([, name]) => name).join(' | ')} |`,
    `|---|${columns.map(() => '---').join('|')}|`,
    `| A ${nameA} | ${a.map((value) => value.toFixed(2)).join(' | ')} |`,
    `| B ${nameB} | ${b.map((value) => value.toFixed(2)).join(' | ')} |`,
    `| B ÷ A | ${b.map((value, index) => (value / (a[index] as number)).toFixed(2)).join(' | ')} |`,
  ].join('\n');
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMegabytes(): number {
  return process.resourceUsage().maxRSS / 1024;
}

type TfCore = typeof import('@tensorflow/tfjs-core');
type TfLayers = typeof import('@tensorflow/tfjs-layers');

const requireFromLoader = createRequire(new URL('../packages/mnist-loader/package.json', import.meta.url));
const requireFromCpu = createRequire(new URL('../packages/backend-cpu/package.json', import.meta.url));

/** tfjs-core as the workspace packages resolve it (one instance: its registries live on a global). */
export async function loadTfCore(): Promise<TfCore> {
  return (await import(requireFromLoader.resolve('@tensorflow/tfjs-core'))) as TfCore;
}

/** tfjs-layers 4.22 from the workspace (its Node bundle also registers every gradient). */
export async function loadTfLayers(): Promise<TfLayers> {
  return (await import(requireFromCpu.resolve('@tensorflow/tfjs-layers'))) as TfLayers;
}

/** Reads `--name value` from argv. */
export function flagValue(argv: readonly string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
}
