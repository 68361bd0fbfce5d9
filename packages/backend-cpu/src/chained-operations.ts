import type * as tfCore from '@tensorflow/tfjs-core';

/** The tfjs-core namespace, as `import * as tf from '@tensorflow/tfjs-core'` gives it. */
export type TensorFlowCore = typeof tfCore;

type Method = (this: tfCore.Tensor, ...parameters: unknown[]) => unknown;
type Operation = (...parameters: unknown[]) => unknown;

/**
 * Names of the chained tensor methods (`x.add(y)`, `x.sum()`, ...) that call the tfjs-core op of the
 * same name with the tensor as first argument. This is the list of tfjs-core 4.22's
 * `public/chained_ops/register_all_chained_ops`, minus the methods with their own body (see
 * {@link registerChainedOperations}).
 */
export const chainedOperationNames: readonly string[] = (
  'abs acos acosh add all any argMax argMin asin asinh atan atan2 atanh avgPool batchToSpaceND ' +
  'batchNorm broadcastTo cast ceil clipByValue conv1d conv2d conv2dTranspose cos cosh cumprod ' +
  'cumsum depthToSpace depthwiseConv2d dilation2d div divNoNan dot elu equal erf euclideanNorm ' +
  'exp expandDims expm1 fft floor floorDiv gather greater greaterEqual ifft irfft isFinite ' +
  'isInf isNaN leakyRelu less lessEqual localResponseNormalization log log1p logSigmoid ' +
  'logSoftmax logSumExp logicalAnd logicalNot logicalOr logicalXor matMul max maxPool maximum ' +
  'mean min minimum mirrorPad mod mul neg norm notEqual oneHot onesLike pad pool pow prelu ' +
  'prod reciprocal relu relu6 reshape resizeBilinear resizeNearestNeighbor reverse rfft round ' +
  'rsqrt selu separableConv2d sigmoid sign sin sinh slice softmax softplus spaceToBatchND ' +
  'split sqrt square squaredDifference squeeze step stridedSlice sub sum tan tanh tile topk ' +
  'transpose unique unsortedSegmentSum unstack zerosLike '
)
  .trim()
  .split(' ');

/**
 * Adds tfjs-core's chained tensor methods (`x.add(y)`, `x.mean()`, `x.asScalar()`, ...) to the
 * `Tensor` class of the given tfjs-core namespace, using its public ops only. tfjs-core's CommonJS
 * `main` (what plain Node and vitest load) registers none of them; bundlers that load
 * `@tensorflow/tfjs` may already have them: methods that exist are left untouched, so calling this
 * twice, or after tfjs registered its own, changes nothing.
 *
 * @returns the number of methods added by this call (0 when all were present).
 */
export function registerChainedOperations(tf: TensorFlowCore): number {
  const prototype = tf.Tensor.prototype as unknown as Record<string, Method | undefined>;
  const operations = tf as unknown as Record<string, Operation | undefined>;
  let added = 0;
  const define = (name: string, method: Method): void => {
    if (prototype[name] !== undefined) return;
    Object.defineProperty(prototype, name, { value: method, writable: true, configurable: true });
    added += 1;
  };
  for (const name of chainedOperationNames) {
    const operation = operations[name];
    if (operation === undefined) continue;
    define(name, function (this: tfCore.Tensor, ...parameters: unknown[]) {
      this.throwIfDisposed();
      return operation(this, ...parameters);
    });
  }
  const reshapeTo = (shape: (tensor: tfCore.Tensor, parameters: number[]) => number[]): Method =>
    function (this: tfCore.Tensor, ...parameters: unknown[]) {
      this.throwIfDisposed();
      return tf.reshape(this, shape(this, parameters as number[]));
    };
  define(
    'as1D',
    reshapeTo((tensor) => [tensor.size]),
  );
  define(
    'flatten',
    reshapeTo((tensor) => [tensor.size]),
  );
  define(
    'as2D',
    reshapeTo((_, parameters) => parameters.slice(0, 2)),
  );
  define(
    'as3D',
    reshapeTo((_, parameters) => parameters.slice(0, 3)),
  );
  define(
    'as4D',
    reshapeTo((_, parameters) => parameters.slice(0, 4)),
  );
  define(
    'as5D',
    reshapeTo((_, parameters) => parameters.slice(0, 5)),
  );
  define(
    'asScalar',
    reshapeTo(() => []),
  );
  define('reshapeAs', function (this: tfCore.Tensor, other: unknown) {
    this.throwIfDisposed();
    return tf.reshape(this, (other as tfCore.Tensor).shape);
  });
  const castTo = (dtype?: tfCore.DataType): Method =>
    function (this: tfCore.Tensor, requested?: unknown) {
      this.throwIfDisposed();
      return tf.cast(this, dtype ?? (requested as tfCore.DataType));
    };
  define('asType', castTo());
  define('toBool', castTo('bool'));
  define('toFloat', castTo('float32'));
  define('toInt', castTo('int32'));
  define('concat', function (this: tfCore.Tensor, others: unknown, axis?: unknown) {
    this.throwIfDisposed();
    const list = others instanceof tf.Tensor ? [others] : (others as tfCore.Tensor[]);
    return tf.concat([this, ...list], axis as number | undefined);
  });
  define('stack', function (this: tfCore.Tensor, others: unknown, axis?: unknown) {
    this.throwIfDisposed();
    const list = others instanceof tf.Tensor ? [others] : (others as tfCore.Tensor[]);
    return tf.stack([this, ...list], axis as number | undefined);
  });
  define('where', function (this: tfCore.Tensor, condition: unknown, other: unknown) {
    this.throwIfDisposed();
    return tf.where(condition as tfCore.Tensor, this, other as tfCore.Tensor);
  });
  return added;
}
