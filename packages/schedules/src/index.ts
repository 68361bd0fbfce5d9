/**
 * @contour/schedules — every learning-rate schedule PyTorch, Keras, optax and Caffe users know, as
 * pure functions of the 0-based step t, built from JSON specs, composable and pluggable.
 *
 * @packageDocumentation
 */
export { type BuiltInScheduleType, builtInSchedules } from './built-ins/index.js';
export type { PlateauState } from './built-ins/plateau.js';
export {
  caffe,
  chain,
  constant,
  constantFactor,
  cosine,
  cosineDecay,
  cosineDecayRestarts,
  cosineWarmRestarts,
  createSchedule,
  createScheduleFromJson,
  createScheduleRegistry,
  cyclic,
  exponential,
  exponentialDecay,
  expr,
  inverseTimeDecay,
  isSchedule,
  linear,
  multiStep,
  oneCycle,
  piecewiseConstant,
  polynomial,
  polynomialDecay,
  reduceOnPlateau,
  registerSchedulePlugin,
  type ScheduleRegistryOptions,
  sampleSchedule,
  sequential,
  step,
  toSchedule,
  warmup,
} from './create-schedule.js';
export {
  describeValue,
  SchedulePluginError,
  ScheduleSpecError,
  ScheduleValueError,
  UnknownScheduleTypeError,
} from './errors.js';
export { describeParameter } from './parameters.js';
export {
  defineSchedulePlugin,
  type SchedulePlugin,
  ScheduleRegistry,
  type ScheduleTypeInfo,
} from './registry.js';
export type {
  BuiltInScheduleOptions,
  BuiltInScheduleSpec,
  MemberSpec,
  PluginScheduleOptions,
  ScheduleOptions,
  ScheduleSpec,
  ScheduleSpecOf,
  ScheduleType,
} from './specs.js';
export type {
  BooleanParameter,
  ChoiceParameter,
  JsonValue,
  NumberListParameter,
  NumberParameter,
  ParameterDescriptor,
  ParameterDescriptors,
  ResolvedParameters,
  Schedule,
  ScheduleBehaviour,
  ScheduleContext,
  ScheduleDefinition,
  ScheduleListParameter,
  ScheduleParameter,
  ScheduleStateHandlers,
  ScheduleUnit,
  StringParameter,
} from './types.js';
