/**
 * Float32 arithmetic done in JavaScript with exactly the results of a tfjs backend's kernels, for
 * the backends whose tensors live in this process's memory (`cpu`, `wasm`): there a step's small
 * element-wise work costs less as a loop over typed arrays than as a dozen kernel dispatches.
 *
 * Addition, subtraction, multiplication and division of float32 values done in float64 and
 * rounded once (`Math.fround`) are the float32 operations themselves. What differs by backend:
 * - exp and log: the cpu backend rounds `Math.exp`/`Math.log`; the wasm backend calls the C
 *   library's `expf`/`logf` (musl's, compiled into tfjs-backend-wasm), reproduced here operation
 *   for operation in float64 (wasm has no fused multiply-add, so each product and sum rounds).
 * - sums and means over an axis: the cpu backend accumulates in float64 and rounds the total (a
 *   mean is the sum of each value divided by n); the wasm backend accumulates in float32 (a mean
 *   is that sum divided by n).
 */
export interface HostFloat32 {
  readonly backend: 'cpu' | 'wasm';
  exp(value: number): number;
  log(value: number): number;
  /** Σ values[start + i·stride] for i < count, as the backend's Sum kernel. */
  sum(values: ArrayLike<number>, start: number, count: number, stride: number): number;
  /** The mean of values[start + i·stride] for i < count, as the backend's Mean kernel. */
  mean(values: ArrayLike<number>, start: number, count: number, stride: number): number;
}

const fround = Math.fround;

/** A C hexadecimal floating-point literal (`0x1.8p52`) as a number: exact for ≤ 53 significant bits. */
function hexFloat(literal: string): number {
  const match = /^(-?)0x([0-9a-f]+)(?:\.([0-9a-f]*))?p([+-]?\d+)$/.exec(literal);
  if (!match) throw new Error(`not a hexadecimal float: ${literal}`);
  const [, sign, whole, fraction = '', exponent] = match;
  const value = Number.parseInt(`${whole}${fraction}`, 16) * 2 ** (Number(exponent) - 4 * fraction.length);
  return sign === '-' ? -value : value;
}
const buffer = new ArrayBuffer(8);
const float64 = new Float64Array(buffer);
const float32 = new Float32Array(buffer);
const uint32 = new Uint32Array(buffer);
const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const low = little ? 0 : 1;
const high = little ? 1 : 0;

function float32Bits(value: number): number {
  float32[0] = value;
  return uint32[0] as number;
}

function bitsFloat32(bits: number): number {
  uint32[0] = bits;
  return float32[0] as number;
}

function bitsFloat64(highWord: number, lowWord: number): number {
  uint32[high] = highWord;
  uint32[low] = lowWord;
  return float64[0] as number;
}

// expf: x·32/ln2 = k + r, exp(x) = 2^(k/32)·2^(r/32), 2^(k/32) from a 32-entry table of 2^(i/32)
// as float64 bit patterns (minus i << 47), 2^(r/32) by a cubic.
const expTable = [
  0x3ff0000000000000n,
  0x3fefd9b0d3158574n,
  0x3fefb5586cf9890fn,
  0x3fef9301d0125b51n,
  0x3fef72b83c7d517bn,
  0x3fef54873168b9aan,
  0x3fef387a6e756238n,
  0x3fef1e9df51fdee1n,
  0x3fef06fe0a31b715n,
  0x3feef1a7373aa9cbn,
  0x3feedea64c123422n,
  0x3feece086061892dn,
  0x3feebfdad5362a27n,
  0x3feeb42b569d4f82n,
  0x3feeab07dd485429n,
  0x3feea47eb03a5585n,
  0x3feea09e667f3bcdn,
  0x3fee9f75e8ec5f74n,
  0x3feea11473eb0187n,
  0x3feea589994cce13n,
  0x3feeace5422aa0dbn,
  0x3feeb737b0cdc5e5n,
  0x3feec49182a3f090n,
  0x3feed503b23e255dn,
  0x3feee89f995ad3adn,
  0x3feeff76f2fb5e47n,
  0x3fef199bdd85529cn,
  0x3fef3720dcef9069n,
  0x3fef5818dcfba487n,
  0x3fef7c97337b9b5fn,
  0x3fefa4afa2a490dan,
  0x3fefd0765b6e4540n,
];
/** 2^(i/32) as float64: the table entries with their i << 47 added back. */
const expTwoToThe = expTable.map((bits, index) => {
  const pattern = BigInt.asUintN(64, bits + (BigInt(index) << 47n));
  return bitsFloat64(Number(pattern >> 32n), Number(pattern & 0xffffffffn));
});
/** 2^n for n in [−160, 160] (index n + 160), built by exact doublings and halvings. */
const powersOfTwo = (() => {
  const powers = new Float64Array(321);
  powers[160] = 1;
  for (let n = 1; n <= 160; n += 1) {
    powers[160 + n] = (powers[159 + n] as number) * 2;
    powers[160 - n] = (powers[161 - n] as number) / 2;
  }
  return powers;
})();
const expInverseLn2 = hexFloat('0x1.71547652b82fep0') * 32;
const expShift = hexFloat('0x1.8p52');
const expC0 = hexFloat('0x1.c6af84b912394p-5') / 32 / 32 / 32;
const expC1 = hexFloat('0x1.ebfce50fac4f3p-3') / 32 / 32;
const expC2 = hexFloat('0x1.62e42ff0c52d6p-1') / 32;
/** Above log(2^128) exp overflows; below log(2^-150) it is 0. */
const expOverflow = hexFloat('0x1.62e42ep6');
const expUnderflow = hexFloat('-0x1.9fe368p6');

/** musl's expf (as in tfjs-backend-wasm) on a float32 value. */
export function muslExpf(x: number): number {
  if (!(Math.abs(x) < 88)) {
    // |x| ≥ 88, ±∞ or NaN
    if (x === Number.NEGATIVE_INFINITY) return 0;
    if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x + x;
    if (x > expOverflow) return Number.POSITIVE_INFINITY;
    if (x < expUnderflow) return 0;
  }
  const z = expInverseLn2 * x;
  // k = z rounded to the nearest integer (ties to even) by adding and removing 1.5·2^52.
  const kd = z + expShift - expShift;
  const r = z - kd;
  const k = kd | 0;
  // The C code adds k << 47 to the bits of table[k mod 32]: 2^((k mod 32)/32) · 2^⌊k/32⌋, exactly.
  const scale = (expTwoToThe[k & 31] as number) * (powersOfTwo[(k >> 5) + 160] as number);
  const c = expC0 * r + expC1;
  const r2 = r * r;
  let y = expC2 * r + 1;
  y = c * r2 + y;
  y = y * scale;
  return fround(y);
}

// logf: x = 2^k·z with z in [0x3f330000, 2·0x3f330000), log(x) = log1p(z/c − 1) + log(c) + k·ln2,
// c the centre of one of 16 subintervals (1/c and log c tabulated), log1p by a cubic.
const logInverseC = [
  hexFloat('0x1.661ec79f8f3bep0'),
  hexFloat('0x1.571ed4aaf883dp0'),
  hexFloat('0x1.49539f0f010bp0'),
  hexFloat('0x1.3c995b0b80385p0'),
  hexFloat('0x1.30d190c8864a5p0'),
  hexFloat('0x1.25e227b0b8eap0'),
  hexFloat('0x1.1bb4a4a1a343fp0'),
  hexFloat('0x1.12358f08ae5bap0'),
  hexFloat('0x1.0953f419900a7p0'),
  hexFloat('0x1p0'),
  hexFloat('0x1.e608cfd9a47acp-1'),
  hexFloat('0x1.ca4b31f026aap-1'),
  hexFloat('0x1.b2036576afce6p-1'),
  hexFloat('0x1.9c2d163a1aa2dp-1'),
  hexFloat('0x1.886e6037841edp-1'),
  hexFloat('0x1.767dcf5534862p-1'),
];
const logC = [
  hexFloat('-0x1.57bf7808caadep-2'),
  hexFloat('-0x1.2bef0a7c06ddbp-2'),
  hexFloat('-0x1.01eae7f513a67p-2'),
  hexFloat('-0x1.b31d8a68224e9p-3'),
  hexFloat('-0x1.6574f0ac07758p-3'),
  hexFloat('-0x1.1aa2bc79c81p-3'),
  hexFloat('-0x1.a4e76ce8c0e5ep-4'),
  hexFloat('-0x1.1973c5a611cccp-4'),
  hexFloat('-0x1.252f438e10c1ep-5'),
  0,
  hexFloat('0x1.aa5aa5df25984p-5'),
  hexFloat('0x1.c5e53aa362eb4p-4'),
  hexFloat('0x1.526e57720db08p-3'),
  hexFloat('0x1.bc2860d22477p-3'),
  hexFloat('0x1.1058bc8a07ee1p-2'),
  hexFloat('0x1.4043057b6ee09p-2'),
];
const logLn2 = hexFloat('0x1.62e42fefa39efp-1');
const logA0 = hexFloat('-0x1.00ea348b88334p-2');
const logA1 = hexFloat('0x1.5575b0be00b6ap-2');
const logA2 = hexFloat('-0x1.ffffef20a4123p-2');
const logOffset = 0x3f330000;

/** musl's logf (as in tfjs-backend-wasm) on a float32 value. */
export function muslLogf(x: number): number {
  let bits = float32Bits(x);
  if (bits === 0x3f800000) return 0;
  if (bits - 0x00800000 >= 0x7f800000 - 0x00800000 || bits < 0x00800000) {
    // x < 2^-126, negative, ±0, infinite or NaN
    if ((bits & 0x7fffffff) === 0) return Number.NEGATIVE_INFINITY;
    if (bits === 0x7f800000) return x;
    if (bits & 0x80000000 || (bits & 0x7fffffff) > 0x7f800000) return Number.NaN;
    // subnormal: normalise
    bits = float32Bits(fround(x * 2 ** 23)) - (23 << 23);
  }
  const offset = (bits - logOffset) >>> 0;
  const index = (offset >>> 19) % 16;
  const k = (offset | 0) >> 23;
  const iz = (bits - (offset & 0xff800000)) >>> 0;
  const z = bitsFloat32(iz);
  const r = z * (logInverseC[index] as number) - 1;
  const y0 = (logC[index] as number) + k * logLn2;
  const r2 = r * r;
  let y = logA1 * r + logA2;
  y = logA0 * r2 + y;
  y = y * r2 + (y0 + r);
  return fround(y);
}

const cpuFloat32: HostFloat32 = {
  backend: 'cpu',
  exp: (value) => fround(Math.exp(value)),
  log: (value) => fround(Math.log(value)),
  sum(values, start, count, stride) {
    let total = 0;
    for (let index = 0, at = start; index < count; index += 1, at += stride) total += values[at] as number;
    return fround(total);
  },
  mean(values, start, count, stride) {
    const size = fround(count);
    let total = 0;
    for (let index = 0, at = start; index < count; index += 1, at += stride)
      total += fround((values[at] as number) / size);
    return fround(total);
  },
};

function wasmSum(values: ArrayLike<number>, start: number, count: number, stride: number): number {
  let total = 0;
  for (let index = 0, at = start; index < count; index += 1, at += stride)
    total = fround(total + (values[at] as number));
  return total;
}

const wasmFloat32: HostFloat32 = {
  backend: 'wasm',
  exp: muslExpf,
  log: muslLogf,
  sum: wasmSum,
  mean(values, start, count, stride) {
    return fround(wasmSum(values, start, count, stride) / count);
  },
};

/** The host arithmetic of a backend by name, or undefined when its kernels cannot be matched in JavaScript. */
export function hostFloat32(backendName: string): HostFloat32 | undefined {
  if (backendName === 'cpu') return cpuFloat32;
  if (backendName === 'wasm') return wasmFloat32;
  return undefined;
}
