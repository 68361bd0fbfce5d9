import { createSeededRandom } from '@contour/mnist-loader';
import type { Initializer } from './model-spec.js';

/**
 * Initial kernel values [fanIn, fanOut] from a seeded generator on the host, so the same seed gives
 * the same weights on every backend. Glorot uniform: U(−l, l), l = √(6/(fanIn + fanOut)) (Keras
 * `glorot_uniform`). He normal: N(0, 2/fanIn) truncated at 2σ (Keras `he_normal`).
 */
export function initialKernel(
  initializer: Initializer,
  fanIn: number,
  fanOut: number,
  seed: number,
): Float32Array {
  const random = createSeededRandom(seed);
  const values = new Float32Array(fanIn * fanOut);
  if (initializer === 'glorot') {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    for (let index = 0; index < values.length; index += 1) values[index] = (random() * 2 - 1) * limit;
    return values;
  }
  const deviation = Math.sqrt(2 / fanIn);
  for (let index = 0; index < values.length; index += 1) {
    let sample: number;
    do {
      // Box–Muller; 1 − u keeps the logarithm finite.
      sample = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    } while (Math.abs(sample) > 2);
    values[index] = sample * deviation;
  }
  return values;
}
