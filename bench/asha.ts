// Successive halving (ASHA) against the full grid: each sweep runs twice through the built CLI
// (`contour sweep … --scheduler grid` and `--scheduler asha`, --plots none), each in a fresh
// process and a fresh directory, and the table compares the rate each finds (the lowest final
// validation cross entropy among the trials trained to the last epoch), how far apart the two are
// in grid steps, the epochs trained (summed over trials) and the wall time of the whole command.
//
//   pnpm bench:asha [--sweeps demo,mlp-27] [--out FILE]
//
// Writes bench/results/asha.json (or --out) and prints the markdown table (bench/README.md holds it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeResultsFile } from './results-file.ts';

interface Sweep {
  readonly name: string;
  readonly description: string;
  readonly rates: readonly number[];
  readonly epochs: number;
  readonly flags: readonly string[];
}

/** 27 rates, log-spaced from 10^-3 to 10^0.25 (8 per decade), rounded to 3 significant digits. */
const mlpRates = Array.from({ length: 27 }, (_, index) => Number((10 ** (-3 + index / 8)).toPrecision(3)));

const sweeps: readonly Sweep[] = [
  {
    name: 'demo',
    description: '`--preset mnist-lr-sweep`: linear, SGD, rates 1, 0.5, 0.2, 0.1, 0.01, 10 epochs, batch 64',
    rates: [1, 0.5, 0.2, 0.1, 0.01],
    epochs: 10,
    flags: ['--preset', 'mnist-lr-sweep'],
  },
  {
    name: 'mlp-27',
    description: `MLP 784-100-10, SGD, 27 rates ${mlpRates[0]} … ${mlpRates.at(-1)} (8 per decade), 9 epochs, batch 64, embedded MNIST`,
    rates: mlpRates,
    epochs: 9,
    flags: ['--model', 'mlp:100', '--lr', mlpRates.join(','), '--epochs', '9', '--batch-size', '64'],
  },
];

interface Row {
  readonly run: string;
  readonly status: string;
  readonly epochs: number;
  readonly finalValidationCrossEntropy?: number;
  readonly finalValidationError?: number;
}

interface Measurement {
  readonly scheduler: 'grid' | 'asha';
  readonly seconds: number;
  readonly epochs: number;
  readonly bestRate: number;
  readonly bestValidationCrossEntropy: number;
  readonly bestValidationError: number;
}

const argument = (name: string) => {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
};
const chosen = argument('--sweeps')?.split(',') ?? sweeps.map((sweep) => sweep.name);
const outPath = argument('--out') ?? join(import.meta.dirname, 'results', 'asha.json');
const repository = join(import.meta.dirname, '..');

function measure(sweep: Sweep, scheduler: 'grid' | 'asha'): Measurement {
  const directory = mkdtempSync(join(tmpdir(), `contour-bench-asha-${sweep.name}-`));
  try {
    const started = performance.now();
    execFileSync(
      process.execPath,
      [
        join(repository, 'tooling', 'run-contour.mjs'),
        'sweep',
        ...sweep.flags,
        '--scheduler',
        scheduler,
        '--plots',
        'none',
        '--out',
        directory,
      ],
      { cwd: repository, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const seconds = (performance.now() - started) / 1000;
    const rows = JSON.parse(readFileSync(join(directory, 'results.json'), 'utf8')) as Row[];
    const complete = rows.filter((row) => row.status === 'finished' && row.epochs === sweep.epochs);
    const best = complete.reduce((a, b) =>
      (b.finalValidationCrossEntropy ?? Number.POSITIVE_INFINITY) <
      (a.finalValidationCrossEntropy ?? Number.POSITIVE_INFINITY)
        ? b
        : a,
    );
    return {
      scheduler,
      seconds,
      epochs: rows.reduce((sum, row) => sum + row.epochs, 0),
      bestRate: Number(best.run.replace(/^lr=/, '')),
      bestValidationCrossEntropy: best.finalValidationCrossEntropy ?? Number.NaN,
      bestValidationError: best.finalValidationError ?? Number.NaN,
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

// Build once, untimed (run-contour rebuilds only when a source is newer than the build).
execFileSync(process.execPath, [join(repository, 'tooling', 'run-contour.mjs'), '--help'], {
  cwd: repository,
  stdio: 'ignore',
});
const results = [];
for (const sweep of sweeps.filter((item) => chosen.includes(item.name))) {
  const grid = measure(sweep, 'grid');
  const asha = measure(sweep, 'asha');
  const steps = Math.abs(sweep.rates.indexOf(grid.bestRate) - sweep.rates.indexOf(asha.bestRate));
  results.push({ sweep: sweep.name, description: sweep.description, grid, asha, gridSteps: steps });
}
writeResultsFile(outPath, { date: new Date().toISOString(), results });
const format = (value: number, digits = 4) => Number(value.toPrecision(digits)).toString();
console.log(
  '| sweep | grid: best rate (val ce, val err) | asha: best rate (val ce, val err) | grid steps apart | epochs asha / grid | wall s asha / grid |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const { sweep, grid, asha, gridSteps } of results) {
  console.log(
    `| ${sweep} | ${grid.bestRate} (${format(grid.bestValidationCrossEntropy)}, ${format(grid.bestValidationError)}) | ${asha.bestRate} (${format(asha.bestValidationCrossEntropy)}, ${format(asha.bestValidationError)}) | ${gridSteps} | ${asha.epochs} / ${grid.epochs} = ${Math.round((100 * asha.epochs) / grid.epochs)} % | ${format(asha.seconds, 3)} / ${format(grid.seconds, 3)} = ${format(asha.seconds / grid.seconds, 2)} |`,
  );
}
