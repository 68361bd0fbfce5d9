import { globToRegExp, type OptimizerSpec, type ParameterGroupSpec } from '@contour/optimizers/spec';
import { CoreSpecError } from '../core-spec-error.js';

/** The digits a model is pretrained on by default, and the ones it is fine-tuned on. */
export const defaultSourceClasses: readonly number[] = [0, 1, 2, 3, 4];
export const defaultTargetClasses: readonly number[] = [5, 6, 7, 8, 9];

/**
 * How to fine-tune: per-layer rate multipliers, frozen layers, gradual unfreezing and
 * discriminative rates. Layers are named `hidden1`, `hidden2`, … (from the input) and `head`.
 */
export interface FinetuneSettings {
  /** Rate multiplier per layer name or glob, Caffe's `lr_mult` (e.g. `{ head: 10 }`). */
  readonly learningRateMultipliers?: Readonly<Record<string, number>>;
  /** Layers (names or globs) never updated. */
  readonly freeze?: readonly string[];
  /** Freeze `hidden1` … `hiddenN` (fastai `freeze_to(N)`: the first N layer groups). */
  readonly freezeUntil?: number;
  /**
   * ULMFiT's gradual unfreezing: epoch 1 trains the head only, each later epoch unfreezes one more
   * layer from the top (epoch e trains the top e layers), until every layer trains.
   */
  readonly gradualUnfreeze?: boolean;
  /**
   * fastai `slice(lo, hi)`: rates spread geometrically over the layers from the input (lo) to the
   * head (hi), `lo·(hi/lo)^(i/(n−1))` (fastai `even_mults`). The optimizer's base rate becomes
   * `hi` and each layer gets lrMult = rate/hi; explicit multipliers multiply these.
   */
  readonly discriminative?: readonly [number, number];
}

/**
 * The layer names of a dense model (`linear`, `mlp`) with `hiddenCount` hidden layers, input to
 * head: `hidden1`, …, `hiddenN`, `head` — what fine-tuning settings address.
 */
export function denseLayerNames(hiddenCount: number): string[] {
  return [...Array.from({ length: hiddenCount }, (_, index) => `hidden${index + 1}`), 'head'];
}

function matches(globs: readonly string[], layer: string): boolean {
  return globs.some((glob) => globToRegExp(glob).test(layer));
}

/**
 * Validates fine-tuning settings against a model's layer names (input to head). Throws
 * CoreSpecError naming the field: an unknown layer, a multiplier < 0, freezeUntil outside
 * 0…hidden layers, a slice that is not 0 < lo ≤ hi.
 */
export function validateFinetuneSettings(settings: FinetuneSettings, layerNames: readonly string[]): void {
  const known = layerNames.join(', ');
  for (const [layer, multiplier] of Object.entries(settings.learningRateMultipliers ?? {})) {
    if (!layerNames.some((name) => matches([layer], name)))
      throw new CoreSpecError('learningRateMultipliers', `keyed by layers of the model (${known})`, layer);
    if (typeof multiplier !== 'number' || !Number.isFinite(multiplier) || multiplier < 0)
      throw new CoreSpecError(`learningRateMultipliers.${layer}`, 'a finite number ≥ 0', multiplier);
  }
  for (const layer of settings.freeze ?? []) {
    if (!layerNames.some((name) => matches([layer], name)))
      throw new CoreSpecError('freeze', `layers of the model (${known})`, layer);
  }
  const hiddenCount = layerNames.length - 1;
  if (
    settings.freezeUntil !== undefined &&
    !(
      Number.isInteger(settings.freezeUntil) &&
      settings.freezeUntil >= 0 &&
      settings.freezeUntil <= hiddenCount
    )
  )
    throw new CoreSpecError(
      'freezeUntil',
      `an integer in 0..${hiddenCount} (the hidden layers)`,
      settings.freezeUntil,
    );
  if (settings.discriminative !== undefined) {
    const [low, high] = settings.discriminative;
    if (!(Number.isFinite(low) && Number.isFinite(high) && low > 0 && high >= low))
      throw new CoreSpecError('discriminative', 'two rates lo,hi with 0 < lo ≤ hi', settings.discriminative);
  }
}

/**
 * fastai `even_mults(lo, hi, n)`: n rates from lo to hi, equal ratios apart: lo·(hi/lo)^(i/(n−1));
 * one layer gets `hi` (fastai's single-group slice).
 */
export function discriminativeRates(low: number, high: number, count: number): number[] {
  if (count === 1) return [high];
  return Array.from({ length: count }, (_, index) => low * (high / low) ** (index / (count - 1)));
}

/** The layers frozen at epoch `epoch` (1-based), from the settings; `epoch` matters only for gradual unfreezing. */
export function frozenLayersAt(
  settings: FinetuneSettings,
  layerNames: readonly string[],
  epoch = Number.POSITIVE_INFINITY,
): string[] {
  return layerNames.filter((name, index) => {
    if (matches(settings.freeze ?? [], name)) return true;
    if (settings.freezeUntil !== undefined && name !== 'head' && index < settings.freezeUntil) return true;
    // Epoch e trains the top e layers: layer index i (of n) trains once n − i ≤ e.
    if (settings.gradualUnfreeze && layerNames.length - index > epoch) return true;
    return false;
  });
}

/**
 * The parameter groups (optimizer `groups`) that carry out the settings at epoch `epoch`: one
 * frozen group for the frozen layers first (a parameter takes the first group that matches), then
 * one group per layer whose multiplier is not 1 (discriminative × explicit).
 */
export function finetuneGroups(
  settings: FinetuneSettings,
  layerNames: readonly string[],
  epoch = Number.POSITIVE_INFINITY,
): ParameterGroupSpec[] {
  const groups: ParameterGroupSpec[] = [];
  const frozen = frozenLayersAt(settings, layerNames, epoch);
  if (frozen.length > 0) groups.push({ layer: frozen, frozen: true });
  const discriminative = settings.discriminative
    ? discriminativeRates(settings.discriminative[0], settings.discriminative[1], layerNames.length).map(
        (rate) => rate / (settings.discriminative?.[1] as number),
      )
    : undefined;
  layerNames.forEach((name, index) => {
    if (frozen.includes(name)) return;
    let multiplier = discriminative?.[index] ?? 1;
    for (const [glob, value] of Object.entries(settings.learningRateMultipliers ?? {}))
      if (matches([glob], name)) {
        multiplier *= value;
        break;
      }
    if (multiplier !== 1) groups.push({ layer: name, lrMult: multiplier });
  });
  return groups;
}

/**
 * The optimizer spec of a fine-tuning run: the base spec with the groups of its first epoch
 * (replacing any groups of the base spec), and with a discriminative slice the base rate set to `hi` (in the schedule when `lr` is one).
 */
export function finetuneOptimizerSpec(
  base: OptimizerSpec,
  settings: FinetuneSettings,
  layerNames: readonly string[],
): OptimizerSpec {
  validateFinetuneSettings(settings, layerNames);
  const groups = finetuneGroups(settings, layerNames, 1);
  const { groups: _replaced, ...rest } = base;
  let spec: OptimizerSpec = rest as OptimizerSpec;
  if (settings.discriminative) {
    const high = settings.discriminative[1];
    spec =
      spec.lr !== undefined && typeof spec.lr === 'object'
        ? // The schedule's own rate becomes hi (a schedule without one is rejected when built).
          ({ ...spec, lr: { ...spec.lr, lr: high } } as OptimizerSpec)
        : { ...spec, lr: high };
  }
  return groups.length > 0 ? { ...spec, groups } : spec;
}
