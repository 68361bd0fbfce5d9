import type { ScheduleDefinition } from '../types.js';
import { caffeSchedule } from './caffe.js';
import { chainSchedule, sequentialSchedule, warmupSchedule } from './combinators.js';
import { expressionSchedule } from './expression.js';
import {
  cosineDecayRestartsSchedule,
  cosineDecaySchedule,
  exponentialDecaySchedule,
  inverseTimeDecaySchedule,
  piecewiseConstantSchedule,
  polynomialDecaySchedule,
} from './keras.js';
import { reduceOnPlateauSchedule } from './plateau.js';
import {
  constantFactorSchedule,
  constantSchedule,
  cosineSchedule,
  cosineWarmRestartsSchedule,
  cyclicSchedule,
  exponentialSchedule,
  linearSchedule,
  multiStepSchedule,
  oneCycleSchedule,
  polynomialSchedule,
  stepSchedule,
} from './pytorch.js';

/** Every built-in schedule definition by type id. */
export const builtInSchedules = {
  constant: constantSchedule,
  step: stepSchedule,
  multiStep: multiStepSchedule,
  constantFactor: constantFactorSchedule,
  linear: linearSchedule,
  exponential: exponentialSchedule,
  polynomial: polynomialSchedule,
  cosine: cosineSchedule,
  cosineWarmRestarts: cosineWarmRestartsSchedule,
  cyclic: cyclicSchedule,
  oneCycle: oneCycleSchedule,
  exponentialDecay: exponentialDecaySchedule,
  inverseTimeDecay: inverseTimeDecaySchedule,
  polynomialDecay: polynomialDecaySchedule,
  piecewiseConstant: piecewiseConstantSchedule,
  cosineDecay: cosineDecaySchedule,
  cosineDecayRestarts: cosineDecayRestartsSchedule,
  caffe: caffeSchedule,
  reduceOnPlateau: reduceOnPlateauSchedule,
  warmup: warmupSchedule,
  sequential: sequentialSchedule,
  chain: chainSchedule,
  expr: expressionSchedule,
} as const satisfies Record<string, ScheduleDefinition>;

/** The id of a built-in schedule type. */
export type BuiltInScheduleType = keyof typeof builtInSchedules;
