import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { hostFloat32 } from '../training/host-float32.js';
import { hostStackedCrossEntropy, stackedCrossEntropy } from '../training/stacked-cross-entropy.js';

/** Bit patterns of float32 values, for exact comparison (±0 told apart; every NaN as one NaN). */
const bits = (values: Float32Array) =>
  Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length), (pattern, index) =>
    Number.isNaN(values[index]) ? 0x7fc00000 : pattern,
  );

/** The first few positions where two float32 arrays differ in bits, with both values (empty: none). */
function mismatches(ours: Float32Array, theirs: Float32Array): string[] {
  const [a, b] = [bits(ours), bits(theirs)];
  const found: string[] = [];
  for (let index = 0; index < Math.max(a.length, b.length) && found.length < 5; index += 1)
    if (a[index] !== b[index]) found.push(`#${index}: ${ours[index]} ≠ ${theirs[index]}`);
  return found;
}

/** Every float32 bit pattern in steps of `stride` (both signs, subnormals, ±∞ and NaNs), plus edge values. */
function floatSample(stride: number): Float32Array {
  const patterns = new Uint32Array(Math.ceil(2 ** 32 / stride));
  for (let index = 0; index < patterns.length; index += 1) patterns[index] = (index * stride) >>> 0;
  const sample = new Float32Array(patterns.buffer);
  const edges = [
    0, -0, 1, -1, 88, 88.72283172607422, 88.72284, -87.33654, -103.97207, -104, 1e-45, 1e-40, 3.4e38,
  ];
  return Float32Array.from([...sample, ...edges]);
}

/**
 * Values whose float32 and float64 running sums differ: even rows 1 followed by terms too small to
 * change a float32 1, odd rows big terms that overflow float32 before they cancel.
 */
function cancellingValues(rows: number, columns: number): Float32Array {
  return Float32Array.from({ length: rows * columns }, (_, index) => {
    const [row, column] = [Math.floor(index / columns), index % columns];
    if (row % 2 === 0) return column === 0 ? 1 : 1e-8 * (1 + (column % 3));
    return column % 3 === 2 ? -3e38 : 3e38 * (column % 2 === 0 ? 1 : 0.5);
  });
}

/** Logits [batch, models, classes] with ties for the max, a large spread and tiny differences. */
function logitValues(batch: number, models: number, classes: number): Float32Array {
  const values = Float32Array.from(
    { length: batch * models * classes },
    (_, index) => Math.sin(index * 12.9898) * 9,
  );
  values.set([9.5, 9.5, -1, 0.25], 0);
  values[classes + 1] = 80;
  values[2 * classes + 2] = -90;
  values[3 * classes] = 1e-7;
  return values;
}

/**
 * The checks that {@link hostFloat32}'s arithmetic for the active backend (cpu or wasm) and
 * {@link hostStackedCrossEntropy} give that backend's kernels' results bit for bit.
 */
export function hostFloat32Checks(backendName: 'cpu' | 'wasm'): void {
  it(`computes exp and log as the ${backendName} backend's kernels, on a sample of every float32 range`, () => {
    const math = hostFloat32(backendName);
    expect(math?.backend).toBe(backendName);
    const sample = floatSample(8191);
    const [exps, logs] = tf.tidy(() => {
      const input = tf.tensor1d(sample);
      return [tf.exp(input).dataSync(), tf.log(input).dataSync()] as Float32Array[];
    });
    expect(
      mismatches(
        sample.map((value) => math?.exp(value) ?? 0),
        exps as Float32Array,
      ),
    ).toEqual([]);
    expect(
      mismatches(
        sample.map((value) => math?.log(value) ?? 0),
        logs as Float32Array,
      ),
    ).toEqual([]);
  });

  it(`sums and averages along an axis as the ${backendName} backend's Sum and Mean kernels`, () => {
    const math = hostFloat32(backendName);
    const [rows, columns] = [6, 35];
    const values = cancellingValues(rows, columns);
    const [sums, means] = tf.tidy(() => {
      const matrix = tf.tensor2d(values, [rows, columns]);
      // Over rows (strided, as a batch mean) and over columns (contiguous, as a class sum).
      return [
        tf.concat([tf.sum(matrix, 0), tf.sum(matrix, 1)]).dataSync(),
        tf.concat([tf.mean(matrix, 0), tf.mean(matrix, 1)]).dataSync(),
      ] as Float32Array[];
    });
    const ours = (reduce: 'sum' | 'mean') =>
      Float32Array.from([
        ...Array.from({ length: columns }, (_, column) => math?.[reduce](values, column, rows, columns) ?? 0),
        ...Array.from({ length: rows }, (_, row) => math?.[reduce](values, row * columns, columns, 1) ?? 0),
      ]);
    expect(mismatches(ours('sum'), sums as Float32Array)).toEqual([]);
    expect(mismatches(ours('mean'), means as Float32Array)).toEqual([]);
    // The two backends accumulate differently on these values, so matching one is not matching both.
    const other = hostFloat32(backendName === 'cpu' ? 'wasm' : 'cpu');
    const otherSums = Array.from({ length: rows }, (_, row) => other?.sum(values, row * columns, columns, 1));
    expect(otherSums).not.toEqual(Array.from((sums as Float32Array).subarray(columns)));
  });

  it(`gives the stacked cross entropy op's losses and gradient bit for bit on ${backendName}`, () => {
    const math = hostFloat32(backendName);
    const [batch, models, classes] = [9, 3, 10];
    const logits = logitValues(batch, models, classes);
    const labels = Array.from({ length: batch }, (_, index) => (index * 7) % classes);
    const targets = new Float32Array(batch * classes);
    for (const [row, label] of labels.entries()) targets[row * classes + label] = 1;
    let perModel: Float32Array | undefined;
    const expected = tf.tidy(() => {
      const input = tf.tensor2d(logits, [batch, models * classes]);
      const gradient = tf.grad((values: tf.Tensor) => {
        const loss = stackedCrossEntropy(values, tf.tensor2d(targets, [batch, classes]), {
          batchAxis: 0,
          models,
        });
        perModel = loss.perModel.dataSync() as Float32Array;
        loss.perModel.dispose();
        return loss.total;
      })(input);
      return gradient.dataSync() as Float32Array;
    });
    const host = hostStackedCrossEntropy(
      logits,
      targets,
      { batch, models, classes },
      math as NonNullable<typeof math>,
    );
    expect(mismatches(host?.gradient as Float32Array, expected)).toEqual([]);
    expect(mismatches(host?.perModel as Float32Array, perModel as Float32Array)).toEqual([]);
    // The first row's max is a tie: both classes carry the max's gradient term.
    expect(logits[0]).toBe(logits[1]);
  });

  it('leaves steps with a non-finite logit to the tfjs op (undefined)', () => {
    const math = hostFloat32(backendName) as NonNullable<ReturnType<typeof hostFloat32>>;
    const targets = Float32Array.from([1, 0, 0]);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      expect(
        hostStackedCrossEntropy(
          Float32Array.from([0, bad, 1]),
          targets,
          { batch: 1, models: 1, classes: 3 },
          math,
        ),
      ).toBeUndefined();
    expect(
      hostStackedCrossEntropy(
        Float32Array.from([0, 2, 1]),
        targets,
        { batch: 1, models: 1, classes: 3 },
        math,
      ),
    ).toBeDefined();
  });
}
