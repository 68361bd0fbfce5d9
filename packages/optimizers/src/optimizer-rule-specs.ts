import { adadeltaSpec } from './adadelta-spec.js';
import { adagradSpec } from './adagrad-spec.js';
import { adamSpec, adamwSpec } from './adam-spec.js';
import { localGainsSpec } from './local-gains-spec.js';
import { rmspropSpec } from './rmsprop-spec.js';
import { rpropSpec } from './rprop-spec.js';
import type { UpdateRuleSpec } from './rule-spec.js';
import { sgdSpec } from './sgd-spec.js';

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

/**
 * Every built-in rule's spec (fields, defaults, checks) by type id, in the order help screens list
 * them: what `optimizerRules` holds without the tensor updates, so it loads no TensorFlow.js.
 */
export const optimizerRuleSpecs: Readonly<Record<OptimizerType, UpdateRuleSpec>> = {
  sgd: sgdSpec,
  adagrad: adagradSpec,
  rmsprop: rmspropSpec,
  adadelta: adadeltaSpec,
  adam: adamSpec,
  adamw: adamwSpec,
  rprop: rpropSpec,
  localGains: localGainsSpec,
};

/** The type ids a spec's `type` may name, in the order help screens list them. */
export const optimizerTypes = Object.keys(optimizerRuleSpecs) as OptimizerType[];
