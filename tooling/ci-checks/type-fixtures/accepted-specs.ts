// Specs a user writes: every line must compile (spec-types.test.ts runs tsc on this file alone).
import { softmaxCrossEntropy } from '@contour/losses';
import { createOptimizer, type OptimizerSpec } from '@contour/optimizers';
import { race } from '@contour/race';
import { createSchedule, type createScheduleRegistry, type ScheduleSpec } from '@contour/schedules';
import type * as tf from '@tensorflow/tfjs-core';

// A plugin declares its types (as examples/schedule-plugin does); they then compile like built-ins.
declare module '@contour/schedules' {
  interface PluginScheduleOptions {
    'acme:warmSine': { lr: number; steps: number; floor?: number };
  }
}

export const cosine = createSchedule({ type: 'cosine', lr: 0.1, tMax: 100, unit: 'epoch' });
export const warm: ScheduleSpec = {
  type: 'warmup',
  steps: 5,
  schedule: {
    type: 'sequential',
    schedules: [{ type: 'constant' }, { type: 'exponential', gamma: 0.9 }],
    milestones: [3],
  },
};
export const plugin = (registry: ReturnType<typeof createScheduleRegistry>) =>
  createSchedule({ type: 'acme:warmSine', lr: 0.1, steps: 50 }, { registry });
export const sgd = createOptimizer({
  type: 'sgd',
  lr: { type: 'step', lr: 0.1, stepSize: 30 },
  momentum: 0.9,
});
export const adam: OptimizerSpec = {
  type: 'adam',
  amsgrad: true,
  groups: [{ match: 'dense_2/*', lrMult: 10 }],
};
export const racing = () =>
  race({ surface: 'beale', steps: 10, racers: [{ spec: { type: 'adam', lr: 0.1 } }] });
export const loss = (logits: tf.Tensor, labels: tf.Tensor): tf.Scalar => softmaxCrossEntropy(logits, labels);
export const perExample = (logits: tf.Tensor, labels: tf.Tensor): tf.Tensor =>
  softmaxCrossEntropy(logits, labels, { reduction: 'none' });
