import { type OptimizerSpec, validateOptimizerSpec } from '@contour/optimizers/spec';
import { CoreSpecError } from '../core-spec-error.js';
import { type ModelSpec, parseModelSpec } from '../model/model-spec.js';

/** Which objective training minimises. */
export type LossName = 'cross-entropy' | 'mse';

/** Early stopping on validation cross entropy (Keras EarlyStopping semantics: wait ≥ patience). */
export interface EarlyStoppingConfig {
  /** Epochs without improvement before stopping. */
  readonly patience: number;
  /** Smallest decrease that counts as an improvement (absolute); default 0. */
  readonly minDelta: number;
  /** Put back the best epoch's weights when stopping or finishing; default true. */
  readonly restoreBestWeights: boolean;
}

/**
 * Everything a training run needs besides its data: model, optimizer spec (rate or schedule
 * inside), objective, epochs, batch size, seed and the stop rules.
 */
export interface TrainingConfig {
  readonly model: ModelSpec;
  readonly optimizer: OptimizerSpec;
  readonly loss: LossName;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly earlyStopping?: EarlyStoppingConfig;
  /**
   * The run is declared diverged when an epoch's mean training loss exceeds this factor times the
   * best epoch mean so far (besides any non-finite loss, which stops it at once); default 1000.
   */
  readonly divergenceFactor: number;
  /** Evaluate the test split each epoch too; default false. */
  readonly evaluateTest: boolean;
}

function positiveInteger(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new CoreSpecError(field, 'an integer ≥ 1', value);
  }
  return value;
}

/**
 * Validates a (possibly partial, JSON) training config and fills defaults: linear model, SGD at
 * 0.1, cross entropy, 10 epochs, batch 64, seed 0, divergence factor 1000. Throws CoreSpecError
 * naming the field.
 */
export function resolveTrainingConfig(input: Partial<Record<keyof TrainingConfig, unknown>>): TrainingConfig {
  const known = new Set([
    'model',
    'optimizer',
    'loss',
    'epochs',
    'batchSize',
    'seed',
    'earlyStopping',
    'divergenceFactor',
    'evaluateTest',
  ]);
  for (const key of Object.keys(input)) {
    if (!known.has(key))
      throw new CoreSpecError(
        key,
        `absent (known: ${[...known].join(', ')})`,
        (input as Record<string, unknown>)[key],
      );
  }
  const model = parseModelSpec((input.model as string | Partial<ModelSpec> | undefined) ?? 'linear');
  const optimizer = (input.optimizer ?? { type: 'sgd', lr: 0.1 }) as OptimizerSpec;
  if (typeof optimizer !== 'object' || optimizer === null || typeof optimizer.type !== 'string') {
    throw new CoreSpecError('optimizer', 'an optimizer spec like {"type":"sgd","lr":0.1}', optimizer);
  }
  // Check it now so a bad spec (or schedule inside it) fails naming its field, not mid-run; without
  // building an optimizer, so resolving a config loads no TensorFlow.js.
  validateOptimizerSpec(optimizer, { stepsPerEpoch: 1 });
  const loss = input.loss ?? 'cross-entropy';
  if (loss !== 'cross-entropy' && loss !== 'mse')
    throw new CoreSpecError('loss', '"cross-entropy" or "mse"', loss);
  const seed = input.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0)
    throw new CoreSpecError('seed', 'an integer ≥ 0', seed);
  const divergenceFactor = input.divergenceFactor ?? 1000;
  if (typeof divergenceFactor !== 'number' || !(divergenceFactor > 1) || !Number.isFinite(divergenceFactor)) {
    throw new CoreSpecError('divergenceFactor', 'a finite number > 1', divergenceFactor);
  }
  const config: { -readonly [K in keyof TrainingConfig]: TrainingConfig[K] } = {
    model,
    optimizer,
    loss,
    epochs: positiveInteger('epochs', input.epochs ?? 10),
    batchSize: positiveInteger('batchSize', input.batchSize ?? 64),
    seed,
    divergenceFactor,
    evaluateTest: input.evaluateTest === true,
  };
  if (input.earlyStopping !== undefined) {
    const early = input.earlyStopping as Partial<EarlyStoppingConfig>;
    if (typeof early !== 'object' || early === null)
      throw new CoreSpecError('earlyStopping', 'an object {patience, minDelta?, restoreBestWeights?}', early);
    const minDelta = early.minDelta ?? 0;
    if (typeof minDelta !== 'number' || !(minDelta >= 0))
      throw new CoreSpecError('earlyStopping.minDelta', 'a number ≥ 0', minDelta);
    config.earlyStopping = {
      patience: positiveInteger('earlyStopping.patience', early.patience),
      minDelta,
      restoreBestWeights: early.restoreBestWeights ?? true,
    };
  }
  return config;
}
