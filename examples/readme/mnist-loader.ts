import { useCpuBackend } from '@contour/backend-cpu';
import { createBatcher, labelHistogram, prepareDataset, toTensors } from '@contour/mnist-loader';
import { loadMnistDataset } from '@contour/mnist-loader/node'; // browsers: loadEmbeddedMnist / loadIdxDataset

await useCpuBackend(); // batches are tfjs tensors: a backend first

const dataset = await loadMnistDataset('mnist'); // or 'fashion-mnist', or a directory of IDX files
console.log(dataset.train.count, dataset.test.count, dataset.train.rows, dataset.train.columns); // 8495 1505 28 28
const prepared = prepareDataset(dataset, { classes: [0, 1, 2, 3, 4], validationFraction: 1 / 6, seed: 1 });
console.log(prepared.train.count, prepared.validation.count, prepared.test.count, prepared.featureShape); // per split; [784]
console.log(labelHistogram(prepared.test.labels, prepared.classCount)); // test images per class
// a whole split for tfjs-layers model.fit: images [n, 28, 28, 1] for a CNN, class indices for sparseCategoricalCrossentropy
const validation = toTensors(prepared, { split: 'validation', layout: 'image', labelEncoding: 'index' });
console.log(validation.x.shape, validation.y.shape); // [727, 28, 28, 1] [727]
const batcher = createBatcher(prepared, { batchSize: 64 });
for (let epoch = 0; epoch < 2; epoch += 1) {
  let images = 0;
  for (const { inputs, targets, size } of batcher.batches(epoch)) {
    // one training step here; the batch's tensors are disposed when the loop moves on
    if (images === 0) console.log(inputs.shape, targets.shape); // [64, 784] [64, 5] (one-hot)
    images += size;
  }
  console.log(`epoch ${epoch}: ${batcher.batchCount} batches, ${images} images`);
}
