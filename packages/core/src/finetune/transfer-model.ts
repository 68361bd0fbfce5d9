import { CoreSpecError } from '../core-spec-error.js';
import { createModel, type Model } from '../model/model.js';

/** Options of {@link transferModel}. */
export interface TransferModelOptions {
  /** Outputs of the new head (the target task's class count). */
  readonly outputSize: number;
  /** Seed of the new head's initial weights. */
  readonly seed: number;
}

/**
 * A model for a new task from a pretrained one: the same architecture, every hidden layer's
 * weights copied from `source`, and a new `head` with `outputSize` outputs initialised fresh (the
 * spec's initialiser, zero bias), as in Caffe / Keras transfer learning. The source is left as it is.
 *
 * @throws CoreSpecError when the source has no hidden layer (a linear model has nothing to transfer).
 */
export function transferModel(source: Model, options: TransferModelOptions): Model {
  if (source.spec.hidden.length === 0)
    throw new CoreSpecError('model', 'a model with hidden layers (e.g. mlp:128) to transfer from', 'linear');
  if (!Number.isInteger(options.outputSize) || options.outputSize < 1)
    throw new CoreSpecError('outputSize', 'an integer ≥ 1', options.outputSize);
  const target = createModel(source.spec, {
    inputSize: source.inputSize,
    outputSize: options.outputSize,
    seed: options.seed,
  });
  const weights = source.getWeights();
  const hidden: Record<string, Float32Array> = {};
  for (const layer of source.layers) {
    if (layer.name === 'head') continue;
    hidden[layer.kernel] = weights[layer.kernel] as Float32Array;
    hidden[layer.bias] = weights[layer.bias] as Float32Array;
  }
  target.setWeights(hidden);
  return target;
}
