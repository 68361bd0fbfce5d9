export {
  type FinetuneOptions,
  finetune,
  finetuneTrainingConfig,
  type TransferVariant,
  type TransferVariantName,
  transferVariants,
} from './finetune.js';
export {
  discriminativeRates,
  type FinetuneSettings,
  finetuneGroups,
  finetuneOptimizerSpec,
  frozenLayersAt,
  validateFinetuneSettings,
} from './finetune-settings.js';
export { type TransferModelOptions, transferModel } from './transfer-model.js';
