import * as tf from '@tensorflow/tfjs-core';
// The Node bundle of tfjs-layers registers every gradient on tfjs-core's global registry.
import * as layers from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer } from './create-optimizer.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';
import { toTfOptimizer } from './to-tf-optimizer.js';

beforeAll(useCpuBackend);

describe('toTfOptimizer', () => {
  it('trains a tfjs-layers model through model.fit with the same update as applyGradients', async () => {
    const model = layers.sequential();
    model.add(
      layers.layers.dense({
        units: 1,
        inputShape: [1],
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
      }),
    );
    const optimizer = toTfOptimizer(createOptimizer({ type: 'sgd', lr: 0.1 }));
    expect(optimizer).toBeInstanceOf(tf.Optimizer);
    model.compile({ optimizer, loss: 'meanSquaredError' });
    const x = tf.tensor2d([[1]]);
    const y = tf.tensor2d([[2]]);
    await model.fit(x, y, { epochs: 1, batchSize: 1, verbose: 0 });
    // Loss (w·1 + b − 2)², gradient at 0: −4 for both w and b → both become 0.4.
    const [kernel, bias] = model.getWeights();
    expect(kernel!.dataSync()[0]).toBeCloseTo(0.4, 6);
    expect(bias!.dataSync()[0]).toBeCloseTo(0.4, 6);
    expect(optimizer.iterations).toBe(1);
    expect(optimizer.lastReport?.status).toBe('applied');
    // getWeights gives the slots for model.save (plain SGD has none); setWeights needs fromConfig first.
    expect(await optimizer.getWeights()).toEqual([]);
    await expect(optimizer.setWeights([])).rejects.toThrow(/fromConfig/);
    tf.dispose([x, y]);
  });
});
