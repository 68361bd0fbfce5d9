import type { OptimizerState } from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import { contourOptimizerOf, getLearningRate, setLearningRate } from './optimizer-learning-rate.js';

/** A saved optimizer state that can be put back exactly once; `dispose` frees it either way. */
export interface OptimizerSnapshot {
  /** Puts every counter, slot and the rate back as they were (slot variables created since are disposed). */
  restore(): void;
  /** Frees the saved copies (after `restore`, or instead of it). */
  dispose(): void;
}

interface SlotEntry {
  readonly variable: tf.Variable;
}

/**
 * Saves everything an optimizer carries between steps, exactly:
 * - a Contour optimizer (`toTfOptimizer`): `exportState({ slots: 'tensors' })`, put back with
 *   `importState` (slots, step counts, rate, schedule state);
 * - tfjs' own optimizers: every number field (`iterations_`, `learningRate`, …), every variable
 *   field (Adam's `accBeta1`/`accBeta2`, Adamax's `iteration`) and every slot array
 *   (`accumulatedFirstMoment`, `accumulations`, …). Restoring assigns the saved values back into
 *   the same variables (so nothing that holds them goes stale), drops slots created since, and
 *   rebuilds SGD/momentum's cached −rate through `setLearningRate`. tfjs' `getWeights`/
 *   `setWeights` are not used: Adamax has none, and Adam's `setWeights` recomputes `accBeta1` as
 *   `beta1^(t+1)`, which is not bit-identical to the running product.
 */
export function snapshotOptimizer(optimizer: tf.Optimizer): OptimizerSnapshot {
  const contour = contourOptimizerOf(optimizer);
  if (contour) {
    const state: OptimizerState = contour.exportState({ slots: 'tensors' });
    const iterations = (optimizer as unknown as { iterations_: number }).iterations_;
    const dispose = () => {
      for (const parameter of Object.values(state.parameters))
        for (const slot of Object.values(parameter.slots)) if (slot instanceof tf.Tensor) slot.dispose();
    };
    return {
      restore: () => {
        contour.importState(state);
        (optimizer as unknown as { iterations_: number }).iterations_ = iterations;
      },
      dispose,
    };
  }
  const fields = optimizer as unknown as Record<string, unknown>;
  const learningRate = getLearningRate(optimizer);
  const plain = new Map<string, unknown>();
  const variables: Array<{ readonly variable: tf.Variable; readonly saved: tf.Tensor }> = [];
  const slotArrays: Array<{
    readonly key: string;
    readonly array: Array<SlotEntry | null | undefined>;
    readonly entries: Array<SlotEntry | null | undefined>;
    readonly saved: Array<tf.Tensor | undefined>;
  }> = [];
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === null || value === undefined || ['number', 'boolean', 'string'].includes(typeof value)) {
      plain.set(key, value);
    } else if (value instanceof tf.Variable) {
      variables.push({ variable: value, saved: tf.clone(value) });
    } else if (Array.isArray(value) && value.every(isSlotEntryOrHole)) {
      const entries = [...(value as Array<SlotEntry | null | undefined>)];
      slotArrays.push({
        key,
        array: value as Array<SlotEntry | null | undefined>,
        entries,
        saved: entries.map((entry) => (entry ? tf.clone(entry.variable) : undefined)),
      });
    }
  }
  const dispose = () => {
    for (const { saved } of variables) saved.dispose();
    for (const { saved } of slotArrays) for (const tensor of saved) tensor?.dispose();
  };
  return {
    restore: () => {
      for (const [key, value] of plain) fields[key] = value;
      for (const { variable, saved } of variables) variable.assign(saved);
      for (const { key, array, entries, saved } of slotArrays) {
        const kept = new Set(entries.filter((entry): entry is SlotEntry => Boolean(entry)));
        const current = fields[key];
        for (const entry of Array.isArray(current) ? current : [])
          if (isSlotEntryOrHole(entry) && entry && !kept.has(entry)) entry.variable.dispose();
        array.length = 0;
        array.push(...entries);
        fields[key] = array;
        entries.forEach((entry, index) => {
          if (entry) entry.variable.assign(saved[index] as tf.Tensor);
        });
      }
      setLearningRate(optimizer, learningRate);
    },
    dispose,
  };
}

function isSlotEntryOrHole(entry: unknown): entry is SlotEntry | null | undefined {
  return (
    entry === null ||
    entry === undefined ||
    (typeof entry === 'object' && (entry as { variable?: unknown }).variable instanceof tf.Variable)
  );
}
