import { builtInSchedules } from './built-ins/index.js';
import { type SchedulePlugin, ScheduleRegistry } from './registry.js';
import type { BuiltInScheduleOptions, ScheduleSpec } from './specs.js';
import type { Schedule, ScheduleUnit } from './types.js';

/** Options of `createScheduleRegistry`. */
export interface ScheduleRegistryOptions {
  /** Plugins to register, in order (their ids must not clash). */
  readonly plugins?: readonly SchedulePlugin[];
}

/** A registry with every built-in type and the given plugins. */
export function createScheduleRegistry(options: ScheduleRegistryOptions = {}): ScheduleRegistry {
  const registry = new ScheduleRegistry(builtInSchedules);
  for (const plugin of options.plugins ?? []) registry.use(plugin);
  return registry;
}

const defaultRegistry = createScheduleRegistry();
const registeredPlugins = new WeakSet<SchedulePlugin>();

/**
 * Registers a plugin's types for every schedule this program builds without a `registry` of its
 * own: `createSchedule`, `createScheduleFromJson`, `toSchedule`, and so an optimizer's `lr` spec
 * and the runs `@contour/core` and `@contour/runs` train (what the CLI's `--plugin` does, and a
 * worker process does with the plugins a run's config names). Like Keras'
 * `register_keras_serializable`, it is process-wide; registries made with `createScheduleRegistry`
 * are not affected. Registering the same plugin object again does nothing.
 *
 * @example registerSchedulePlugin(acme); createScheduleFromJson({ type: 'acme:warmSine', lr: 0.1, steps: 50 })
 * @throws SchedulePluginError when the plugin is malformed, another plugin of its name is
 *   registered, or one of its ids clashes.
 */
export function registerSchedulePlugin(plugin: SchedulePlugin): void {
  if (registeredPlugins.has(plugin)) return;
  defaultRegistry.use(plugin);
  registeredPlugins.add(plugin);
}

/**
 * Builds a schedule from a typed spec (built-in types, or plugin types declared in
 * `PluginScheduleOptions` when `registry` has their plugin). Throws ScheduleSpecError naming the
 * offending field; UnknownScheduleTypeError lists known types.
 *
 * @example createSchedule({ type: 'step', lr: 0.1, stepSize: 30 }).value(30) // 0.01
 */
export function createSchedule(
  spec: ScheduleSpec,
  options: { readonly registry?: ScheduleRegistry } = {},
): Schedule {
  return (options.registry ?? defaultRegistry).create(spec);
}

/**
 * Builds a schedule from JSON read at run time (a file, a command-line flag, a form): any value,
 * validated exactly as `createSchedule` validates a typed spec.
 *
 * @example createScheduleFromJson(JSON.parse('{"type": "cosine", "lr": 0.1, "tMax": 100}'))
 */
export function createScheduleFromJson(
  json: unknown,
  options: { readonly registry?: ScheduleRegistry } = {},
): Schedule {
  return (options.registry ?? defaultRegistry).create(json);
}

/**
 * Accepts what optimizers accept as a learning rate: a number (a constant schedule), a spec, or a
 * schedule already built.
 */
export function toSchedule(
  learningRate: number | Schedule | ScheduleSpec,
  options: { readonly registry?: ScheduleRegistry } = {},
): Schedule {
  if (typeof learningRate === 'number')
    return createSchedule({ type: 'constant', lr: learningRate }, options);
  if (isSchedule(learningRate)) return learningRate;
  return createSchedule(learningRate, options);
}

/** True for objects built by a registry (they have `value` and a normalised `spec`). */
export function isSchedule(value: unknown): value is Schedule {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Schedule).value === 'function' &&
    typeof (value as Schedule).spec === 'object'
  );
}

/** The first `count` rates, t = 0..count−1 (what `contour schedule --json` prints). */
export function sampleSchedule(schedule: Schedule, count: number): number[] {
  return Array.from({ length: count }, (_, t) => schedule.value(t));
}

type Factory<Type extends keyof BuiltInScheduleOptions> = (
  options: BuiltInScheduleOptions[Type] & { unit?: ScheduleUnit },
) => Schedule;

function factory<Type extends keyof BuiltInScheduleOptions>(type: Type): Factory<Type> {
  return (options) => createSchedule({ ...options, type } as ScheduleSpec);
}

/** η(t) = lr. */
export const constant = factory('constant');
/** PyTorch StepLR: lr·gamma^⌊t/stepSize⌋ (gamma 0.1). */
export const step = factory('step');
/** PyTorch MultiStepLR: lr·gamma^(milestones ≤ t) (gamma 0.1). */
export const multiStep = factory('multiStep');
/** PyTorch ConstantLR: lr·factor for t < totalIters (factor 1/3, totalIters 5). */
export const constantFactor = factory('constantFactor');
/** PyTorch LinearLR: lr·(s + (e − s)·min(T, t)/T) (1/3 → 1 over 5). */
export const linear = factory('linear');
/** PyTorch ExponentialLR: lr·gamma^t. */
export const exponential = factory('exponential');
/** PyTorch PolynomialLR: lr·(1 − min(T, t)/T)^power (T 5, power 1). */
export const polynomial = factory('polynomial');
/** PyTorch CosineAnnealingLR: etaMin + (lr − etaMin)(1 + cos(πt/tMax))/2. */
export const cosine = factory('cosine');
/** PyTorch CosineAnnealingWarmRestarts (SGDR). */
export const cosineWarmRestarts = factory('cosineWarmRestarts');
/** PyTorch CyclicLR (triangular, triangular2, expRange), momentum cycled 0.9 ↔ 0.8. */
export const cyclic = factory('cyclic');
/** PyTorch OneCycleLR (pctStart 0.3, cos, divFactor 25, finalDivFactor 1e4), momentum 0.95 ↔ 0.85. */
export const oneCycle = factory('oneCycle');
/** Keras ExponentialDecay. */
export const exponentialDecay = factory('exponentialDecay');
/** Keras InverseTimeDecay. */
export const inverseTimeDecay = factory('inverseTimeDecay');
/** Keras PolynomialDecay (endLr 1e-4, power 1). */
export const polynomialDecay = factory('polynomialDecay');
/** Keras PiecewiseConstantDecay (switches after each boundary). */
export const piecewiseConstant = factory('piecewiseConstant');
/** Keras CosineDecay with optional warmup. */
export const cosineDecay = factory('cosineDecay');
/** Keras CosineDecayRestarts (tMul 2, mMul 1). */
export const cosineDecayRestarts = factory('cosineDecayRestarts');
/** Caffe lr_policy. */
export const caffe = factory('caffe');
/** PyTorch ReduceLROnPlateau (stateful: feed metrics with `observe`). */
export const reduceOnPlateau = factory('reduceOnPlateau');
/** Linear warmup, then the wrapped schedule. */
export const warmup = factory('warmup');
/** PyTorch SequentialLR. */
export const sequential = factory('sequential');
/** PyTorch ChainedScheduler. */
export const chain = factory('chain');
/** A formula in t. */
export const expr = factory('expr');
