import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createModel } from '../model/model.js';
import { parseModelSpec } from '../model/model-spec.js';
import { smallDataset } from '../test-support/small-dataset.js';
import { train } from '../training/trainer.js';
import { resolveTrainingConfig } from '../training/training-config.js';
import { finetune, transferVariants } from './finetune.js';
import { transferModel } from './transfer-model.js';

const pretrained = (hidden = [16]) =>
  createModel(parseModelSpec({ type: 'mlp', hidden }), { inputSize: 784, outputSize: 10, seed: 5 });

/** Mean |after − before| of one parameter. */
function meanChange(
  before: Record<string, Float32Array>,
  after: Record<string, Float32Array>,
  name: string,
): number {
  const a = before[name] as Float32Array;
  const b = after[name] as Float32Array;
  let sum = 0;
  for (let index = 0; index < a.length; index += 1)
    sum += Math.abs((b[index] as number) - (a[index] as number));
  return sum / a.length;
}

describe('transferModel', () => {
  it('copies the hidden layers, gives a fresh head of the new size and leaves the source alone', () => {
    const source = pretrained([16, 8]);
    const sourceWeights = source.getWeights();
    const target = transferModel(source, { outputSize: 5, seed: 1 });
    const weights = target.getWeights();
    for (const name of ['hidden1/kernel', 'hidden1/bias', 'hidden2/kernel', 'hidden2/bias'])
      expect(weights[name]).toEqual(sourceWeights[name]);
    expect(weights['head/kernel']).toHaveLength(8 * 5);
    expect(weights['head/bias']).toEqual(new Float32Array(5));
    expect(source.getWeights()).toEqual(sourceWeights);
    expect(() =>
      transferModel(createModel(parseModelSpec('linear'), { inputSize: 4, outputSize: 2, seed: 0 }), {
        outputSize: 2,
        seed: 0,
      }),
    ).toThrow(/hidden layers/);
    for (const model of [source, target]) model.dispose();
  });
});

describe('finetune', () => {
  // 80 images → 60 training examples; batch 60 → one step per epoch.
  const oneStep = (optimizer: object, epochs = 1) =>
    resolveTrainingConfig({ epochs, batchSize: 60, seed: 3, optimizer, model: 'mlp:16' });

  it('head lrMult 10 makes the head move exactly 10× as far on the first SGD step; other layers as with one rate', async () => {
    const dataset = await smallDataset(80);
    const source = pretrained();
    const start = transferModel(source, { outputSize: dataset.classCount, seed: 3 }).getWeights();
    const run = async (settings: object) => {
      const result = await finetune(oneStep({ type: 'sgd', lr: 0.05 }), { dataset, source, settings });
      const weights = result.model.getWeights();
      result.model.dispose();
      return weights;
    };
    const boosted = await run({ learningRateMultipliers: { head: 10 } });
    const global = await run({});
    for (const name of ['head/kernel', 'head/bias']) {
      const ratio = meanChange(start, boosted, name) / meanChange(start, global, name);
      expect(ratio).toBeCloseTo(10, 4);
      // Element by element: Δ_boosted = 10·Δ_global (float32 rounding aside).
      const boostedHead = boosted[name] as Float32Array;
      const globalHead = global[name] as Float32Array;
      const initial = start[name] as Float32Array;
      for (let index = 0; index < initial.length; index += 97) {
        const expected = 10 * ((globalHead[index] as number) - (initial[index] as number));
        expect((boostedHead[index] as number) - (initial[index] as number)).toBeCloseTo(expected, 5);
      }
    }
    expect(boosted['hidden1/kernel']).toEqual(global['hidden1/kernel']);
    expect(meanChange(start, global, 'hidden1/kernel')).toBeGreaterThan(0);
    source.dispose();
  });

  it('leaves frozen layers bit-identical to the pretrained ones (momentum, several epochs)', async () => {
    const dataset = await smallDataset(200);
    const source = pretrained([16, 8]);
    const sourceWeights = source.getWeights();
    const config = resolveTrainingConfig({
      epochs: 2,
      batchSize: 32,
      seed: 3,
      optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 },
    });
    for (const settings of [{ freeze: ['hidden1'] }, { freezeUntil: 1 }]) {
      const result = await finetune(config, { dataset, source, settings });
      const weights = result.model.getWeights();
      expect(weights['hidden1/kernel']).toEqual(sourceWeights['hidden1/kernel']);
      expect(weights['hidden1/bias']).toEqual(sourceWeights['hidden1/bias']);
      expect(weights['hidden2/kernel']).not.toEqual(sourceWeights['hidden2/kernel']);
      result.model.dispose();
    }
    source.dispose();
  });

  it('gradual unfreezing trains the top e layers in epoch e', async () => {
    const dataset = await smallDataset(200);
    const source = pretrained([16, 8]);
    const sourceWeights = source.getWeights();
    const snapshots: Array<Record<string, Float32Array>> = [];
    const config = resolveTrainingConfig({
      epochs: 3,
      batchSize: 32,
      seed: 3,
      optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 },
    });
    const result = await finetune(config, {
      dataset,
      source,
      settings: { gradualUnfreeze: true },
      saveCheckpoint: (_checkpoint, model) => {
        snapshots.push(model.getWeights());
      },
    });
    const changed = (weights: Record<string, Float32Array>, before: Record<string, Float32Array>) =>
      ['hidden1/kernel', 'hidden2/kernel'].filter((name) => meanChange(before, weights, name) > 0);
    expect(snapshots.map((weights) => changed(weights, sourceWeights))).toEqual([
      [],
      ['hidden2/kernel'],
      ['hidden1/kernel', 'hidden2/kernel'],
    ]);
    result.model.dispose();
    source.dispose();
  });

  it('keeps the tensor count flat', async () => {
    const dataset = await smallDataset(200);
    const source = pretrained([8]);
    const config = resolveTrainingConfig({ epochs: 2, batchSize: 64, seed: 3 });
    const before = tf.memory().numTensors;
    const result = await finetune(config, {
      dataset,
      source,
      settings: { gradualUnfreeze: true, learningRateMultipliers: { head: 10 } },
    });
    result.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    source.dispose();
  });
});

describe('train groupsAtEpoch', () => {
  it('rebuilds the optimizer with the state carried over exactly (same groups in a new form: same numbers)', async () => {
    const dataset = await smallDataset(200);
    const config = resolveTrainingConfig({
      epochs: 3,
      batchSize: 32,
      seed: 4,
      model: 'mlp:8',
      optimizer: { type: 'adam', lr: { type: 'step', lr: 0.01, stepSize: 5, gamma: 0.5 } },
    });
    const plain = await train(config, { dataset });
    const rebuilt = await train(config, {
      dataset,
      groupsAtEpoch: (epoch) => (epoch >= 2 ? [{ layer: 'head', lrMult: 1 }] : undefined),
    });
    expect(rebuilt.model.getWeights()).toEqual(plain.model.getWeights());
    expect(rebuilt.history.map((record) => record.train)).toEqual(
      plain.history.map((record) => record.train),
    );
    plain.model.dispose();
    rebuilt.model.dispose();
  });
});

describe('transferVariants', () => {
  it('boosts the head ×10 unless the settings set multipliers; one global rate; scratch with its own spec', () => {
    const variants = transferVariants(
      { type: 'sgd', lr: 0.01 },
      { freeze: ['hidden1'] },
      { type: 'sgd', lr: 0.1 },
    );
    expect(variants.map((variant) => variant.name)).toEqual(['boosted-head', 'global-rate', 'scratch']);
    expect(variants[0]?.settings).toEqual({ freeze: ['hidden1'], learningRateMultipliers: { head: 10 } });
    expect(variants[1]?.settings).toEqual({});
    expect(variants[2]?.settings).toBeUndefined();
    expect(variants[2]?.optimizer).toEqual({ type: 'sgd', lr: 0.1 });
  });
});
