import { adadeltaRule } from './adadelta.js';
import { adagradRule } from './adagrad.js';
import { adamRule, adamwRule } from './adam.js';
import { localGainsRule } from './local-gains.js';
import type { OptimizerType } from './optimizer-rule-specs.js';
import { rmspropRule } from './rmsprop.js';
import { rpropRule } from './rprop.js';
import { sgdRule } from './sgd.js';
import type { UpdateRule } from './update-rule.js';

export { type OptimizerType, optimizerTypes } from './optimizer-rule-specs.js';

/** Every built-in update rule by type id, in the order help screens list them. */
export const optimizerRules: Readonly<Record<OptimizerType, UpdateRule>> = {
  sgd: sgdRule,
  adagrad: adagradRule,
  rmsprop: rmspropRule,
  adadelta: adadeltaRule,
  adam: adamRule,
  adamw: adamwRule,
  rprop: rpropRule,
  localGains: localGainsRule,
};
