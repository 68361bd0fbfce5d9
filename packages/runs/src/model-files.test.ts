import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCpuBackend } from '@contour/backend-cpu';
import { createTrainableModel, LayersModelAdapter, parseModelSpec, readLayersTopology } from '@contour/core';
import { describe, expect, it } from 'vitest';
import { loadTrainableModel, saveModel } from './model-files.js';

const cnnJson = JSON.parse(
  readFileSync(new URL('../../../examples/mnist-cnn/model.json', import.meta.url), 'utf8'),
);
const cnn = parseModelSpec({
  type: 'layers',
  layers: { path: 'examples/mnist-cnn/model.json', modelTopology: readLayersTopology(cnnJson, 'model.json') },
});

describe('saveModel', () => {
  it('saves in tfjs-layers format and loads back to the same weights (loadTrainableModel)', async () => {
    await useCpuBackend();
    const model = await createTrainableModel(cnn, { inputSize: 784, outputSize: 10, seed: 4 });
    const directory = mkdtempSync(join(tmpdir(), 'layers-model-'));
    try {
      await saveModel(model, directory);
      const loaded = await loadTrainableModel(directory);
      expect(loaded).toBeInstanceOf(LayersModelAdapter);
      expect(loaded.getWeights()).toEqual(model.getWeights());
      loaded.dispose();
    } finally {
      rmSync(directory, { recursive: true, force: true });
      model.dispose();
    }
  });
});
