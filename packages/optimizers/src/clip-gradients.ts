import * as tf from '@tensorflow/tfjs-core';

/**
 * Clips every element of every gradient to [−maxValue, maxValue] (PyTorch `clip_grad_value_`,
 * Keras `clipvalue`). Returns new tensors; call inside `tf.tidy`.
 */
export function clipByValue(gradients: readonly tf.Tensor[], maxValue: number): tf.Tensor[] {
  return gradients.map((gradient) => tf.clipByValue(gradient, -maxValue, maxValue));
}

/**
 * Rescales all gradients together so that their global L2 norm is at most `maxNorm` (PyTorch
 * `clip_grad_norm_`): n = √(Σ_i ‖g_i‖²), c = min(1, maxNorm/(n + 1e-6)), g_i ← c·g_i. No data is
 * read back (c stays a tensor). Returns new tensors; call inside `tf.tidy`.
 */
export function clipByGlobalNorm(gradients: readonly tf.Tensor[], maxNorm: number): tf.Tensor[] {
  if (gradients.length === 0) return [];
  const squares = gradients.map((gradient) => tf.sum(tf.square(gradient)));
  const norm = tf.sqrt(squares.length === 1 ? (squares[0] as tf.Tensor) : tf.addN(squares));
  const coefficient = tf.minimum(tf.div(tf.scalar(maxNorm), tf.add(norm, 1e-6)), 1);
  return gradients.map((gradient) => tf.mul(gradient, coefficient));
}

/**
 * True when every element of every gradient is finite. One read-back of a scalar: Σ_i Σ g_i·0 is
 * 0 when all values are finite and NaN otherwise (NaN·0 and ±∞·0 are NaN).
 */
export function gradientsAreFinite(gradients: readonly tf.Tensor[]): boolean {
  if (gradients.length === 0) return true;
  const probe = tf.tidy(() => {
    const sums = gradients.map((gradient) => tf.sum(tf.mul(gradient, 0)));
    return sums.length === 1 ? (sums[0] as tf.Tensor) : tf.addN(sums);
  });
  const value = probe.dataSync()[0];
  probe.dispose();
  return Number.isFinite(value);
}
