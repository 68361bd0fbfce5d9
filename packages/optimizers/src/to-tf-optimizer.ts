import * as tf from '@tensorflow/tfjs-core';
import type { ContourOptimizer, StepReport } from './create-optimizer.js';
import { OptimizerStateError } from './optimizer-spec-error.js';

/**
 * A `tf.Optimizer` that delegates to a ContourOptimizer, so tfjs-layers `model.compile({ optimizer })`
 * and `model.fit` use Contour's rules, schedules and groups. `minimize` comes from tf.Optimizer
 * (it needs gradients registered, e.g. by importing tfjs-layers). Non-finite steps are skipped as
 * the spec says; `lastReport` holds the report of the latest step. `getWeights`/`setWeights`
 * (used by `model.save` with `includeOptimizer`) throw: save with `exportState`/`importState`.
 */
export class TfOptimizerAdapter extends tf.Optimizer {
  /** Serialization name (tf.Serializable). */
  static className = 'ContourOptimizer';
  /** The report of the latest `applyGradients`, or undefined before the first. */
  lastReport: StepReport | undefined;

  constructor(readonly optimizer: ContourOptimizer) {
    super();
  }

  override applyGradients(
    variableGradients: tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>,
  ): void {
    this.lastReport = this.optimizer.applyGradients(variableGradients);
    this.iterations_ = this.optimizer.step;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { spec: this.optimizer.spec as tf.serialization.ConfigDictValue };
  }

  override async getWeights(): Promise<Array<{ name: string; tensor: tf.Tensor }>> {
    throw new OptimizerStateError('TfOptimizerAdapter: save optimizer state with optimizer.exportState()');
  }

  override async setWeights(_weights: Array<{ name: string; tensor: tf.Tensor }>): Promise<void> {
    throw new OptimizerStateError('TfOptimizerAdapter: restore optimizer state with optimizer.importState()');
  }

  override dispose(): void {
    this.optimizer.dispose();
  }
}

/**
 * Wraps an optimizer as a `tf.Optimizer` for tfjs-layers.
 *
 * @example model.compile({ optimizer: toTfOptimizer(createOptimizer({ type: 'adam' })), loss: 'meanSquaredError' })
 */
export function toTfOptimizer(optimizer: ContourOptimizer): TfOptimizerAdapter {
  return new TfOptimizerAdapter(optimizer);
}
