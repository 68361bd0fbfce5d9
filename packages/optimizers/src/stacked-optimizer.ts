import * as tf from '@tensorflow/tfjs-core';
import { applyUpdateRule } from './apply-rule.js';
import { clamp } from './coefficients.js';
import { ContourOptimizer, type CreateOptimizerOptions } from './create-optimizer.js';
import { OptimizerStateError } from './optimizer-spec-error.js';
import type { OptimizerState, SavedTensor } from './optimizer-state.js';
import { findParameterGroup } from './parameter-groups.js';
import type { Hyperparameters } from './spec-fields.js';
import type { Coefficient, CoefficientOf, StepValues, UpdateRule } from './update-rule.js';

/**
 * One parameter of K models stacked in one variable: model k's values are the k-th of K equal
 * blocks along `modelAxis` (e.g. a first-layer kernel [in, K·out] with axis 1, or stacked kernels
 * [K, in, out] with axis 0).
 */
export interface StackedParameter {
  /** The parameter's name in each model (`hidden1/kernel`): what parameter groups match. */
  readonly name: string;
  readonly variable: tf.Variable;
  readonly modelAxis: number;
  /** One model's shape of this parameter. */
  readonly modelShape: readonly number[];
}

/**
 * Model `model`'s values of a stacked tensor (row-major `values` of `shape`, K blocks along
 * `axis`), in row-major order of the model's own shape.
 */
export function modelSlice(
  values: ArrayLike<number>,
  shape: readonly number[],
  axis: number,
  count: number,
  model: number,
): Float32Array {
  const outer = shape.slice(0, axis).reduce((product, size) => product * size, 1);
  const inner = shape.slice(axis + 1).reduce((product, size) => product * size, 1);
  const block = ((shape[axis] as number) / count) * inner;
  const slice = new Float32Array(outer * block);
  const source = values as Float32Array;
  for (let row = 0; row < outer; row += 1) {
    const start = (row * count + model) * block;
    slice.set(source.subarray(start, start + block), row * block);
  }
  return slice;
}

/** Coefficient tensors kept between steps before the cache is emptied (a schedule changes them every step). */
const maximumCachedLayouts = 64;

/** Models [start, end) that share one rule structure for a parameter, and their slots. */
interface Run {
  readonly start: number;
  readonly end: number;
  /** Frozen by a parameter group: the slices pass through unchanged and get no slots. */
  readonly frozen: boolean;
  readonly rule: UpdateRule;
  /** Updates of this parameter so far (the same for every model of the run). */
  step: number;
  slots: Map<string, tf.Variable> | undefined;
}

/** Per-model values of one step. */
interface ModelStep {
  readonly learningRate: number;
  readonly hyperparameters: Hyperparameters;
}

/**
 * K optimizers (one spec each: any rule, schedule, groups, clipping) updating K models whose
 * parameters are stacked (see {@link StackedParameter}): the vectorised form of
 * {@link ContourOptimizer}, as torch.optim's multi-tensor path is of its single-tensor one. Each
 * rule is the same code as for one model: numbers that differ between models become per-model
 * coefficient tensors, so on the cpu backend every model's parameters and slots are bit-identical
 * to what its own ContourOptimizer would give. Models are partitioned per parameter into runs of
 * consecutive models with the same rule structure (type, booleans and choices, slots, frozen);
 * one run updates the whole variable at once, several update slices that are joined again.
 *
 * Differences from ContourOptimizer, by design: every model steps at every call (no non-finite
 * skips; a stopped model's slices keep taking finite garbage steps that touch no other model),
 * pure schedules only (stateful ones need per-model metrics), and groups are fixed.
 */
export class StackedOptimizer {
  /** One optimizer per model: its spec, schedule, groups and state export. */
  readonly optimizers: readonly ContourOptimizer[];
  readonly parameters: readonly StackedParameter[];
  #runs: Run[][] | undefined;
  /** Per-model coefficient tensors by parameter, run and numbers (see #layoutTensor). */
  readonly #layouts = new Map<string, tf.Tensor>();
  #step = 0;
  #disposed = false;

  constructor(
    specs: readonly unknown[],
    parameters: readonly StackedParameter[],
    options: CreateOptimizerOptions = {},
  ) {
    const optimizers: ContourOptimizer[] = [];
    try {
      for (const spec of specs) optimizers.push(new ContourOptimizer(spec, options));
    } catch (error) {
      for (const optimizer of optimizers) optimizer.dispose();
      throw error;
    }
    this.optimizers = optimizers;
    this.parameters = parameters;
    for (const [index, optimizer] of optimizers.entries()) {
      if (optimizer.schedule.stateful)
        throw new OptimizerStateError(
          `StackedOptimizer: model ${index} uses a stateful schedule (${optimizer.schedule.type})`,
        );
    }
    for (const parameter of parameters) {
      const size = parameter.variable.shape[parameter.modelAxis];
      if (size === undefined || size % optimizers.length !== 0)
        throw new OptimizerStateError(
          `StackedOptimizer: "${parameter.name}" has ${size} entries along axis ${parameter.modelAxis}, not a multiple of ${optimizers.length} models`,
        );
    }
  }

  /** Number of stacked models. */
  get count(): number {
    return this.optimizers.length;
  }

  /** Steps applied so far (every model's schedule t). */
  get step(): number {
    return this.#step;
  }

  /**
   * Applies one step to every model. `gradients[i]` is the gradient of `parameters[i]` (same
   * stacked shape). Order as ContourOptimizer: clipByValue, clipByGlobalNorm (per model), coupled
   * weight decay, the rule.
   */
  applyGradients(gradients: readonly tf.Tensor[]): void {
    if (this.#disposed) throw new OptimizerStateError('StackedOptimizer: already disposed');
    const step = this.#step;
    const models: ModelStep[] = this.optimizers.map((optimizer) => ({
      learningRate: optimizer.learningRateAt(step),
      hyperparameters: optimizer.hyperparametersAt(step),
    }));
    if (this.#runs === undefined) this.#runs = this.#plan(models);
    const runs = this.#runs;
    this.#evictLayouts();
    for (const [index, parameter] of this.parameters.entries())
      for (const run of runs[index] as Run[])
        if (!run.frozen && run.slots === undefined) run.slots = this.#initSlots(parameter, run, models);
    tf.tidy(() => {
      const clipped = this.#clip(gradients, runs);
      this.parameters.forEach((parameter, index) => {
        const parameterRuns = runs[index] as Run[];
        const whole = parameterRuns.length === 1;
        const pieces = parameterRuns.map((run) => {
          const values = whole ? parameter.variable : this.#slice(parameter, parameter.variable, run);
          if (run.frozen) return values;
          const gradient = whole
            ? (clipped[index] as tf.Tensor)
            : this.#slice(parameter, clipped[index] as tf.Tensor, run);
          const slots = run.slots as Map<string, tf.Variable>;
          const hyperparameters = (models[run.start] as ModelStep).hyperparameters;
          const result = applyUpdateRule(run.rule, {
            parameter: values,
            gradient,
            slots: Object.fromEntries(slots),
            hyperparameters,
            step: run.step + 1,
            coefficient: this.#coefficients(parameter, run, models, run.step + 1),
          });
          for (const [name, slot] of slots) {
            const value = result.slots[name];
            if (value !== undefined && value !== slot) slot.assign(value);
          }
          return result.parameter;
        });
        const next = pieces.length === 1 ? (pieces[0] as tf.Tensor) : tf.concat(pieces, parameter.modelAxis);
        if (next !== parameter.variable) parameter.variable.assign(next);
      });
    });
    for (const parameterRuns of runs) for (const run of parameterRuns) if (!run.frozen) run.step += 1;
    this.#step += 1;
  }

  /** Zeroes every slot of the given models (e.g. stopped ones, whose parameters are zeroed too). */
  resetModels(models: readonly number[]): void {
    if (models.length === 0 || this.#runs === undefined) return;
    const runs = this.#runs;
    this.#evictLayouts();
    tf.tidy(() => {
      this.parameters.forEach((parameter, index) => {
        for (const run of runs[index] as Run[]) {
          if (run.slots === undefined) continue;
          const keep = this.#layoutTensor(
            parameter,
            run,
            Array.from({ length: run.end - run.start }, (_, offset) =>
              models.includes(run.start + offset) ? 0 : 1,
            ),
          );
          for (const slot of run.slots.values()) {
            const mask = tf.broadcastTo(tf.cast(keep, 'bool'), slot.shape);
            slot.assign(tf.where(mask, slot, tf.zerosLike(slot)));
          }
        }
      });
    });
  }

  /**
   * Model `model`'s whole optimizer state, as its own ContourOptimizer would export it after the
   * same steps: importing it into `createOptimizer(spec)` continues that model exactly.
   */
  exportState(model: number): OptimizerState {
    return this.exportStates([model])[0] as OptimizerState;
  }

  /** {@link exportState} of several models, reading each slot back once. */
  exportStates(models: readonly number[]): OptimizerState[] {
    const runs = this.#runs;
    const slotValues = new Map<tf.Variable, Float32Array>();
    const read = (slot: tf.Variable) => {
      let values = slotValues.get(slot);
      if (values === undefined) {
        values = slot.dataSync() as Float32Array;
        slotValues.set(slot, values);
      }
      return values;
    };
    return models.map((model) => {
      const base = (this.optimizers[model] as ContourOptimizer).exportState();
      const parameters: Record<string, { step: number; slots: Record<string, SavedTensor> }> = {};
      if (runs !== undefined)
        this.parameters.forEach((parameter, index) => {
          const run = (runs[index] as Run[]).find((item) => model >= item.start && model < item.end);
          if (run === undefined || run.frozen || run.slots === undefined) return;
          const slots: Record<string, SavedTensor> = {};
          for (const [name, slot] of run.slots)
            slots[name] = {
              shape: [...parameter.modelShape],
              dtype: 'float32',
              values: Array.from(
                modelSlice(
                  read(slot),
                  slot.shape,
                  parameter.modelAxis,
                  run.end - run.start,
                  model - run.start,
                ),
              ),
            };
          parameters[parameter.name] = { step: run.step, slots };
        });
      return { ...base, step: this.#step, parameters };
    });
  }

  /**
   * Continues each model from a state {@link exportStates} (or its own ContourOptimizer) exported:
   * `states[k]` for model k, all at the same step, before this optimizer's first step. Used to
   * rebuild a smaller stack of the models still training; their next steps are bit-identical on
   * the cpu backend to those of the stack they came from.
   */
  importStates(states: readonly OptimizerState[]): void {
    if (this.#disposed) throw new OptimizerStateError('StackedOptimizer: already disposed');
    if (this.#runs !== undefined)
      throw new OptimizerStateError('StackedOptimizer: importStates after a step');
    if (states.length !== this.count)
      throw new OptimizerStateError(
        `StackedOptimizer: ${states.length} states for ${this.count} models (one per model)`,
      );
    const step = (states[0] as OptimizerState).step;
    for (const [model, state] of states.entries()) {
      const optimizer = this.optimizers[model] as ContourOptimizer;
      if (state.type !== optimizer.type)
        throw new OptimizerStateError(
          `StackedOptimizer: state ${model} is of a ${state.type} optimizer, model ${model} uses ${optimizer.type}`,
        );
      if (state.step !== step)
        throw new OptimizerStateError(
          `StackedOptimizer: state ${model} is at step ${state.step}, state 0 at step ${step} (all must match)`,
        );
    }
    if (step === 0) return;
    const models: ModelStep[] = this.optimizers.map((optimizer) => ({
      learningRate: optimizer.learningRateAt(step),
      hyperparameters: optimizer.hyperparametersAt(step),
    }));
    const runs = this.#plan(models);
    this.parameters.forEach((parameter, index) => {
      const axis = parameter.modelAxis;
      const shape = parameter.variable.shape;
      const outer = shape.slice(0, axis).reduce((product, size) => product * size, 1);
      const inner = shape.slice(axis + 1).reduce((product, size) => product * size, 1);
      const modelSize = (shape[axis] as number) / this.count;
      const block = modelSize * inner;
      for (const run of runs[index] as Run[]) {
        if (run.frozen) continue;
        const size = run.end - run.start;
        const saved = (model: number) => (states[model] as OptimizerState).parameters[parameter.name];
        const first = saved(run.start);
        if (first === undefined) continue;
        run.step = first.step;
        const slots = new Map<string, tf.Variable>();
        for (const name of Object.keys(first.slots)) {
          const values = new Float32Array(outer * size * block);
          for (let offset = 0; offset < size; offset += 1) {
            const slot = saved(run.start + offset)?.slots[name];
            if (slot === undefined)
              throw new OptimizerStateError(
                `StackedOptimizer: state ${run.start + offset} has no "${name}" slot for "${parameter.name}"`,
              );
            const data =
              slot instanceof tf.Tensor ? (slot.dataSync() as Float32Array) : Float32Array.from(slot.values);
            for (let row = 0; row < outer; row += 1)
              values.set(data.subarray(row * block, (row + 1) * block), (row * size + offset) * block);
          }
          const slotShape = shape.map((length, dimension) =>
            dimension === axis ? size * modelSize : length,
          );
          const tensor = tf.tensor(values, slotShape, 'float32');
          slots.set(name, tf.variable(tensor, false));
          tensor.dispose();
        }
        run.slots = slots;
      }
    });
    this.#runs = runs;
    this.#step = step;
  }

  /** Frees every slot and the per-model optimizers (not the parameters). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    tf.dispose([...this.#layouts.values()]);
    this.#layouts.clear();
    for (const parameterRuns of this.#runs ?? [])
      for (const run of parameterRuns) for (const slot of run.slots?.values() ?? []) slot.dispose();
    for (const optimizer of this.optimizers) optimizer.dispose();
  }

  /** Partitions the models of every parameter into runs of one rule structure. */
  #plan(models: readonly ModelStep[]): Run[][] {
    return this.parameters.map((parameter) => {
      const runs: Run[] = [];
      let previous: string | undefined;
      this.optimizers.forEach((optimizer, model) => {
        const signature = this.#signature(parameter, optimizer, models[model] as ModelStep);
        const last = runs.at(-1);
        if (last !== undefined && signature === previous) {
          runs[runs.length - 1] = { ...last, end: model + 1 };
        } else {
          runs.push({
            start: model,
            end: model + 1,
            frozen: findParameterGroup(optimizer.groups, parameter.name)?.frozen === true,
            rule: optimizer.rule,
            step: 0,
            slots: undefined,
          });
        }
        previous = signature;
      });
      return runs;
    });
  }

  /** What models must share to be updated together: rule type, non-numbers, slot names, frozen. */
  #signature(parameter: StackedParameter, optimizer: ContourOptimizer, model: ModelStep): string {
    const structure = Object.entries(optimizer.hyperparameters).filter(
      ([, value]) => typeof value !== 'number',
    );
    const frozen = findParameterGroup(optimizer.groups, parameter.name)?.frozen === true;
    const values: StepValues = {
      hyperparameters: optimizer.hyperparameters,
      learningRate: model.learningRate,
      weightDecay: optimizer.weightDecayOf(parameter.name),
      step: 1,
    };
    let slotNames: string[] = [];
    tf.tidy(() => {
      slotNames = Object.keys(
        optimizer.rule.initSlots({
          parameter: tf.zeros([1]),
          hyperparameters: optimizer.hyperparameters,
          momentumIsCycled: optimizer.schedule.cyclesMomentum,
          coefficient: (compute) => compute(values),
        }),
      );
    });
    return JSON.stringify([optimizer.type, structure, slotNames, frozen]);
  }

  #initSlots(parameter: StackedParameter, run: Run, models: readonly ModelStep[]): Map<string, tf.Variable> {
    const first = this.optimizers[run.start] as ContourOptimizer;
    const initial = tf.tidy(() =>
      run.rule.initSlots({
        parameter: this.#slice(parameter, parameter.variable, run),
        hyperparameters: first.hyperparameters,
        momentumIsCycled: first.schedule.cyclesMomentum,
        // Slots start from the spec's hyperparameters and the first step's rate (as one model's).
        coefficient: this.#coefficients(parameter, run, models, 1, true),
      }),
    );
    const slots = new Map<string, tf.Variable>();
    for (const [name, tensor] of Object.entries(initial)) {
      slots.set(name, tf.variable(tensor, false));
      tensor.dispose();
    }
    return slots;
  }

  /** Per-model coefficients of one run for one parameter. */
  #coefficients(
    parameter: StackedParameter,
    run: Run,
    models: readonly ModelStep[],
    step: number,
    specHyperparameters = false,
  ): CoefficientOf {
    const values: StepValues[] = [];
    for (let model = run.start; model < run.end; model += 1) {
      const optimizer = this.optimizers[model] as ContourOptimizer;
      const group = findParameterGroup(optimizer.groups, parameter.name);
      const modelStep = models[model] as ModelStep;
      values.push({
        hyperparameters: specHyperparameters ? optimizer.hyperparameters : modelStep.hyperparameters,
        learningRate: modelStep.learningRate * (group?.learningRateMultiplier ?? 1),
        weightDecay: optimizer.weightDecayOf(parameter.name),
        step,
      });
    }
    return (compute) => {
      const numbers = values.map(compute);
      const first = numbers[0] as number;
      if (numbers.every((value) => value === first)) return first;
      return this.#layoutTensor(parameter, run, numbers);
    };
  }

  /**
   * A tensor broadcasting each model's number over its slice of the run's part of `parameter`,
   * kept between steps (a constant rate would otherwise be uploaded again at every step): the
   * cache is emptied between steps once it outgrows {@link maximumCachedLayouts} (never during one,
   * while a rule may still use what it returned).
   */
  #layoutTensor(parameter: StackedParameter, run: Run, numbers: readonly number[]): tf.Tensor {
    const key = `${parameter.name}|${run.start}|${run.end}|${numbers.join(',')}`;
    const cached = this.#layouts.get(key);
    if (cached !== undefined) return cached;
    const tensor = tf.keep(this.#makeLayoutTensor(parameter, run, numbers));
    this.#layouts.set(key, tensor);
    return tensor;
  }

  #evictLayouts(): void {
    if (this.#layouts.size < maximumCachedLayouts) return;
    tf.dispose([...this.#layouts.values()]);
    this.#layouts.clear();
  }

  #makeLayoutTensor(parameter: StackedParameter, run: Run, numbers: readonly number[]): tf.Tensor {
    const count = run.end - run.start;
    const axis = parameter.modelAxis;
    const block = (parameter.variable.shape[axis] as number) / this.count;
    const values = new Float32Array(count * block);
    for (const [offset, value] of numbers.entries()) values.fill(value, offset * block, (offset + 1) * block);
    const shape = parameter.variable.shape.map((_, index) => (index === axis ? count * block : 1));
    return tf.tensor(values, shape, 'float32');
  }

  /** The run's models' part of a stacked tensor (the whole tensor for a run of every model). */
  #slice(parameter: StackedParameter, values: tf.Tensor, run: Run): tf.Tensor {
    if (run.start === 0 && run.end === this.count) return values;
    const axis = parameter.modelAxis;
    const block = (parameter.variable.shape[axis] as number) / this.count;
    const begin = values.shape.map((_, index) => (index === axis ? run.start * block : 0));
    const size = values.shape.map((size, index) => (index === axis ? (run.end - run.start) * block : size));
    return tf.slice(values, begin, size);
  }

  /** clipByValue and clipByGlobalNorm per model, as ContourOptimizer does for one. */
  #clip(gradients: readonly tf.Tensor[], runs: readonly Run[][]): tf.Tensor[] {
    let clipped = [...gradients];
    const whole: Run = {
      start: 0,
      end: this.count,
      frozen: false,
      rule: (this.optimizers[0] as ContourOptimizer).rule,
      step: 0,
      slots: undefined,
    };
    const limits = this.optimizers.map((optimizer) => optimizer.clipValue ?? Number.POSITIVE_INFINITY);
    if (limits.some(Number.isFinite)) {
      clipped = clipped.map((gradient, index) => {
        const parameter = this.parameters[index] as StackedParameter;
        const limit = this.#uniformOrTensor(parameter, whole, limits);
        return clamp(gradient, typeof limit === 'number' ? -limit : tf.neg(limit), limit);
      });
    }
    const maximumNorms = this.optimizers.map(
      (optimizer) => optimizer.clipGlobalNorm ?? Number.POSITIVE_INFINITY,
    );
    if (maximumNorms.some(Number.isFinite) && clipped.length > 0) {
      // Σ‖g‖² per model over its unfrozen parameters (frozen ones add 0, as leaving them out does).
      const squares = clipped.map((gradient, index) => {
        const parameter = this.parameters[index] as StackedParameter;
        const sums = tf.sum(tf.square(this.#byModel(parameter, gradient)), [0, 2]);
        const unfrozen = this.optimizers.map((_, model) =>
          (runs[index] as Run[]).some((run) => run.frozen && model >= run.start && model < run.end) ? 0 : 1,
        );
        return unfrozen.every((flag) => flag === 1) ? sums : tf.mul(sums, tf.tensor1d(unfrozen));
      });
      const norm = tf.sqrt(squares.length === 1 ? (squares[0] as tf.Tensor) : tf.addN(squares));
      const factor = tf.minimum(tf.div(tf.tensor1d(maximumNorms), tf.add(norm, 1e-6)), 1);
      clipped = clipped.map((gradient, index) => {
        const parameter = this.parameters[index] as StackedParameter;
        return tf.reshape(
          tf.mul(this.#byModel(parameter, gradient), tf.reshape(factor, [1, this.count, 1])),
          gradient.shape,
        );
      });
    }
    return clipped;
  }

  /** A stacked tensor viewed as [outer, K, rest]: model k's values are [:, k, :] in row-major order. */
  #byModel(parameter: StackedParameter, values: tf.Tensor): tf.Tensor3D {
    const axis = parameter.modelAxis;
    const outer = values.shape.slice(0, axis).reduce((product, size) => product * size, 1);
    return tf.reshape(values, [outer, this.count, -1]);
  }

  #uniformOrTensor(parameter: StackedParameter, run: Run, numbers: readonly number[]): Coefficient {
    const first = numbers[0] as number;
    return numbers.every((value) => value === first) ? first : this.#layoutTensor(parameter, run, numbers);
  }
}
