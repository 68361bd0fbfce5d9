import { type RunConfig, stableStringify } from './run-config.js';
import { vectorisedGroupKey, vectorisedSupport } from './training/vectorised-sweep.js';

/**
 * Trials whose configs have the same key share what one vectorised pass needs — data source,
 * backend, model, data order (seed), batch size and epochs; they may differ only in the optimizer
 * spec and the divergence factor. Whether such a group can really be stacked is
 * `vectorisedSupport`'s answer ({@link groupVectorisedTrials} asks it).
 */
export function vectorisedTrialKey(config: RunConfig): string {
  return `${stableStringify(config.data)}|${config.backend}|${vectorisedGroupKey(config.training)}`;
}

/** Trials grouped for one vectorised pass each, and the ones that train alone. */
export interface VectorisedGrouping<Trial> {
  /** Groups of two or more trials, each trainable in one pass (in the order given). */
  readonly groups: Trial[][];
  /** The trials that train one at a time (in the order given). */
  readonly rest: Trial[];
  /** Why a group of two or more could not be stacked, for the first such group. */
  readonly reason?: string;
}

/**
 * The one compatibility check of stacked training, used by the local sweep and by queue workers:
 * trials with the same {@link vectorisedTrialKey} whose configs `vectorisedSupport` accepts
 * together form a group; the others (and groups of one) train alone.
 */
export function groupVectorisedTrials<Trial extends { readonly config: RunConfig }>(
  trials: readonly Trial[],
): VectorisedGrouping<Trial> {
  const byKey = new Map<string, Trial[]>();
  for (const trial of trials) {
    const key = vectorisedTrialKey(trial.config);
    const group = byKey.get(key);
    if (group) group.push(trial);
    else byKey.set(key, [trial]);
  }
  const groups: Trial[][] = [];
  const alone = new Set<Trial>();
  let reason: string | undefined;
  for (const group of byKey.values()) {
    const support = vectorisedSupport(group.map((trial) => trial.config.training));
    if (group.length >= 2 && support.supported) groups.push(group);
    else {
      for (const trial of group) alone.add(trial);
      if (group.length >= 2 && !support.supported) reason ??= support.reason;
    }
  }
  const rest = trials.filter((trial) => alone.has(trial));
  return { groups, rest, ...(reason === undefined ? {} : { reason }) };
}
