/**
 * A deterministic pseudo-random generator (mulberry32): the same seed gives the same sequence on
 * every platform. Returns floats in [0, 1).
 */
export function createSeededRandom(seed: number): () => number {
  let state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derives the seed of epoch `epoch` from a base seed, so each epoch's order is independent of the others. */
export function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(Math.trunc(seed) ^ 0x85ebca6b, 0xc2b2ae35) + Math.imul(epoch + 1, 0x27d4eb2f)) >>> 0;
}

/** Shuffles `values` in place with Fisher–Yates driven by `random`; returns it. */
export function shuffleInPlace<T extends { length: number; [index: number]: number }>(
  values: T,
  random: () => number,
): T {
  for (let index = values.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    const value = values[index] ?? 0;
    values[index] = values[other] ?? 0;
    values[other] = value;
  }
  return values;
}
