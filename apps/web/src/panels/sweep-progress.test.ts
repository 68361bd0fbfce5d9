import { describe, expect, it } from 'vitest';
import { sweepProgressText } from './sweep-progress.js';

describe('sweepProgressText', () => {
  it('names the run, the epoch and batch, and the time left at the pace so far', () => {
    // Run 2 of 5, 3 epochs of 25 batches: done = 75 + 0 + 12 = 87 of 375 in 8.7 s → 28.8 s left.
    expect(
      sweepProgressText({
        run: 1,
        runs: 5,
        label: 'lr=0.1',
        epoch: 1,
        batch: 11,
        batches: 25,
        epochs: 3,
        seconds: 8.7,
      }),
    ).toBe('Training run 2 of 5 (lr=0.1): epoch 1 of 3, batch 12 of 25 — about 29 s left');
  });

  it('gives minutes past 90 s and no estimate before any time has passed', () => {
    // done = 1 of 750 after 1 s → 749 s left ≈ 12 min.
    expect(
      sweepProgressText({
        run: 0,
        runs: 10,
        label: 'lr=1',
        epoch: 1,
        batch: 0,
        batches: 25,
        epochs: 3,
        seconds: 1,
      }),
    ).toBe('Training run 1 of 10 (lr=1): epoch 1 of 3, batch 1 of 25 — about 12 min left');
    expect(
      sweepProgressText({
        run: 0,
        runs: 1,
        label: 'lr=1',
        epoch: 1,
        batch: 0,
        batches: 5,
        epochs: 1,
        seconds: 0,
      }),
    ).toBe('Training run 1 of 1 (lr=1): epoch 1 of 1, batch 1 of 5…');
  });
});
