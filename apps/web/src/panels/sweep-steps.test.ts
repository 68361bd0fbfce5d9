import { describe, expect, it } from 'vitest';
import { sweepStepCount } from './sweep-steps.js';

describe('sweepStepCount', () => {
  it('counts steps as the trainer batches: ⌈(images − round(images × validation)) ÷ batch⌉ × epochs', () => {
    // The Sweep lab's default: 2,000 − 400 = 1,600 images ÷ 64 = 25 steps per epoch, × 3 epochs.
    expect(sweepStepCount({ trainLimit: 2000, validation: 0.2, batchSize: 64, epochs: 3 })).toEqual({
      trainingImages: 1600,
      stepsPerEpoch: 25,
      totalSteps: 75,
    });
    // A partial last batch is a step: 1,000 − 150 = 850 ÷ 64 = 13.3 → 14.
    expect(sweepStepCount({ trainLimit: 1000, validation: 0.15, batchSize: 64, epochs: 2 })).toEqual({
      trainingImages: 850,
      stepsPerEpoch: 14,
      totalSteps: 28,
    });
  });
});
