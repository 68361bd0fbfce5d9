import { adadeltaRule } from './adadelta.js';
import { adagradRule } from './adagrad.js';
import { adamRule, adamwRule } from './adam.js';
import { localGainsRule } from './local-gains.js';
import { rmspropRule } from './rmsprop.js';
import { rpropRule } from './rprop.js';
import { sgdRule } from './sgd.js';
import type { UpdateRule } from './update-rule.js';

/** The optimizer types a spec's `type` may name. */
export type OptimizerType =
  | 'sgd'
  | 'adagrad'
  | 'rmsprop'
  | 'adadelta'
  | 'adam'
  | 'adamw'
  | 'rprop'
  | 'localGains';

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

/** The type ids of `optimizerRules`. */
export const optimizerTypes = Object.keys(optimizerRules) as OptimizerType[];
