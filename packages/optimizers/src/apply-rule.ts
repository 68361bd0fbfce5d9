import * as tf from '@tensorflow/tfjs-core';
import type { UpdateContext, UpdateResult, UpdateRule } from './update-rule.js';

/**
 * One step of `rule` on one parameter (or K stacked ones), after the engine's clipping: adds the
 * coupled weight decay λp to the gradient for `coupled` rules (skipped when every λ is 0), then
 * the rule's formula. Shared by `ContourOptimizer` and `StackedOptimizer`, so both run the same
 * float32 operations. Call inside `tf.tidy`.
 */
export function applyUpdateRule(rule: UpdateRule, context: UpdateContext): UpdateResult {
  let gradient = context.gradient;
  if (rule.weightDecay === 'coupled') {
    const weightDecay = context.coefficient((values) => values.weightDecay);
    if (weightDecay !== 0) gradient = tf.add(gradient, tf.mul(context.parameter, weightDecay));
  }
  return rule.update({ ...context, gradient });
}
