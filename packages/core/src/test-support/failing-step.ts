import { expect, vi } from 'vitest';

/** An optimizer class whose steps can be made to fail: `ContourOptimizer` or `StackedOptimizer`. */
interface SteppingPrototype {
  applyGradients(...args: never[]): unknown;
}

/**
 * Runs `training` with `prototype.applyGradients` throwing 'step failed' on its third call (after
 * two real steps, once the optimizer holds slots), expects it to reject with that error, and
 * restores the method.
 */
export async function expectFailingStep(prototype: SteppingPrototype, training: () => Promise<unknown>) {
  const original = prototype.applyGradients;
  let calls = 0;
  const step = vi.spyOn(prototype, 'applyGradients').mockImplementation(function (
    this: SteppingPrototype,
    ...args: never[]
  ) {
    calls += 1;
    if (calls === 3) throw new Error('step failed');
    return original.apply(this, args);
  });
  try {
    await expect(training()).rejects.toThrow('step failed');
  } finally {
    step.mockRestore();
  }
}
