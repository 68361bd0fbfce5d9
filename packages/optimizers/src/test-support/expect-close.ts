/** Asserts two float vectors agree to a relative tolerance suited to float32 (default 2e-6). */
export function expectClose(actual: readonly number[], expected: readonly number[], tolerance = 2e-6): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  actual.forEach((value, index) => {
    const target = expected[index] as number;
    const error = Math.abs(value - target);
    if (!(error <= tolerance * Math.max(1, Math.abs(target)))) {
      throw new Error(`element ${index}: got ${value}, expected ${target} (|error| ${error})`);
    }
  });
}
