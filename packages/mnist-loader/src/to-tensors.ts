import * as tf from '@tensorflow/tfjs-core';
import { MnistLoaderOptionError } from './mnist-loader-error.js';
import type { PreparedDataset } from './prepare-dataset.js';
import { checkSplitName, oneHotLabels, type SplitName, splitFeatures } from './split-features.js';

/** Options of {@link toTensors}. */
export interface ToTensorsOptions {
  /** Which split; default `train`. */
  readonly split?: SplitName;
  /**
   * `one-hot`: float32 `y` of shape `[n, classCount]`, for tfjs-layers' `categoricalCrossentropy`
   * (Keras' `categorical_crossentropy`). `index`: class indices `[n]` for
   * `sparseCategoricalCrossentropy`, as float32 (whole numbers): tfjs-layers floors the targets of
   * that loss and tfjs' `floor` refuses int32 tensors. Default: the prepared dataset's
   * `labelEncoding`.
   */
  readonly labelEncoding?: 'one-hot' | 'index';
  /**
   * `flat`: `x` of shape `[n, rows·columns]`, for dense layers (`inputShape: [784]`). `image`:
   * `[n, rows, columns, 1]` (channels last), for `conv2d` (`inputShape: [28, 28, 1]`). Default: the
   * prepared dataset's layout (`prepareDataset`'s `layout` option).
   */
  readonly layout?: 'flat' | 'image';
}

/** A whole split as tensors for `model.fit(x, y)`; the caller owns them (`tf.dispose([x, y])`). */
export interface SplitTensors {
  /** float32 features, scaled as the prepared dataset says: `[n, rows·columns]` or `[n, rows, columns, 1]`. */
  readonly x: tf.Tensor;
  /** float32 one-hot `[n, classCount]`, or float32 class indices `[n]`. */
  readonly y: tf.Tensor;
  /** n, the number of examples. */
  readonly count: number;
}

/**
 * One split of a prepared dataset as two tensors, for tfjs-layers `model.fit(x, y)`,
 * `model.evaluate` or `validationData: [x, y]` — what Keras users get from
 * `keras.datasets.mnist.load_data()` after scaling and `to_categorical`. Examples stay in the
 * split's order (`fit` shuffles each epoch itself); features hold exactly the values
 * `createBatcher` gives (`(byte / 255 − offset) · scale`: [0, 1], or standardised with the
 * training statistics when prepared with `standardize`); labels are the prepared (possibly
 * remapped) labels.
 *
 * ```ts
 * const prepared = prepareDataset(await loadMnistDataset('fashion-mnist'), { layout: 'image' });
 * const train = toTensors(prepared); // x [50000, 28, 28, 1], y [50000, 10] one-hot
 * const validation = toTensors(prepared, { split: 'validation' });
 * await model.fit(train.x, train.y, { epochs: 5, validationData: [validation.x, validation.y] });
 * ```
 *
 * The whole split is in memory at once: 4 bytes per pixel (Fashion-MNIST's 50,000 training
 * images: 157 MB, plus the backend's copy on GPU backends). For more, use `createBatcher`.
 *
 * @throws MnistLoaderOptionError for an unknown `split`, `labelEncoding` or `layout`, or an
 *   empty split (e.g. `validation` prepared with `validationFraction: 0`).
 */
export function toTensors(prepared: PreparedDataset, options: ToTensorsOptions = {}): SplitTensors {
  const splitName = checkSplitName(options.split ?? 'train');
  const labelEncoding = options.labelEncoding ?? prepared.labelEncoding;
  if (labelEncoding !== 'one-hot' && labelEncoding !== 'index') {
    throw new MnistLoaderOptionError('labelEncoding', "'one-hot' or 'index'", labelEncoding);
  }
  const layout = options.layout ?? (prepared.featureShape.length === 1 ? 'flat' : 'image');
  if (layout !== 'flat' && layout !== 'image') {
    throw new MnistLoaderOptionError('layout', "'flat' or 'image'", layout);
  }
  const split = prepared[splitName];
  if (split.count === 0) {
    throw new MnistLoaderOptionError(
      'split',
      `a split holding examples (prepareDataset left '${splitName}' empty)`,
      splitName,
    );
  }
  const { rows, columns } = split.images;
  const featureShape = layout === 'flat' ? [rows * columns] : [rows, columns, 1];
  const x = tf.tensor(splitFeatures(prepared, splitName), [split.count, ...featureShape], 'float32');
  const y =
    labelEncoding === 'one-hot'
      ? tf.tensor(
          oneHotLabels(split.labels, prepared.classCount),
          [split.count, prepared.classCount],
          'float32',
        )
      : tf.tensor(Float32Array.from(split.labels), [split.count], 'float32');
  return { x, y, count: split.count };
}
