import { meanSquaredError, softmaxCrossEntropy } from '@contour/losses';
import type { Batch } from '@contour/mnist-loader';
import type { ContourOptimizer, StepReport } from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableModel } from '../model/trainable-model.js';
import type { LossName } from '../training/evaluate.js';

/** What one step did: the batch loss before the update, and the optimizer's report (none when not finite). */
export interface TrainingStepOutcome {
  readonly loss: number;
  readonly report?: StepReport;
}

/**
 * One optimizer step on a batch, as the trainer takes it: loss of the forward pass (with dropout
 * seeded by `dropoutSeed`), gradients of every parameter, and the update unless the loss is not
 * finite (then nothing changes). Leaves no tensors behind.
 */
export function trainingStep(
  model: TrainableModel,
  optimizer: ContourOptimizer,
  batch: Batch,
  loss: LossName,
  dropoutSeed: number,
): TrainingStepOutcome {
  const logicalNames = new Map(
    Object.entries(model.variables).map(([name, variable]) => [variable.name, name]),
  );
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.forward(batch.inputs, dropoutSeed);
    return (
      loss === 'mse'
        ? meanSquaredError(logits, batch.targets, { nonFinite: 'ignore' })
        : softmaxCrossEntropy(logits, batch.targets, { nonFinite: 'ignore' })
    ) as tf.Scalar;
  }, Object.values(model.variables));
  const lossValue = value.dataSync()[0] ?? Number.NaN;
  value.dispose();
  if (!Number.isFinite(lossValue)) {
    tf.dispose(grads);
    return { loss: lossValue };
  }
  const named: Record<string, tf.Tensor> = {};
  for (const [tfName, gradient] of Object.entries(grads))
    named[logicalNames.get(tfName) ?? tfName] = gradient;
  const report = optimizer.applyGradients(named, model.variables);
  tf.dispose(grads);
  return { loss: lossValue, report };
}
