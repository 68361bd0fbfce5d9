import { useCpuBackend } from '@contour/backend-cpu';
import { evaluateSplit, prepareRunDataset, resolveRunConfig, train } from '@contour/core';
import { MemorySink, MetricsLogger } from '@contour/metrics-logger';
import { loadEmbeddedMnist } from '@contour/mnist-loader';

await useCpuBackend(); // a backend and tfjs' gradients: call once before training

// A softmax layer on the embedded MNIST sample, SGD with momentum and a cosine schedule.
const config = resolveRunConfig({
  data: { trainLimit: 2000, testLimit: 500 },
  training: {
    model: 'linear', // or 'mlp:128', or a tfjs-layers model.json
    optimizer: { type: 'sgd', momentum: 0.9, lr: { type: 'cosine', lr: 0.05, tMax: 3, unit: 'epoch' } },
    epochs: 3,
    batchSize: 64,
    seed: 1,
  },
});
const dataset = prepareRunDataset(await loadEmbeddedMnist(), config.data, config.training);
const records = new MemorySink(); // or JsonlFileSink from @contour/metrics-logger/node
const result = await train(config.training, { dataset, logger: new MetricsLogger([records]) });
console.log(result.status, result.epochs, result.steps); // finished 3 75
for (const epoch of result.history) {
  const validation = epoch.validation?.classificationError ?? Number.NaN;
  console.log(
    `epoch ${epoch.epoch}: lr ${epoch.learningRate.toFixed(4)}, validation error ${validation.toFixed(2)}`,
  );
}
const test = evaluateSplit(result.model, dataset, 'test', config.training.loss);
console.log(`test error ${test?.classificationError?.toFixed(2)}`);
console.log(records.records.filter((record) => record.kind === 'step').length); // one record per step
result.model.dispose();
