import type { OptimizerSpec } from '@contour/optimizers';
import { LayersModelAdapter, withOutputUnits } from '../model/layers-model-adapter.js';
import type { Model } from '../model/model.js';
import type { TrainableModel } from '../model/trainable-model.js';
import { type TrainingResult, type TrainOptions, train } from '../training/trainer.js';
import type { TrainingConfig } from '../training/training-config.js';
import { type FinetuneSettings, finetuneGroups, finetuneOptimizerSpec } from './finetune-settings.js';
import { transferModel } from './transfer-model.js';

/** Options of {@link finetune}: the trainer's options plus the pretrained model and the settings. */
export interface FinetuneOptions extends Omit<TrainOptions, 'initialModel' | 'groupsAtEpoch' | 'resumeFrom'> {
  /**
   * The pretrained model (left unchanged): its hidden layers are copied, its head replaced (a
   * model.json model's output layer, resized to the new task's classes).
   */
  readonly source: TrainableModel;
  readonly settings: FinetuneSettings;
}

/**
 * The training config a fine-tuning run really uses: the source model's architecture and the
 * optimizer spec with the settings' groups (see {@link finetuneOptimizerSpec}).
 */
export function finetuneTrainingConfig(
  config: TrainingConfig,
  source: TrainableModel,
  settings: FinetuneSettings,
  outputSize?: number,
): TrainingConfig {
  const layerNames = source.layers.map((layer) => layer.name);
  return {
    ...config,
    model: outputSize === undefined ? source.spec : withOutputUnits(source.spec, outputSize),
    optimizer: finetuneOptimizerSpec(config.optimizer, settings, layerNames),
  };
}

/**
 * Fine-tunes a pretrained model on a new task: {@link transferModel} (hidden layers copied, a new
 * head sized for `dataset.classCount`, seeded by `config.seed`), then the trainer with per-layer
 * groups (lrMult, frozen layers, discriminative rates) and, for gradual unfreezing, groups that
 * change at each epoch's start. Returns the trainer's result (its model is the fine-tuned one).
 */
export async function finetune(config: TrainingConfig, options: FinetuneOptions): Promise<TrainingResult> {
  const { source, settings, ...trainOptions } = options;
  const outputSize = options.dataset.classCount;
  const model =
    source instanceof LayersModelAdapter
      ? await source.transfer(outputSize, config.seed)
      : transferModel(source as Model, { outputSize, seed: config.seed });
  const layerNames = model.layers.map((layer) => layer.name);
  const resolved = finetuneTrainingConfig(config, source, settings, outputSize);
  try {
    return await train(resolved, {
      ...trainOptions,
      initialModel: model,
      ...(settings.gradualUnfreeze
        ? { groupsAtEpoch: (epoch: number) => finetuneGroups(settings, layerNames, epoch) }
        : {}),
    });
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** The runs of a transfer-learning comparison. */
export type TransferVariantName = 'boosted-head' | 'global-rate' | 'scratch';

/** One run of a comparison: fine-tune (with settings) or train from scratch. */
export interface TransferVariant {
  readonly name: TransferVariantName;
  /** Legend label, e.g. "fine-tune, head ×10". */
  readonly label: string;
  /** Fine-tuning settings; undefined for the run from scratch. */
  readonly settings?: FinetuneSettings;
  readonly optimizer: OptimizerSpec;
}

function describeSettings(settings: FinetuneSettings): string {
  const parts = Object.entries(settings.learningRateMultipliers ?? {}).map(
    ([layer, value]) => `${layer} ×${value}`,
  );
  if (settings.freeze?.length) parts.push(`frozen ${settings.freeze.join(',')}`);
  if (settings.freezeUntil) parts.push(`frozen to hidden${settings.freezeUntil}`);
  if (settings.gradualUnfreeze) parts.push('gradual unfreezing');
  if (settings.discriminative) parts.push(`slice(${settings.discriminative.join(', ')})`);
  return parts.join(', ');
}

/**
 * The three runs of `finetune --compare`: fine-tuning with the given settings (lrMult `head: 10`
 * when they set no multiplier: Caffe's rule of thumb), fine-tuning with one global rate (no groups),
 * and training from scratch with `scratchOptimizer` (by default the pretraining's spec: the rate
 * that trains this network from scratch).
 */
export function transferVariants(
  optimizer: OptimizerSpec,
  settings: FinetuneSettings,
  scratchOptimizer: OptimizerSpec,
): TransferVariant[] {
  const boosted: FinetuneSettings =
    Object.keys(settings.learningRateMultipliers ?? {}).length > 0 || settings.discriminative
      ? settings
      : { ...settings, learningRateMultipliers: { head: 10 } };
  const rate = (spec: OptimizerSpec) => (typeof spec.lr === 'number' ? `lr ${spec.lr}` : 'scheduled lr');
  return [
    { name: 'boosted-head', label: `fine-tune, ${describeSettings(boosted)}`, settings: boosted, optimizer },
    { name: 'global-rate', label: `fine-tune, one rate (${rate(optimizer)})`, settings: {}, optimizer },
    { name: 'scratch', label: `from scratch (${rate(scratchOptimizer)})`, optimizer: scratchOptimizer },
  ];
}
