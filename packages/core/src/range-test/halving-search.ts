import { createBatcher, type PreparedDataset } from '@contour/mnist-loader';
import { createOptimizer, type OptimizerSpecWithoutRate } from '@contour/optimizers';
import { CoreSpecError } from '../core-spec-error.js';
import { checkBatchSize } from '../data-config.js';
import type { TrainableModel } from '../model/trainable-model.js';
import type { LossName } from '../training/evaluate.js';
import { trainingStep } from './training-step.js';

/** The verdict on one attempt's losses (see {@link judgeHalvingAttempt}). */
export interface HalvingVerdict {
  readonly diverged: boolean;
  /** Loss of the first step (at the starting weights). */
  readonly initialLoss: number;
  /** Mean loss of the last ⌈steps/10⌉ steps run. */
  readonly finalLoss: number;
  /** One line: why it diverged, or how much the loss fell. */
  readonly reason: string;
}

/** One attempt of the halving search. */
export interface HalvingAttempt extends HalvingVerdict {
  readonly learningRate: number;
  /** Steps run (fewer than the budget when a loss stopped being finite). */
  readonly steps: number;
  readonly losses: readonly number[];
}

/** Result of {@link runHalvingSearch}. */
export interface HalvingSearchResult {
  readonly method: 'halving';
  readonly attempts: readonly HalvingAttempt[];
  /** The first rate whose loss did not diverge; undefined when every attempt diverged. */
  readonly learningRate: number | undefined;
  readonly seconds: number;
}

/** Options of {@link runHalvingSearch}. */
export interface HalvingSearchOptions {
  /** Update rule (its `lr` is replaced by each attempt's rate). */
  readonly optimizer: OptimizerSpecWithoutRate;
  /** First rate tried; default 10. */
  readonly startLearningRate?: number;
  /** Each failed attempt multiplies the rate by this; default 0.5 (halving). */
  readonly factor?: number;
  /** Optimizer steps per attempt; default 50. */
  readonly budgetSteps?: number;
  /** Attempts at most; default 20 (10 → ~2e-5). */
  readonly maxAttempts?: number;
  readonly batchSize?: number;
  readonly seed?: number;
  readonly loss?: LossName;
  readonly onAttempt?: (attempt: HalvingAttempt) => void;
}

/**
 * Decides whether an attempt's losses diverged: yes when any loss is NaN/±∞ (NaN compares false,
 * so finiteness is tested explicitly), or when the mean of the last ⌈n/10⌉ losses is not below the
 * first loss (the loss did not fall over the budget). Needs at least one loss.
 */
export function judgeHalvingAttempt(losses: readonly number[]): HalvingVerdict {
  const initialLoss = losses[0] ?? Number.NaN;
  const nonFinite = losses.findIndex((loss) => !Number.isFinite(loss));
  if (nonFinite >= 0) {
    return {
      diverged: true,
      initialLoss,
      finalLoss: losses[nonFinite] as number,
      reason: `loss ${losses[nonFinite]} at step ${nonFinite + 1}`,
    };
  }
  const tail = Math.max(1, Math.ceil(losses.length / 10));
  const finalLoss = losses.slice(-tail).reduce((sum, loss) => sum + loss, 0) / tail;
  const diverged = !(finalLoss < initialLoss);
  return {
    diverged,
    initialLoss,
    finalLoss,
    reason: diverged
      ? `loss did not fall: ${initialLoss.toPrecision(4)} → ${finalLoss.toPrecision(4)} (mean of the last ${tail})`
      : `loss fell ${initialLoss.toPrecision(4)} → ${finalLoss.toPrecision(4)} (mean of the last ${tail})`,
  };
}

/**
 * The classic recipe: "start with a large rate and halve it until the loss no longer diverges".
 * Each attempt starts from the model's current weights and a fresh optimizer at the attempt's
 * rate, trains `budgetSteps` batches (the same seeded batches every attempt), and is judged by
 * {@link judgeHalvingAttempt}; the first attempt that does not diverge ends the search. The model's
 * weights are restored exactly afterwards; every attempt is reported.
 *
 * @throws CoreSpecError naming a bad option.
 */
export async function runHalvingSearch(
  model: TrainableModel,
  dataset: PreparedDataset,
  options: HalvingSearchOptions,
): Promise<HalvingSearchResult> {
  const started = performance.now();
  const startLearningRate = options.startLearningRate ?? 10;
  const factor = options.factor ?? 0.5;
  const budgetSteps = options.budgetSteps ?? 50;
  const maxAttempts = options.maxAttempts ?? 20;
  const batchSize = options.batchSize ?? 64;
  const seed = options.seed ?? 0;
  const loss = options.loss ?? 'cross-entropy';
  if (!(Number.isFinite(startLearningRate) && startLearningRate > 0))
    throw new CoreSpecError('startLearningRate', 'a finite number > 0', startLearningRate);
  if (!(factor > 0 && factor < 1)) throw new CoreSpecError('factor', 'a number in (0, 1)', factor);
  for (const [field, value] of [
    ['budgetSteps', budgetSteps],
    ['maxAttempts', maxAttempts],
  ] as const)
    if (!Number.isInteger(value) || value < 1) throw new CoreSpecError(field, 'an integer ≥ 1', value);
  checkBatchSize(batchSize, dataset);
  const batcher = createBatcher(dataset, { batchSize, seed });
  const savedWeights = model.getWeights();
  const attempts: HalvingAttempt[] = [];
  let found: number | undefined;
  try {
    for (let attempt = 0; attempt < maxAttempts && found === undefined; attempt += 1) {
      const learningRate = startLearningRate * factor ** attempt;
      model.setWeights(savedWeights);
      const optimizer = createOptimizer(
        { ...options.optimizer, lr: learningRate },
        { stepsPerEpoch: batcher.batchCount },
      );
      const losses: number[] = [];
      try {
        budget: for (let epoch = 0; ; epoch += 1) {
          for (const batch of batcher.batches(epoch)) {
            const step = trainingStep(model, optimizer, batch, loss, seed * 7919 + losses.length);
            losses.push(step.report?.status === 'diverged' ? Number.NaN : step.loss);
            if (!Number.isFinite(losses.at(-1) as number) || losses.length >= budgetSteps) break budget;
          }
        }
      } finally {
        optimizer.dispose();
      }
      const result: HalvingAttempt = {
        learningRate,
        steps: losses.length,
        losses,
        ...judgeHalvingAttempt(losses),
      };
      attempts.push(result);
      options.onAttempt?.(result);
      if (!result.diverged) found = learningRate;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } finally {
    model.setWeights(savedWeights);
  }
  return { method: 'halving', attempts, learningRate: found, seconds: (performance.now() - started) / 1000 };
}
