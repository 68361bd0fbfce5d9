/**
 * A literal transcription of the promotion step of ASHA's get_job (Li et al., "A System for
 * Massively Parallel Hyperparameter Tuning", MLSys 2020, Algorithm 2), kept apart from
 * `SuccessiveHalving` so its tests compare the two:
 *
 *   for k = ⌊log_η(R/r)⌋ − s, …, 1, 0:
 *     candidates = top_k(rung k, |rung k| / η)
 *     promotable = {t ∈ candidates : t not already promoted}
 *     if |promotable| > 0: return promotable[0], k + 1
 *
 * `rungs[k]` maps trial → loss of the trials that completed rung k (lower is better); `promoted[k]`
 * the trials already promoted from rung k. Returns one promotion, or undefined (the paper would
 * then grow the bottom rung with a new configuration).
 */
export function paperPromotion(
  rungs: ReadonlyArray<ReadonlyMap<number, number>>,
  promoted: ReadonlyArray<ReadonlySet<number>>,
  reductionFactor: number,
): { trial: number; rung: number } | undefined {
  // The top rung of the paper is where trials end: nothing is promoted from it.
  for (let rung = rungs.length - 2; rung >= 0; rung -= 1) {
    const entries = [...(rungs[rung] ?? new Map()).entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const candidates = entries.slice(0, Math.floor(entries.length / reductionFactor));
    const promotable = candidates.filter(([trial]) => !promoted[rung]?.has(trial));
    const first = promotable[0];
    if (first !== undefined) return { trial: first[0], rung };
  }
  return undefined;
}
