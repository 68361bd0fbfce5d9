import {
  createOptimizer,
  type OptimizerSpec,
  type TfOptimizerAdapter,
  toTfOptimizer,
} from '@contour/optimizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { findLearningRate } from './find-learning-rate.js';
import { contourOptimizerClassName } from './register-serialization.js';
import { cpuBackend, regressionData, tf, tfl, weightValues } from './test-support/tiny-model.js';

beforeAll(cpuBackend);

function buildModel(optimizer: tf.Optimizer, hiddenUnits = 8, extraLayer = false): tfl.LayersModel {
  const layers = [
    tfl.layers.dense({
      units: hiddenUnits,
      activation: 'tanh',
      inputShape: [2],
      name: 'hidden',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }),
    }),
    ...(extraLayer ? [tfl.layers.dense({ units: hiddenUnits, activation: 'tanh', name: 'extra' })] : []),
    tfl.layers.dense({
      units: 1,
      name: 'head',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 6 }),
    }),
  ];
  const model = tfl.sequential({ layers });
  model.compile({ optimizer, loss: 'meanSquaredError' });
  return model;
}

async function saveToMemory(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: true },
  );
  return saved as tf.io.ModelArtifacts;
}

async function fit(model: tfl.LayersModel, data: { x: tf.Tensor; y: tf.Tensor }, epochs: number) {
  await model.fit(data.x, data.y, { epochs, batchSize: 8, shuffle: false, verbose: 0 });
}

const specs: Record<string, OptimizerSpec> = {
  'adam with a step schedule': { type: 'adam', lr: { type: 'step', lr: 0.02, stepSize: 5, gamma: 0.5 } },
  'sgd with Nesterov momentum and a head lrMult': {
    type: 'sgd',
    lr: 0.05,
    momentum: 0.9,
    nesterov: true,
    groups: [{ layer: 'head', lrMult: 2 }],
  },
  'plain sgd (no slots at all)': { type: 'sgd', lr: 0.05 },
  rprop: { type: 'rprop', lr: 0.01 },
};

describe('Contour optimizer serialization', () => {
  for (const [name, spec] of Object.entries(specs)) {
    it(`${name}: save → tf.loadLayersModel (same process, renamed variables) → continue equals uninterrupted training`, async () => {
      const data = regressionData(32);
      const saved = buildModel(toTfOptimizer(createOptimizer(spec)));
      const uninterrupted = buildModel(toTfOptimizer(createOptimizer(spec)));
      uninterrupted.setWeights(saved.getWeights());
      await fit(saved, data, 2);
      const artifacts = await saveToMemory(saved);
      expect(
        (artifacts.trainingConfig as unknown as { optimizer_config: { class_name: string } }).optimizer_config
          .class_name,
      ).toBe(contourOptimizerClassName);
      const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
      // The reloaded model's variables are renamed (`hidden/kernel_1`): the slots must follow them.
      expect(loaded.trainableWeights.map((weight) => (weight.read() as tf.Variable).name)).not.toEqual(
        saved.trainableWeights.map((weight) => (weight.read() as tf.Variable).name),
      );
      await fit(loaded, data, 2);
      await fit(uninterrupted, data, 4);
      expect(weightValues(loaded)).toEqual(weightValues(uninterrupted));
      const loadedOptimizer = (loaded.optimizer as TfOptimizerAdapter).optimizer;
      const referenceOptimizer = (uninterrupted.optimizer as TfOptimizerAdapter).optimizer;
      expect(loadedOptimizer.step).toBe(referenceOptimizer.step);
      expect(loadedOptimizer.slotCount).toBe(referenceOptimizer.slotCount);
      tf.dispose([data.x, data.y]);
      for (const model of [saved, loaded, uninterrupted]) model.dispose();
    });
  }

  it('findLearningRate right after loading keeps the loaded slots (matched before its snapshot)', async () => {
    const data = regressionData(32);
    const spec: OptimizerSpec = { type: 'adam', lr: 0.02 };
    const saved = buildModel(toTfOptimizer(createOptimizer(spec)));
    const uninterrupted = buildModel(toTfOptimizer(createOptimizer(spec)));
    uninterrupted.setWeights(saved.getWeights());
    await fit(saved, data, 2);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(saved)));
    await findLearningRate(loaded, data, { iterations: 12, batchSize: 8 });
    await fit(loaded, data, 1);
    await fit(uninterrupted, data, 3);
    expect(weightValues(loaded)).toEqual(weightValues(uninterrupted));
    tf.dispose([data.x, data.y]);
    for (const model of [saved, loaded, uninterrupted]) model.dispose();
  });

  it('a state whose slot shapes do not fit the model is a one-line error at the first step', async () => {
    const data = regressionData(16);
    const source = buildModel(toTfOptimizer(createOptimizer({ type: 'adam', lr: 0.01 })));
    await fit(source, data, 1);
    const artifacts = await saveToMemory(source);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    const restored = loaded.optimizer;
    const other = buildModel(restored, 5);
    const failure = await other
      .fit(data.x, data.y, { epochs: 1, batchSize: 8, verbose: 0 })
      .catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /^optimizer state: slot "\w+" of "hidden\/kernel(_\d+)?" has shape \[2, 8\], the variable "hidden\/kernel_\d+" \[2, 5\]$/,
    );
    tf.dispose([data.x, data.y]);
    for (const model of [source, loaded, other]) model.dispose();
  });

  it('a model with variables the saved state does not know is a one-line error, not a silent restart', async () => {
    const data = regressionData(16);
    const source = buildModel(toTfOptimizer(createOptimizer({ type: 'sgd', lr: 0.01, momentum: 0.9 })));
    await fit(source, data, 1);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(source)));
    const other = buildModel(loaded.optimizer, 8, true);
    const failure = await other
      .fit(data.x, data.y, { epochs: 1, batchSize: 8, verbose: 0 })
      .catch((error: Error) => error);
    expect((failure as Error).message).toMatch(
      /^optimizer state: the saved state has nothing for the variables "extra\/kernel(_\d+)?", "extra\/bias(_\d+)?" \(it does not fit this model\)$/,
    );
    tf.dispose([data.x, data.y]);
    for (const model of [source, loaded, other]) model.dispose();
  });

  it('saved weights that the saved config does not list are refused when loading', async () => {
    const data = regressionData(16);
    const source = buildModel(toTfOptimizer(createOptimizer({ type: 'adam', lr: 0.01 })));
    await fit(source, data, 1);
    const artifacts = await saveToMemory(source);
    const specs = (artifacts.weightSpecs ?? []).map((spec) =>
      spec.group === 'optimizer' && spec.name.endsWith('/firstMoment')
        ? { ...spec, name: `${spec.name}x` }
        : spec,
    );
    await expect(tfl.loadLayersModel(tf.io.fromMemory({ ...artifacts, weightSpecs: specs }))).rejects.toThrow(
      /^optimizer state: the saved weight "hidden\/kernel(_\d+)?\/firstMomentx" is no slot the saved config lists$/,
    );
    tf.dispose([data.x, data.y]);
    source.dispose();
  });
});
