import { useCpuBackend } from '@contour/backend-cpu';
import { softmaxCrossEntropy } from '@contour/losses';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { stackedCrossEntropy } from './stacked-cross-entropy.js';

beforeAll(useCpuBackend);

const models = 3;
const batch = 7;
const classes = 4;

/** Logits [models, batch, classes] with a tie for the max, a large logit and a -1e30 one. */
function logitValues(): Float32Array {
  const values = Float32Array.from(
    { length: models * batch * classes },
    (_, index) => Math.sin(index * 12.9898) * 7.3,
  );
  values.set([2.5, 2.5, -1, 0.25], 0);
  values[9] = 95;
  values[17] = -1e30;
  return values;
}

const labels = [0, 3, 1, 2, 2, 0, 1];

const oneHotTargets = () =>
  tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), 'float32') as tf.Tensor2D);

/** Reads a kept tensor back and disposes it. */
function readKept(tensor: tf.Tensor | undefined): Float32Array {
  const values = (tensor as tf.Tensor).dataSync() as Float32Array;
  (tensor as tf.Tensor).dispose();
  return values;
}

/** tfjs autodiff of Σ_models mean(softmaxCrossEntropy(logits)) on [models, batch, classes]. */
function autodiff(logits: tf.Tensor3D, targets: tf.Tensor2D) {
  return tf.tidy(() => {
    let perModel: tf.Tensor | undefined;
    const gradient = tf.grad((values: tf.Tensor) => {
      const means = tf.mean(
        softmaxCrossEntropy(values, targets, { reduction: 'none', nonFinite: 'ignore' }),
        1,
      );
      perModel = tf.keep(means);
      return tf.sum(means);
    })(logits);
    return { gradient: gradient.dataSync(), perModel: readKept(perModel) };
  });
}

describe('stackedCrossEntropy', () => {
  it("gives autodiff's losses and gradient bit for bit, in both layouts", () => {
    const before = tf.memory().numTensors;
    const targets = oneHotTargets();
    const logits = tf.tensor3d(logitValues(), [models, batch, classes]);
    const expected = autodiff(logits, targets);
    // The formula itself, for the first example of model 0 (a tie between classes 0 and 1).
    const row = [2.5, 2.5, -1, 0.25];
    const sum = row.reduce((total, value) => total + Math.exp(value - 2.5), 0);
    expect(expected.gradient[0]).toBeCloseTo((Math.exp(0) / sum - 1) / batch, 6);
    expect(expected.gradient[2]).toBeCloseTo(Math.exp(-3.5) / sum / batch, 6);

    for (const batchAxis of [1, 0] as const) {
      const laidOut =
        batchAxis === 1
          ? logits
          : tf.tidy(() => tf.reshape(tf.transpose(logits, [1, 0, 2]), [batch, models * classes]));
      const result = tf.tidy(() => {
        let perModel: tf.Tensor | undefined;
        const gradient = tf.grad((values: tf.Tensor) => {
          const loss = stackedCrossEntropy(values, targets, { batchAxis, models });
          perModel = tf.keep(loss.perModel);
          return loss.total;
        })(laidOut);
        const asStacked =
          batchAxis === 1
            ? gradient
            : tf.transpose(tf.reshape(gradient, [batch, models, classes]), [1, 0, 2]);
        return { gradient: asStacked.dataSync(), perModel: readKept(perModel) };
      });
      expect(result.perModel).toEqual(expected.perModel);
      expect(result.gradient).toEqual(expected.gradient);
      if (laidOut !== logits) laidOut.dispose();
    }
    tf.dispose([logits, targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives NaN losses and gradients where autodiff does (NaN, +∞ and an all −∞ row)', () => {
    const targets = oneHotTargets();
    const values = logitValues();
    values[5] = Number.NaN;
    values[30] = Number.POSITIVE_INFINITY;
    values.fill(Number.NEGATIVE_INFINITY, 36, 40);
    const logits = tf.tensor3d(values, [models, batch, classes]);
    const expected = autodiff(logits, targets);
    expect(Number.isNaN(expected.perModel[0])).toBe(true);
    expect(Number.isNaN(expected.perModel[1])).toBe(true);
    expect(Number.isFinite(expected.perModel[2])).toBe(true);
    const result = tf.tidy(() => {
      let perModel: tf.Tensor | undefined;
      const gradient = tf.grad((input: tf.Tensor) => {
        const loss = stackedCrossEntropy(input, targets, { batchAxis: 1, models });
        perModel = tf.keep(loss.perModel);
        return loss.total;
      })(logits);
      return { gradient: gradient.dataSync(), perModel: readKept(perModel) };
    });
    expect(result.perModel).toEqual(expected.perModel);
    expect(result.gradient).toEqual(expected.gradient);
    tf.dispose([logits, targets]);
  });
});
