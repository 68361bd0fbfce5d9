import type { JsonValue } from '@contour/schedules';
import * as tf from '@tensorflow/tfjs-core';
import { type ContourOptimizer, createOptimizerFromJson, type StepReport } from './create-optimizer.js';
import { OptimizerStateError } from './optimizer-spec-error.js';
import type { OptimizerState } from './optimizer-state.js';
import { findParameterGroup } from './parameter-groups.js';

/** What `getConfig` saves besides the slots: the spec and every counter (no tensors). */
interface SavedConfig {
  readonly spec: JsonValue;
  readonly state: Omit<OptimizerState, 'parameters'> & {
    readonly parameters: Readonly<
      Record<string, { readonly step: number; readonly slots: readonly string[] }>
    >;
  };
}

/** Saved slots waiting for the model's variables (known at the first step after loading). */
interface PendingParameter {
  readonly step: number;
  readonly slots: Record<string, tf.Tensor>;
}

/**
 * tfjs-layers turns every string in a saved training config from snake_case to camelCase on load
 * (`convertPythonicToTs`), which would corrupt variable names like `dense_Dense1/kernel`: the config
 * is kept as one JSON string whose underscores are written as the JSON escape `\u005f`.
 */
function encodeConfig(config: SavedConfig): string {
  return JSON.stringify(config).replaceAll('_', '\\u005f');
}

function decodeConfig(text: unknown): SavedConfig {
  if (typeof text !== 'string')
    throw new OptimizerStateError(
      'ContourOptimizer config: "contourState" must be the string getConfig() wrote',
    );
  try {
    return JSON.parse(text) as SavedConfig;
  } catch {
    throw new OptimizerStateError('ContourOptimizer config: "contourState" is not valid JSON');
  }
}

/** A variable name without tfjs' uniquifying suffix (`dense_Dense1/kernel_1` → `dense_Dense1/kernel`). */
function canonicalName(name: string): string {
  return name.replace(/_\d+$/, '');
}

/**
 * A `tf.Optimizer` that delegates to a ContourOptimizer, so tfjs-layers `model.compile({ optimizer })`
 * and `model.fit` use Contour's rules, schedules and groups. `minimize` comes from tf.Optimizer
 * (it needs gradients registered, e.g. by importing tfjs-layers). Non-finite steps are skipped as
 * the spec says; `lastReport` holds the report of the latest step.
 *
 * Saving with tfjs-layers (`model.save(handler, { includeOptimizer: true })`, then
 * `tf.loadLayersModel`, once the class is registered with `tf.serialization.registerClass`, as
 * importing `@contour/layers` does): `getConfig` holds the spec and every counter, `getWeights`
 * every slot named `<variable>/<slot>`; `fromConfig` + `setWeights` rebuild the optimizer, and the
 * slots are matched to the model's variables at the first step after loading — by name without
 * tfjs' `_1` suffix (a model reloaded in the same process has renamed variables) and shape. A
 * saved state that does not fit the model (a parameter with no variable, a variable with no saved
 * state, a different shape) throws a one-line OptimizerStateError: never a silent restart.
 */
export class TfOptimizerAdapter extends tf.Optimizer {
  /** Serialization name (tf.Serializable). */
  static className = 'ContourOptimizer';
  /** The report of the latest `applyGradients`, or undefined before the first. */
  lastReport: StepReport | undefined;
  #pending: Map<string, PendingParameter> | undefined;
  #savedParameters: SavedConfig['state']['parameters'] | undefined;

  constructor(readonly optimizer: ContourOptimizer) {
    super();
  }

  /**
   * Rebuilds an adapter from `getConfig()`'s output (tfjs serialization): the optimizer from its
   * spec, with its counters, rate and schedule state; the slots follow through `setWeights`.
   */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const saved = decodeConfig(config.contourState);
    const adapter = new (cls as unknown as new (optimizer: ContourOptimizer) => TfOptimizerAdapter)(
      createOptimizerFromJson(saved.spec),
    );
    adapter.optimizer.importState({ ...saved.state, parameters: {} });
    adapter.iterations_ = saved.state.step;
    const parameters = saved.state.parameters ?? {};
    adapter.#savedParameters = parameters;
    // A rule without slots saves no weights, so `setWeights` is never called: the per-parameter
    // step counts wait here for the model's variables.
    if (Object.keys(parameters).length > 0)
      adapter.#pending = new Map(
        Object.entries(parameters).map(([name, parameter]) => [name, { step: parameter.step, slots: {} }]),
      );
    return adapter as unknown as T;
  }

  override applyGradients(
    variableGradients: tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>,
  ): void {
    if (this.#pending)
      this.importSavedState(
        Array.isArray(variableGradients)
          ? variableGradients.map((entry) => entry.name)
          : Object.keys(variableGradients),
      );
    this.lastReport = this.optimizer.applyGradients(variableGradients);
    this.iterations_ = this.optimizer.step;
  }

  /** The spec and every counter as `{ contourState: <JSON string> }` (slots go through getWeights). */
  override getConfig(): tf.serialization.ConfigDict {
    const { parameters, ...state } = this.optimizer.exportState({ slots: 'tensors' });
    const slotNames: Record<string, { step: number; slots: string[] }> = {};
    for (const [name, parameter] of Object.entries(parameters)) {
      slotNames[name] = { step: parameter.step, slots: Object.keys(parameter.slots) };
      tf.dispose(Object.values(parameter.slots) as tf.Tensor[]);
    }
    for (const [name, parameter] of this.#pending ?? [])
      slotNames[name] = { step: parameter.step, slots: Object.keys(parameter.slots) };
    return {
      contourState: encodeConfig({ spec: this.optimizer.spec, state: { ...state, parameters: slotNames } }),
    };
  }

  /** Every slot as `{ name: '<variable>/<slot>', tensor }` (the slot variables themselves, not copies). */
  override async getWeights(): Promise<Array<{ name: string; tensor: tf.Tensor }>> {
    const weights: Array<{ name: string; tensor: tf.Tensor }> = [];
    const { parameters } = this.optimizer.exportState({ slots: 'tensors' });
    for (const [name, parameter] of Object.entries(parameters)) {
      tf.dispose(Object.values(parameter.slots) as tf.Tensor[]);
      const slots = this.optimizer.slotsOf(name) ?? {};
      for (const [slotName, slot] of Object.entries(slots))
        weights.push({ name: `${name}/${slotName}`, tensor: slot });
    }
    for (const [name, parameter] of this.#pending ?? [])
      for (const [slotName, slot] of Object.entries(parameter.slots))
        weights.push({ name: `${name}/${slotName}`, tensor: slot });
    return weights;
  }

  /**
   * Takes the slots `getWeights` saved (after `fromConfig`); they are copied and matched to the
   * model's variables at the next step.
   *
   * @throws OptimizerStateError when a weight names no saved parameter or slot, or a saved slot is missing.
   */
  override async setWeights(weights: Array<{ name: string; tensor: tf.Tensor }>): Promise<void> {
    const saved = this.#savedParameters;
    if (saved === undefined)
      throw new OptimizerStateError(
        'ContourOptimizer.setWeights: only an optimizer rebuilt by fromConfig (tf.loadLayersModel) takes saved weights; use importState',
      );
    const pending = new Map<string, PendingParameter>();
    for (const [name, parameter] of Object.entries(saved))
      pending.set(name, { step: parameter.step, slots: {} });
    try {
      for (const { name, tensor } of weights) {
        const cut = name.lastIndexOf('/');
        const parameterName = name.slice(0, cut);
        const slotName = name.slice(cut + 1);
        const entry = pending.get(parameterName);
        if (cut < 0 || !entry || !saved[parameterName]?.slots.includes(slotName))
          throw new OptimizerStateError(
            `optimizer state: the saved weight "${name}" is no slot the saved config lists`,
          );
        entry.slots[slotName] = tf.keep(tf.clone(tensor));
      }
      for (const [name, parameter] of Object.entries(saved))
        for (const slotName of parameter.slots)
          if (!(pending.get(name) as PendingParameter).slots[slotName])
            throw new OptimizerStateError(
              `optimizer state: slot "${slotName}" of "${name}" is missing from the saved weights`,
            );
    } catch (error) {
      for (const parameter of pending.values()) tf.dispose(Object.values(parameter.slots));
      throw error;
    }
    this.#disposePending();
    this.#pending = pending;
  }

  override dispose(): void {
    this.#disposePending();
    this.optimizer.dispose();
  }

  /** True after loading until the saved slots are matched to the model's variables (at the first step). */
  get savedStatePending(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * Matches the saved parameters (after `fromConfig`/`setWeights`) to the given trainable variable
   * names and imports their slots and step counts; the first step after loading does this itself.
   * A no-op when nothing is pending.
   *
   * @throws OptimizerStateError when the saved state does not fit these variables (one line).
   */
  importSavedState(variableNames: readonly string[]): void {
    const pending = this.#pending;
    if (!pending) return;
    const names = variableNames.filter((name) => !findParameterGroup(this.optimizer.groups, name)?.frozen);
    const variables = tf.engine().registeredVariables;
    const mapped: Record<string, { step: number; slots: Record<string, tf.Tensor> }> = {};
    const used = new Set<string>();
    for (const [savedName, parameter] of pending) {
      const candidates = names.filter((name) => canonicalName(name) === canonicalName(savedName));
      const target = candidates.includes(savedName)
        ? savedName
        : candidates.length === 1
          ? candidates[0]
          : undefined;
      if (target === undefined)
        throw new OptimizerStateError(
          `optimizer state: the saved parameter "${savedName}" ${candidates.length > 1 ? `matches several variables (${candidates.join(', ')})` : `matches no variable of this model (${names.join(', ')})`}`,
        );
      const variable = variables[target];
      for (const [slotName, slot] of Object.entries(parameter.slots))
        if (variable && slot.shape.join(',') !== variable.shape.join(','))
          throw new OptimizerStateError(
            `optimizer state: slot "${slotName}" of "${savedName}" has shape [${slot.shape.join(', ')}], the variable "${target}" [${variable.shape.join(', ')}]`,
          );
      used.add(target);
      mapped[target] = { step: parameter.step, slots: parameter.slots };
    }
    const unknown = names.filter((name) => !used.has(name));
    if (unknown.length > 0)
      throw new OptimizerStateError(
        `optimizer state: the saved state has nothing for the variables ${unknown.map((name) => `"${name}"`).join(', ')} (it does not fit this model)`,
      );
    const current = this.optimizer.exportState({ slots: 'tensors' });
    try {
      this.optimizer.importState({ ...current, parameters: { ...current.parameters, ...mapped } });
    } finally {
      for (const parameter of Object.values(current.parameters))
        tf.dispose(Object.values(parameter.slots) as tf.Tensor[]);
    }
    this.#disposePending();
    this.#pending = undefined;
    this.#savedParameters = undefined;
  }

  #disposePending(): void {
    for (const parameter of this.#pending?.values() ?? []) tf.dispose(Object.values(parameter.slots));
    this.#pending = undefined;
  }
}

/**
 * Wraps an optimizer as a `tf.Optimizer` for tfjs-layers.
 *
 * @example model.compile({ optimizer: toTfOptimizer(createOptimizer({ type: 'adam' })), loss: 'meanSquaredError' })
 */
export function toTfOptimizer(optimizer: ContourOptimizer): TfOptimizerAdapter {
  return new TfOptimizerAdapter(optimizer);
}
