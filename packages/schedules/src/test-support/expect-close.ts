import { expect } from 'vitest';

/** Asserts |actual − expected| ≤ relative·max(|expected|, tiny) element by element. */
export function expectClose(
  actual: readonly number[] | number,
  expected: readonly number[] | number,
  relative = 1e-12,
) {
  const actualList = typeof actual === 'number' ? [actual] : actual;
  const expectedList = typeof expected === 'number' ? [expected] : expected;
  expect(actualList).toHaveLength(expectedList.length);
  actualList.forEach((value, index) => {
    const want = expectedList[index] as number;
    const tolerance = relative * Math.max(Math.abs(want), 1e-300);
    if (!(Math.abs(value - want) <= tolerance)) {
      expect.fail(`index ${index}: got ${value}, expected ${want} (relative tolerance ${relative})`);
    }
  });
}
