// Contour's benchmark suite (issue 8): the same work side by side in one invocation — Contour on
// each backend, tfjs-layers `model.fit` (tf.train for the race), and PyTorch when installed —
// several repetitions with the variants interleaved, each measurement in a fresh process.
// Prints a table of medians, ratios, accuracies, peak RSS and tensor counts, and writes JSON.
//
//   pnpm bench [--smoke] [--repetitions 3] [--workloads sweep,mlp,find-lr,race]
//              [--backends cpu,wasm,node] [--with-slow] [--out bench/results/latest.json]
//
// --smoke runs tiny sizes on the cpu backend (CI: checks that every path runs; numbers mean nothing).
// --with-slow adds the MLP on the pure-JS cpu backend (minutes per epoch).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNodeBackend } from '../packages/backend-node/src/index.ts';
import { writePythonData } from './bench-data.ts';
import { benchSettings, flagValue, median, type WorkloadName, workloadNames } from './bench-support.ts';
import type { WorkloadMeasurement } from './contour-workloads.ts';
import { writeResultsFile } from './results-file.ts';
import type { WorkloadRequest } from './workload-runner.ts';

const benchDirectory = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const smoke = argv.includes('--smoke');
const repetitions = Number(flagValue(argv, '--repetitions') ?? (smoke ? 1 : 3));
const workloads = (flagValue(argv, '--workloads')?.split(',') ?? [...workloadNames]) as WorkloadName[];
for (const name of workloads)
  if (!workloadNames.includes(name))
    throw new Error(`--workloads: unknown "${name}" (use ${workloadNames.join(', ')})`);
const nodeBackend = loadNodeBackend();
const backends = (flagValue(argv, '--backends')?.split(',') ??
  (smoke ? ['cpu'] : nodeBackend.loaded ? ['cpu', 'wasm', 'node'] : ['cpu', 'wasm'])) as Array<
  'cpu' | 'wasm' | 'node'
>;
const withSlow = argv.includes('--with-slow');
const outPath =
  flagValue(argv, '--out') ?? (smoke ? undefined : join(benchDirectory, 'results', 'latest.json'));
const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (!Number.isInteger(repetitions) || repetitions < 1)
  throw new Error('--repetitions must be an integer ≥ 1');

/** One variant of a workload: who runs it and where. */
interface Variant {
  readonly workload: WorkloadName;
  /** Row label, e.g. `contour`, `contour vectorised`, `tfjs-layers`, `pytorch`. */
  readonly engine: string;
  readonly backend: string;
  readonly run: () => Promise<WorkloadMeasurement>;
}

function runNode(request: WorkloadRequest): Promise<WorkloadMeasurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@contour/source',
        '--import',
        'tsx',
        join(benchDirectory, 'workload-runner.ts'),
        JSON.stringify(request),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = output.split('\n').find((text) => text.startsWith('BENCH_RESULT '));
      if (code !== 0 || line === undefined)
        reject(
          new Error(`${request.workload} ${request.engine} ${request.backend}: exit ${code}\n${output}`),
        );
      else resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as WorkloadMeasurement);
    });
  });
}

function runPython(
  workload: WorkloadName,
  dataDirectory: string,
  script = 'pytorch_workloads.py',
): Promise<WorkloadMeasurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(benchDirectory, script), workload, dataDirectory], {
      // One BLAS thread, as the PyTorch script runs with one thread.
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = output.trim().split('\n').at(-1);
      if (code !== 0 || !line) reject(new Error(`${script} ${workload}: exit ${code}\n${output}`));
      else resolve(JSON.parse(line) as WorkloadMeasurement);
    });
  });
}

const dataDirectory = mkdtempSync(join(tmpdir(), 'contour-bench-data-'));
const variants: Variant[] = [];
for (const workload of workloads) {
  for (const backend of backends) {
    if (workload === 'mlp' && backend === 'cpu' && !withSlow && !smoke) continue;
    const request = (engine: WorkloadRequest['engine']) => () =>
      runNode({ workload, engine, backend, smoke });
    variants.push({ workload, engine: 'contour', backend, run: request('contour') });
    if (workload === 'sweep')
      variants.push({ workload, engine: 'contour vectorised', backend, run: request('contour-vectorised') });
    variants.push({
      workload,
      engine: workload === 'race' ? 'tfjs tf.train' : 'tfjs-layers fit',
      backend,
      run: request('layers'),
    });
  }
  if (workload === 'sweep') {
    // The CLI's path end to end with `--backend auto` (runSweep picks the vectorised path or worker
    // processes; every run directory written; no plots).
    variants.push({
      workload,
      engine: 'contour runSweep',
      backend: 'auto',
      run: () => runNode({ workload, engine: 'contour-run-sweep', backend: 'cpu', smoke }),
    });
  }
  if (hasTorch)
    variants.push({
      workload,
      engine: 'pytorch',
      backend: 'cpu',
      run: () => runPython(workload, dataDirectory),
    });
  // The MLP in plain numpy (OpenBLAS) on the same files: what the hand-written version costs.
  if (hasTorch && workload === 'mlp')
    variants.push({
      workload,
      engine: 'numpy',
      backend: 'cpu',
      run: () => runPython(workload, dataDirectory, 'mlp_numpy.py'),
    });
}

const started = Date.now();
const loadBefore = loadavg();
const settings = benchSettings(smoke);
if (hasTorch) {
  await writePythonData(dataDirectory, settings, {
    mnist: workloads.some((name) => name === 'sweep' || name === 'find-lr'),
    fashion: workloads.includes('mlp'),
  });
}
const samples = new Map<Variant, WorkloadMeasurement[]>(variants.map((variant) => [variant, []]));
const failures: string[] = [];
try {
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    for (const variant of variants) {
      const label = `${variant.workload} · ${variant.engine} · ${variant.backend}`;
      try {
        const measurement = await variant.run();
        samples.get(variant)?.push(measurement);
        console.error(`[${repetition + 1}/${repetitions}] ${label}: ${measurement.seconds.toFixed(3)} s`);
      } catch (error) {
        failures.push(`${label}: ${(error as Error).message.split('\n')[0]}`);
        console.error(`[${repetition + 1}/${repetitions}] ${label}: FAILED ${(error as Error).message}`);
      }
    }
  }
} finally {
  rmSync(dataDirectory, { recursive: true, force: true });
}

/** One row of the results: medians over the repetitions. */
interface ResultRow {
  readonly workload: WorkloadName;
  readonly engine: string;
  readonly backend: string;
  readonly repetitions: number;
  readonly seconds: number;
  readonly trainSeconds?: number;
  readonly epochSeconds?: number;
  readonly ratioToPytorch?: number;
  readonly ratioToLayers?: number;
  readonly result: string;
  readonly accuracyWithinOnePointOfPytorch?: boolean;
  readonly peakRssMegabytes: number;
  readonly tensorCounts?: readonly number[];
  readonly tensorsFlat?: boolean;
  readonly path?: string;
  readonly samples: readonly number[];
}

const percent = (value: number | null | undefined) =>
  value === null || value === undefined || !Number.isFinite(value) ? '–' : (value * 100).toFixed(1);

function describe(workload: WorkloadName, measurement: WorkloadMeasurement): string {
  switch (workload) {
    case 'sweep':
      return (measurement.trials ?? [])
        .map((trial) => `${percent(trial.validationAccuracy)}${trial.status === 'diverged' ? '†' : ''}`)
        .join(' / ');
    case 'mlp':
      return `${percent(measurement.accuracy)}%`;
    case 'find-lr':
      return `${measurement.iterations} it, min/10 ${measurement.suggestion?.toPrecision(3)}`;
    case 'race':
      return `${Object.values(measurement.distances ?? {}).filter((value) => value !== null).length}/7 finite`;
  }
}

/** Final accuracies within one percentage point of PyTorch's (trial by trial for the sweep). */
function closeToPytorch(
  workload: WorkloadName,
  measurement: WorkloadMeasurement,
  reference?: WorkloadMeasurement,
) {
  if (!reference) return undefined;
  const close = (a: number | null | undefined, b: number | null | undefined) =>
    a !== null && a !== undefined && b !== null && b !== undefined && Math.abs(a - b) <= 0.01;
  if (workload === 'sweep')
    return (measurement.trials ?? []).every((trial, index) =>
      close(trial.validationAccuracy, reference.trials?.[index]?.validationAccuracy),
    );
  if (workload === 'mlp') return close(measurement.accuracy, reference.accuracy);
  return undefined;
}

const rows: ResultRow[] = [];
for (const variant of variants) {
  const measurements = samples.get(variant) ?? [];
  if (measurements.length === 0) continue;
  const last = measurements.at(-1) as WorkloadMeasurement;
  const optionalMedian = (pick: (measurement: WorkloadMeasurement) => number | undefined) => {
    const values = measurements.map(pick).filter((value): value is number => value !== undefined);
    return values.length === 0 ? undefined : median(values);
  };
  const epochs = measurements.flatMap((measurement) => measurement.epochSeconds ?? []);
  // Counts after each epoch, then after disposing everything: flat when the epochs agree and
  // nothing is left over at the end beyond what was there at the first count.
  const counts = last.tensorCounts;
  const inner = counts && counts.length > 2 ? counts.slice(0, -1) : counts?.slice(0, 1);
  const leftOver = counts !== undefined && (counts.at(-1) ?? 0) > (counts.at(0) ?? 0);
  const trainSeconds = optionalMedian((measurement) => measurement.trainSeconds);
  const within = closeToPytorch(
    variant.workload,
    last,
    samples
      .get(
        variants.find(
          (other) => other.workload === variant.workload && other.engine === 'pytorch',
        ) as Variant,
      )
      ?.at(-1),
  );
  rows.push({
    workload: variant.workload,
    engine: variant.engine,
    backend:
      variant.backend === 'auto'
        ? `auto→${last.path ?? '?'}`
        : ((last as { backend?: string }).backend ?? variant.backend),
    repetitions: measurements.length,
    seconds: median(measurements.map((measurement) => measurement.seconds)),
    ...(trainSeconds === undefined ? {} : { trainSeconds }),
    ...(epochs.length === 0 ? {} : { epochSeconds: median(epochs) }),
    result: describe(variant.workload, last),
    ...(within === undefined ? {} : { accuracyWithinOnePointOfPytorch: within }),
    peakRssMegabytes: median(measurements.map((measurement) => measurement.peakRssMegabytes)),
    ...(counts ? { tensorCounts: counts, tensorsFlat: new Set(inner).size <= 1 && !leftOver } : {}),
    ...(last.path ? { path: last.path } : {}),
    samples: measurements.map((measurement) => measurement.seconds),
  });
}
const withRatios = rows.map((row) => {
  const pytorch = rows.find((other) => other.workload === row.workload && other.engine === 'pytorch');
  const layers = rows.find(
    (other) =>
      other.workload === row.workload &&
      other.engine.startsWith('tfjs') &&
      other.backend === (row.backend.startsWith('auto') ? 'wasm' : row.backend),
  );
  return {
    ...row,
    ...(pytorch && row !== pytorch ? { ratioToPytorch: row.seconds / pytorch.seconds } : {}),
    ...(layers &&
    row !== layers &&
    !row.engine.startsWith('tfjs') &&
    !['pytorch', 'numpy'].includes(row.engine)
      ? { ratioToLayers: row.seconds / layers.seconds }
      : {}),
  };
});

const format = (value: number | undefined, digits = 3) => (value === undefined ? '' : value.toFixed(digits));
const header = [
  'workload',
  'engine',
  'backend',
  'median s',
  'train s',
  'epoch s',
  '× PyTorch',
  '× tfjs same backend',
  'result (val/test acc %)',
  '±1pt',
  'peak RSS MiB',
  'tensors',
];
const table = withRatios.map((row) => [
  row.workload,
  row.engine,
  row.backend,
  format(row.seconds),
  format(row.trainSeconds),
  format(row.epochSeconds),
  format(row.ratioToPytorch, 2),
  format(row.ratioToLayers, 2),
  row.result,
  row.accuracyWithinOnePointOfPytorch === undefined ? '' : row.accuracyWithinOnePointOfPytorch ? 'yes' : 'NO',
  row.peakRssMegabytes.toFixed(0),
  row.tensorCounts === undefined
    ? ''
    : `${row.tensorsFlat ? 'flat' : 'GROWS'} ${row.tensorCounts.at(0)}→${row.tensorCounts.at(-1)}`,
]);
const widths = header.map((title, column) =>
  Math.max(title.length, ...table.map((cells) => (cells[column] ?? '').length)),
);
const line = (cells: readonly string[]) =>
  `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGigabytes: Math.round(totalmem() / 2 ** 30),
  os: `${process.platform} ${release()}`,
  node: process.version,
  pytorch: hasTorch
    ? spawnSync(python, ['-c', 'import torch; print(torch.__version__, torch.get_num_threads(), "threads")'])
        .stdout.toString()
        .trim()
    : 'not installed',
  loadAverageBefore: loadBefore.map((value) => Number(value.toFixed(2))),
  loadAverageAfter: loadavg().map((value) => Number(value.toFixed(2))),
};
console.log(
  `\n${smoke ? 'SMOKE RUN (tiny sizes; the numbers mean nothing) — ' : ''}medians of ${repetitions} repetition(s), ${new Date().toISOString().slice(0, 16)}Z, ${machine.cpu} × ${machine.cores}, Node ${machine.node}, PyTorch ${machine.pytorch}, load ${machine.loadAverageBefore.join(' ')} → ${machine.loadAverageAfter.join(' ')}`,
);
console.log(line(header));
console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
for (const cells of table) console.log(line(cells));
console.log(
  '\nsweep result: final validation accuracy per rate (1, 0.5, 0.2, 0.1, 0.01), † = diverged; ' +
    '±1pt: every accuracy within one point of PyTorch; tensors: tfjs tensor count after each epoch (flat = no leak).',
);
if (failures.length > 0) console.log(`\nFAILED:\n${failures.join('\n')}`);
console.log(`\ntook ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (outPath) {
  writeResultsFile(outPath, {
    date: new Date().toISOString(),
    smoke,
    repetitions,
    machine,
    settings,
    rows: withRatios,
    failures,
  });
  console.log(`wrote ${outPath}`);
}
if (failures.length > 0) process.exitCode = 1;
