import { describe, expect, it } from 'vitest';
import { createScheduleFromJson } from './create-schedule.js';
import reference from './fixtures/pytorch-reference.json' with { type: 'json' };

interface ReferenceCase {
  spec: { type: string };
  rates: number[];
  momenta?: number[];
  metrics?: number[];
}

/**
 * Rates recorded from PyTorch's own schedulers (reference/pytorch_schedules.py). PyTorch computes
 * most of them recursively (rate_t from rate_{t−1}), so its floats drift from the closed form by
 * rounding: the tolerance is 1e-10 relative, against 1e-12 in the closed-form tests.
 */
describe('PyTorch reference rates', () => {
  for (const entry of reference.cases as ReferenceCase[]) {
    it(`${entry.spec.type} equals torch ${reference.torch}: ${JSON.stringify(entry.spec)}`, () => {
      const schedule = createScheduleFromJson(entry.spec);
      entry.rates.forEach((expected, t) => {
        const actual = schedule.value(t);
        expect(Math.abs(actual - expected), `rate at t=${t}`).toBeLessThanOrEqual(
          1e-10 * Math.abs(expected) + 1e-15,
        );
        if (entry.momenta) {
          const momentum = schedule.momentum(t) as number;
          const want = entry.momenta[t] as number;
          expect(Math.abs(momentum - want), `momentum at t=${t}`).toBeLessThanOrEqual(1e-10 * want);
        }
        if (entry.metrics) schedule.observe(entry.metrics[t] as number, t);
      });
    });
  }
});
