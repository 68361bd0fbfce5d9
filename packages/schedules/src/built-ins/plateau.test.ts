import { describe, expect, it } from 'vitest';
import { createScheduleFromJson } from '../create-schedule.js';

/** Feeds metrics one by one; returns the rate in effect before each metric is seen. */
function replay(spec: object, metrics: number[]): number[] {
  const schedule = createScheduleFromJson({ type: 'reduceOnPlateau', ...spec });
  return metrics.map((metric, t) => {
    const rate = schedule.value(t);
    schedule.observe(metric, t);
    return rate;
  });
}

describe('reduceOnPlateau', () => {
  it('reduces after more than `patience` bad metrics (PyTorch: num_bad_epochs > patience)', () => {
    // best 1 at t0; t1, t2 bad (2 > patience 1) → reduce after metric 2.
    expect(replay({ lr: 1, patience: 1, factor: 0.5 }, [1, 1, 1, 1, 1, 1])).toEqual([
      1, 1, 1, 0.5, 0.5, 0.25,
    ]);
  });
  it('counts an improvement smaller than the relative threshold as bad', () => {
    // 1 → 0.99995 is an improvement of 5e-5 < 1e-4·1: bad.
    expect(replay({ lr: 1, patience: 0, factor: 0.1 }, [1, 0.99995, 0.5])).toEqual([1, 1, 0.1]);
    expect(
      replay({ lr: 1, patience: 0, factor: 0.1, thresholdMode: 'abs', threshold: 0.1 }, [1, 0.95, 0.5]),
    ).toEqual([1, 1, 0.1]);
  });
  it('waits `cooldown` metrics after a reduction and respects minLr and eps', () => {
    expect(replay({ lr: 1, patience: 0, factor: 0.5, cooldown: 2 }, [1, 2, 2, 2, 2, 2])).toEqual([
      1, 1, 0.5, 0.5, 0.5, 0.25,
    ]);
    expect(replay({ lr: 1, patience: 0, factor: 0.1, minLr: 0.05 }, [1, 2, 2, 2])).toEqual([1, 1, 0.1, 0.05]);
    expect(replay({ lr: 1e-9, patience: 0, factor: 0.5 }, [1, 2, 2])).toEqual([1e-9, 1e-9, 1e-9]);
  });
  it('mirrors the comparison in max mode and treats NaN as a bad metric', () => {
    expect(replay({ lr: 1, patience: 0, factor: 0.5, mode: 'max' }, [1, 2, 1.5, 3])).toEqual([1, 1, 1, 0.5]);
    expect(replay({ lr: 1, patience: 0, factor: 0.5 }, [1, Number.NaN, 0.5])).toEqual([1, 1, 0.5]);
  });
  it('saves and restores its JSON state mid-run and continues exactly', () => {
    const metrics = [5, 4, 4, 4, 4, 3, 3, 3, 3, 3];
    const spec = { type: 'reduceOnPlateau', lr: 1, patience: 1, factor: 0.5, cooldown: 1 };
    const whole = createScheduleFromJson(spec);
    const first = createScheduleFromJson(spec);
    const wholeRates: number[] = [];
    metrics.forEach((metric, t) => {
      wholeRates.push(whole.value(t));
      whole.observe(metric, t);
    });
    const resumedRates: number[] = [];
    metrics.slice(0, 4).forEach((metric, t) => {
      resumedRates.push(first.value(t));
      first.observe(metric, t);
    });
    const saved = JSON.parse(JSON.stringify(first.getState()));
    const second = createScheduleFromJson(spec);
    second.setState(saved);
    metrics.slice(4).forEach((metric, index) => {
      resumedRates.push(second.value(index + 4));
      second.observe(metric, index + 4);
    });
    expect(resumedRates).toEqual(wholeRates);
    expect(wholeRates).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25]);
  });
  it('rejects malformed state with a clear error', () => {
    const schedule = createScheduleFromJson({ type: 'reduceOnPlateau', lr: 1 });
    expect(() => schedule.setState({ best: 'x' })).toThrow(/reduceOnPlateau state must be/);
  });
});
