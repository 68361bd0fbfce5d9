// Learning-rate autopilot benchmark: in each setting (model × data × optimizer) the range test
// runs over 3 seeds and the auto rule (`chooseLearningRate` in @contour/core) picks a rate; a fine
// sweep of constant rates on a log grid (3 per decade) trains the same model for the same epochs;
// the table compares the auto rate with the sweep's best-final-validation-error rate (ratio, must be
// within 3×) and the auto rate's own training's final validation error with the sweep's best
// (within 10 % relative).
//
//   pnpm bench:autopilot [--settings linear-sgd-mnist,...] [--training-seeds N] [--out FILE]
//                        [--raw FILE (also every range-test curve)]
//
// With --training-seeds N every rate (the sweep's and the auto one) trains with seeds 0..N−1 and
// its final validation error is their mean (less winner's-curse noise in "the sweep's best").
// Writes bench/results/lr-autopilot.json (or --out) and prints the markdown table (bench/README.md
// holds it).
import { readFileSync, writeFileSync } from 'node:fs';
import { selectBackend } from '../packages/backends/src/index.ts';
import {
  type AutoLearningRate,
  chooseLearningRate,
  findLearningRateOnDataset,
  parseModelSpec,
  type RangeTestResult,
  readLayersTopology,
  resolveRunConfig,
  type TrainingConfig,
  train,
  trainVectorised,
  vectorisedSupport,
} from '../packages/core/src/index.ts';
import type { PreparedDataset } from '../packages/mnist-loader/src/index.ts';
import { loadRunDataset } from '../packages/runs/src/index.ts';
import { writeResultsFile } from './results-file.ts';

interface Setting {
  readonly name: string;
  readonly data: 'mnist' | 'fashion-mnist';
  readonly model: 'linear' | 'mlp:100' | 'cnn';
  readonly optimizer: Record<string, unknown>;
  readonly epochs: number;
  readonly trainLimit?: number;
  /** log10 of the sweep's lowest and highest rate (3 rates per decade in between). */
  readonly grid: readonly [number, number];
}

const sgd = { type: 'sgd' };
const momentum = { type: 'sgd', momentum: 0.9 };
const adam = { type: 'adam' };

export const settings: readonly Setting[] = [
  { name: 'linear-sgd-mnist', data: 'mnist', model: 'linear', optimizer: sgd, epochs: 5, grid: [-2, 1] },
  {
    name: 'mlp-momentum-mnist',
    data: 'mnist',
    model: 'mlp:100',
    optimizer: momentum,
    epochs: 5,
    grid: [-3, 0],
  },
  { name: 'mlp-adam-mnist', data: 'mnist', model: 'mlp:100', optimizer: adam, epochs: 5, grid: [-4, -1] },
  {
    name: 'linear-adam-fashion',
    data: 'fashion-mnist',
    model: 'linear',
    optimizer: adam,
    epochs: 3,
    trainLimit: 10_000,
    grid: [-4, -1],
  },
  {
    name: 'mlp-sgd-fashion',
    data: 'fashion-mnist',
    model: 'mlp:100',
    optimizer: sgd,
    epochs: 3,
    trainLimit: 10_000,
    grid: [-2, 1],
  },
  {
    name: 'cnn-momentum-mnist',
    data: 'mnist',
    model: 'cnn',
    optimizer: momentum,
    epochs: 2,
    trainLimit: 4_000,
    grid: [-3, 0],
  },
  {
    name: 'cnn-adam-fashion',
    data: 'fashion-mnist',
    model: 'cnn',
    optimizer: adam,
    epochs: 2,
    trainLimit: 4_000,
    grid: [-4, -1],
  },
];

const argument = (name: string) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};

function modelSpec(model: Setting['model']) {
  if (model !== 'cnn') return parseModelSpec(model);
  const path = new URL('../examples/mnist-cnn/model.json', import.meta.url).pathname;
  const json = JSON.parse(readFileSync(path, 'utf8'));
  return parseModelSpec({
    type: 'layers',
    layers: { path, modelTopology: readLayersTopology(json, path) },
  } as never);
}

function trainingConfig(setting: Setting, learningRate: number, seed = 0): TrainingConfig {
  return resolveRunConfig({
    data: {
      source: setting.data,
      validation: 0.2,
      ...(setting.trainLimit ? { trainLimit: setting.trainLimit } : {}),
    },
    training: {
      model: modelSpec(setting.model),
      optimizer: { ...setting.optimizer, lr: learningRate },
      epochs: setting.epochs,
      batchSize: 64,
      seed,
    },
    backend: 'auto',
  }).training;
}

/** Training seeds each rate is trained with (`--training-seeds N`, default 1); errors are their mean. */
const trainingSeeds = Number(argument('--training-seeds') ?? 1);

/** Final validation error per rate: the mean over the training seeds. */
async function finalErrors(setting: Setting, rates: readonly number[], dataset: PreparedDataset) {
  const sums = rates.map(() => 0);
  for (let seed = 0; seed < trainingSeeds; seed += 1) {
    const errors = await finalErrorsWithSeed(setting, rates, dataset, seed);
    errors.forEach((error, index) => {
      sums[index] = (sums[index] as number) + error / trainingSeeds;
    });
  }
  return sums;
}

/** Final validation error of one run per rate (the vectorised pass for dense models). */
async function finalErrorsWithSeed(
  setting: Setting,
  rates: readonly number[],
  dataset: PreparedDataset,
  seed: number,
) {
  const configs = rates.map((rate) => trainingConfig(setting, rate, seed));
  const errorOf = (history: readonly { validation?: { classificationError?: number } }[], status: string) =>
    status === 'diverged' ? Number.NaN : (history.at(-1)?.validation?.classificationError ?? Number.NaN);
  if (vectorisedSupport(configs).supported) {
    const results = await trainVectorised(
      configs.map((config) => ({ config })),
      { dataset },
    );
    const errors = results.map((result) => errorOf(result.history, result.status));
    for (const result of results) result.model.dispose();
    return errors;
  }
  const errors: number[] = [];
  for (const config of configs) {
    const result = await train(config, { dataset });
    errors.push(errorOf(result.history, result.status));
    result.model.dispose();
  }
  return errors;
}

export interface SettingResult {
  readonly name: string;
  readonly auto: AutoLearningRate;
  readonly seedRates: readonly number[];
  readonly grid: readonly number[];
  readonly gridErrors: readonly number[];
  readonly bestRate: number;
  readonly bestError: number;
  readonly autoError: number;
  readonly ratio: number;
  readonly relativeError: number;
  readonly curves: readonly RangeTestResult[];
  readonly seconds: number;
}

async function runSetting(setting: Setting): Promise<SettingResult> {
  const started = performance.now();
  const config = trainingConfig(setting, 0.1);
  const dataset = await loadRunDataset(
    {
      source: setting.data,
      validation: 0.2,
      ...(setting.trainLimit ? { trainLimit: setting.trainLimit } : {}),
    } as never,
    config,
  );
  const curves: RangeTestResult[] = [];
  for (const seed of [0, 1, 2]) curves.push(await findLearningRateOnDataset({ ...config, seed }, dataset));
  const auto = chooseLearningRate(curves);
  const [low, high] = setting.grid;
  const grid = Array.from({ length: (high - low) * 3 + 1 }, (_, index) =>
    Number((10 ** (low + index / 3)).toPrecision(3)),
  );
  const gridErrors = await finalErrors(setting, grid, dataset);
  const [autoError = Number.NaN] = await finalErrors(setting, [auto.learningRate], dataset);
  let best = 0;
  for (const [index, error] of gridErrors.entries())
    if (!(error >= (gridErrors[best] as number)) || Number.isNaN(gridErrors[best] as number)) best = index;
  const bestRate = grid[best] as number;
  const bestError = gridErrors[best] as number;
  return {
    name: setting.name,
    auto,
    seedRates: auto.seeds.map((seed) => seed.learningRate ?? Number.NaN),
    grid,
    gridErrors,
    bestRate,
    bestError,
    autoError,
    ratio: Math.max(auto.learningRate / bestRate, bestRate / auto.learningRate),
    relativeError: (autoError - bestError) / bestError,
    curves,
    seconds: (performance.now() - started) / 1000,
  };
}

const selected = argument('--settings')?.split(',');
const backend = await selectBackend('auto');
console.error(`backend ${backend.name}`);
const results: SettingResult[] = [];
for (const setting of settings.filter((item) => !selected || selected.includes(item.name))) {
  const result = await runSetting(setting);
  console.error(
    `${result.name}: auto ${result.auto.learningRate.toPrecision(3)} (seeds ${result.seedRates.map((rate) => rate.toPrecision(3)).join(', ')}) err ${result.autoError.toFixed(4)}; best ${result.bestRate} err ${result.bestError.toFixed(4)}; ${result.seconds.toFixed(0)} s`,
  );
  results.push(result);
}
const raw = argument('--raw');
if (raw) writeFileSync(raw, `${JSON.stringify(results, null, 1)}\n`);

const rate = (value: number) => String(Number.parseFloat(value.toPrecision(3)));
const rows = results.map((result) => ({
  setting: result.name,
  autoLearningRate: result.auto.learningRate,
  seedLearningRates: result.seedRates,
  seedSpread: result.auto.spread,
  fastaiSuggestionsSeed0: Object.fromEntries(
    Object.entries(result.curves[0]?.suggestions ?? {}).map(([name, item]) => [name, item.learningRate]),
  ),
  sweep: result.grid.map((learningRate, index) => ({
    learningRate,
    finalValidationError: result.gridErrors[index],
  })),
  bestLearningRate: result.bestRate,
  bestFinalValidationError: result.bestError,
  autoFinalValidationError: result.autoError,
  ratio: result.ratio,
  relativeError: result.relativeError,
  withinFactor3: result.ratio <= 3,
  within10Percent: result.relativeError <= 0.1,
  seconds: result.seconds,
}));
const output = argument('--out') ?? new URL('./results/lr-autopilot.json', import.meta.url).pathname;
writeResultsFile(output, { backend: backend.name, rule: results[0]?.auto.rule, rows });
console.log(
  '| setting | auto lr (seeds; spread) | sweep best lr | ratio (≤ 3) | auto final val err | best final val err | relative (≤ 10 %) | meets both |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows)
  console.log(
    `| ${row.setting} | ${rate(row.autoLearningRate)} (${row.seedLearningRates.map(rate).join(', ')}; ×${row.seedSpread.toFixed(2)}) | ${rate(row.bestLearningRate)} | ${row.ratio.toFixed(2)} | ${row.autoFinalValidationError.toFixed(4)} | ${row.bestFinalValidationError.toFixed(4)} | ${(row.relativeError * 100).toFixed(1)} % | ${row.withinFactor3 && row.within10Percent ? 'yes' : '**no**'} |`,
  );
console.log(`wrote ${output}`);
