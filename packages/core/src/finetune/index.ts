export {
  type FinetuneOptions,
  finetune,
  finetuneTrainingConfig,
  type TransferVariant,
  type TransferVariantName,
  transferVariants,
} from './finetune.js';
// The settings (finetune-settings.ts) are exported through ../config.js: they load no tfjs.
export { type TransferModelOptions, transferModel } from './transfer-model.js';
