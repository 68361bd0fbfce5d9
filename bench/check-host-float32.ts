// Checks core's JavaScript copies of tfjs-backend-wasm's expf and logf (packages/core/src/training/
// host-float32.ts) against the wasm backend's Exp and Log kernels, bit for bit:
//   node --conditions=@contour/source --import tsx bench/check-host-float32.ts sample
//     (random float32 bit patterns, 4 × 2^22 for each function, plus special values)
//   node --conditions=@contour/source --import tsx bench/check-host-float32.ts range <first> <end> exp|log
//     (every bit pattern in [first, end), e.g. 2147483648 3268411392 exp: every float in [-104, -0])
// Prints the first mismatches and the count (NaNs compare equal whatever their payload).
import { selectBackend } from '../packages/backends/src/index.ts';
import { muslExpf, muslLogf } from '../packages/core/src/training/host-float32.ts';
import { loadTfCore } from './bench-support.ts';

await selectBackend('wasm', { strict: true });
const tf = await loadTfCore();
type Tensor = ReturnType<typeof tf.tensor1d>;
const mode = process.argv[2] ?? 'sample';
const chunk = 1 << 22;
let mismatches = 0;
let checked = 0;

function check(
  name: string,
  patterns: Uint32Array,
  ours: (x: number) => number,
  kernel: (t: Tensor) => Tensor,
) {
  const inputs = new Float32Array(patterns.buffer);
  const theirs = tf.tidy(() => kernel(tf.tensor1d(inputs)).dataSync()) as Float32Array;
  const theirBits = new Uint32Array(theirs.buffer);
  const mine = inputs.map(ours);
  const myBits = new Uint32Array(mine.buffer);
  for (let index = 0; index < inputs.length; index += 1) {
    checked += 1;
    if (myBits[index] === theirBits[index] || (Number.isNaN(theirs[index]) && Number.isNaN(mine[index])))
      continue;
    mismatches += 1;
    if (mismatches <= 10)
      console.log(
        `${name}(${inputs[index]}) [0x${patterns[index]?.toString(16)}]: wasm ${theirs[index]}, ours ${mine[index]}`,
      );
  }
}

if (mode === 'sample') {
  const random = (count: number) =>
    Uint32Array.from({ length: count }, () => (Math.random() * 2 ** 32) >>> 0);
  for (let round = 0; round < 4; round += 1) {
    check('exp', random(chunk), muslExpf, tf.exp);
    check('log', random(chunk), muslLogf, tf.log);
  }
  const specials = new Float32Array([
    0,
    -0,
    1,
    -1,
    Infinity,
    -Infinity,
    NaN,
    88,
    88.72283,
    88.7229,
    -103.97,
    -104,
    1e-45,
    3.4e38,
  ]);
  check('exp', new Uint32Array(specials.slice().buffer), muslExpf, tf.exp);
  check('log', new Uint32Array(specials.slice().buffer), muslLogf, tf.log);
} else {
  const [first, end, which] = [Number(process.argv[3]), Number(process.argv[4]), process.argv[5]];
  for (let start = first; start < end; start += chunk) {
    const patterns = Uint32Array.from({ length: Math.min(chunk, end - start) }, (_, index) => start + index);
    if (which === 'exp') check('exp', patterns, muslExpf, tf.exp);
    else check('log', patterns, muslLogf, tf.log);
  }
}
console.log(`checked ${checked}, mismatches ${mismatches}`);
