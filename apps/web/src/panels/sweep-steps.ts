import type { SweepSettings } from '../state/url-state.js';

/** How many optimizer steps each run of a sweep trains (at most: the data may hold fewer images). */
export interface SweepStepCount {
  /** Training images after the validation split: trainLimit − round(trainLimit × validation). */
  readonly trainingImages: number;
  /** ⌈training images ÷ batch size⌉ (the last batch may be partial). */
  readonly stepsPerEpoch: number;
  /** Steps per epoch × epochs: a step-counted schedule runs t = 0…totalSteps − 1. */
  readonly totalSteps: number;
}

/**
 * The steps each run of the sweep trains, as the trainer batches it: the schedule designer plots
 * this many steps so a schedule sent to the Sweep lab is seen over the steps it will drive.
 */
export function sweepStepCount(
  settings: Pick<SweepSettings, 'trainLimit' | 'validation' | 'batchSize' | 'epochs'>,
): SweepStepCount {
  const trainingImages = settings.trainLimit - Math.round(settings.trainLimit * settings.validation);
  const stepsPerEpoch = Math.ceil(trainingImages / settings.batchSize);
  return { trainingImages, stepsPerEpoch, totalSteps: stepsPerEpoch * settings.epochs };
}
