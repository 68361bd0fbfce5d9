import { divergenceEpoch, epochRecords, metricSeries, oscillation, overfittingGap } from './analysis.js';
import { formatMetric } from './format-metric.js';
import type { EpochRecord, MetricsRecord } from './records.js';

/** What a finding says about a run. */
export type FindingKind =
  | 'diverged'
  | 'collapsed'
  | 'oscillating'
  | 'too-slow'
  | 'overfitting'
  | 'update-ratio-high'
  | 'update-ratio-low';

/** One automatic diagnosis with the numbers that support it. */
export interface Finding {
  readonly kind: FindingKind;
  /** `error` for a run that broke (diverged), `warning` for advice. */
  readonly severity: 'error' | 'warning';
  /** The one-liner, e.g. "oscillating: loss rose in 3 of 5 epochs". */
  readonly message: string;
  /** The numbers behind it, e.g. "train cross entropy 2.1 → 2.4 (epoch 3) …". */
  readonly evidence: string;
  readonly epoch?: number;
  readonly layer?: string;
}

/**
 * Thresholds of {@link findings}. Every curve is the training (or validation) cross entropy
 * measured over the whole split at the end of each epoch — the loss-per-epoch figure's points.
 */
export interface FindingThresholds {
  /** Oscillating: at least this many rises of the training loss … (default 2) */
  readonly oscillationMinimumRises: number;
  /** … making at least this share of the epoch-to-epoch comparisons (default 0.25) … */
  readonly oscillationMinimumShare: number;
  /** … among at least this many comparisons (default 3). */
  readonly oscillationMinimumComparisons: number;
  /** Too slow: at least this many finite epochs (default 4) … */
  readonly slowMinimumEpochs: number;
  /**
   * … with the training loss falling every epoch and its mean fall per epoch in the second half at
   * least this share of the first half's (default 0.5): a straight line rather than the bend of a
   * converging curve (a bend gives a share well below 0.5).
   */
  readonly slowLinearShare: number;
  /**
   * Overfitting: the last validation loss exceeds its best (at an earlier epoch k) by more than
   * this share of the best (default 0.02), while the training loss kept falling after k.
   */
  readonly overfittingMinimumRise: number;
  /**
   * Collapsed: the largest training loss (a step's, else an epoch's) reached at least this many
   * times the chance-level cross entropy ln K (default 10) …
   */
  readonly collapseSpikeFactor: number;
  /**
   * … and the last epoch's classification error (validation, else training) is within this of
   * chance, 1 − 1/K (default 0.05); without an error metric, its cross entropy is within this
   * share of ln K.
   */
  readonly collapseChanceTolerance: number;
  /** Update ratio too high when the median log10(mean |Δw| / mean |w|) of a layer is above this (default −2, DL4J). */
  readonly updateRatioHigh: number;
  /** … and too low below this (default −4; DL4J's healthy band is −3 ± 1). */
  readonly updateRatioLow: number;
}

/** The default thresholds (documented field by field in {@link FindingThresholds}). */
export const defaultFindingThresholds: FindingThresholds = {
  oscillationMinimumRises: 2,
  oscillationMinimumShare: 0.25,
  oscillationMinimumComparisons: 3,
  slowMinimumEpochs: 4,
  slowLinearShare: 0.5,
  overfittingMinimumRise: 0.02,
  collapseSpikeFactor: 10,
  collapseChanceTolerance: 0.05,
  updateRatioHigh: -2,
  updateRatioLow: -4,
};

function trainLoss(record: EpochRecord): number | undefined {
  return record.train.crossEntropy ?? record.train.loss;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function divergedFinding(
  records: readonly MetricsRecord[],
  epochs: readonly EpochRecord[],
): Finding | undefined {
  const epoch = divergenceEpoch(records);
  if (epoch === undefined) return undefined;
  const event = records.find((record) => record.kind === 'event' && record.event === 'diverged');
  const detail = event?.kind === 'event' ? event.detail : undefined;
  let value =
    detail && typeof detail === 'object' && !Array.isArray(detail) && typeof detail.loss === 'string'
      ? detail.loss
      : undefined;
  if (value === undefined) {
    const nonFinite = epochs.map(trainLoss).find((loss) => loss !== undefined && !Number.isFinite(loss));
    value = nonFinite === undefined ? (event ? 'loss exploded' : undefined) : String(nonFinite);
  }
  return {
    kind: 'diverged',
    severity: 'error',
    message: `diverged at epoch ${epoch}${value ? ` (${value})` : ''}`,
    evidence: event?.kind === 'event' ? event.message : `training loss is ${value} at epoch ${epoch}`,
    epoch,
  };
}

/**
 * Number of classes K of a run: its config's `data.classCount`, else the length of
 * `data.classes`, else 10 (MNIST, Fashion-MNIST).
 */
export function classCountOf(records: readonly MetricsRecord[]): number {
  const start = records.find((record) => record.kind === 'run-start');
  const config = start?.kind === 'run-start' ? start.config : undefined;
  const data =
    config && typeof config === 'object' && !Array.isArray(config)
      ? (config as Record<string, unknown>).data
      : undefined;
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const { classCount, classes } = data as { classCount?: unknown; classes?: unknown };
    if (typeof classCount === 'number' && Number.isInteger(classCount) && classCount >= 2) return classCount;
    if (Array.isArray(classes) && classes.length >= 2) return classes.length;
  }
  return 10;
}

function collapsedFinding(
  records: readonly MetricsRecord[],
  epochs: readonly EpochRecord[],
  thresholds: FindingThresholds,
): Finding | undefined {
  const last = epochs[epochs.length - 1];
  if (!last) return undefined;
  const classes = classCountOf(records);
  const chanceLoss = Math.log(classes);
  const chanceError = 1 - 1 / classes;
  const losses = records.flatMap((record) =>
    record.kind === 'step' && Number.isFinite(record.loss)
      ? [{ epoch: record.epoch, loss: record.loss }]
      : [],
  );
  const peaks =
    losses.length > 0
      ? losses
      : epochs.flatMap((record) => {
          const loss = trainLoss(record);
          return loss !== undefined && Number.isFinite(loss) ? [{ epoch: record.epoch, loss }] : [];
        });
  const spike = peaks.find((point) => point.loss >= thresholds.collapseSpikeFactor * chanceLoss);
  if (!spike) return undefined;
  const highest = Math.max(...peaks.map((point) => point.loss));
  const split = last.validation?.classificationError !== undefined ? 'validation' : 'train';
  const error = last[split]?.classificationError;
  const loss = last[split]?.crossEntropy ?? trainLoss(last);
  const atChance =
    error !== undefined
      ? Number.isFinite(error) && error >= chanceError - thresholds.collapseChanceTolerance
      : loss !== undefined &&
        Number.isFinite(loss) &&
        Math.abs(loss - chanceLoss) <= thresholds.collapseChanceTolerance * chanceLoss;
  if (!atChance) return undefined;
  const where =
    error !== undefined
      ? `${formatMetric(100 * error)} % ${split} error at epoch ${last.epoch}, chance is ${formatMetric(100 * chanceError)} % for ${classes} classes`
      : `${split} cross entropy ${formatMetric(loss as number)} at epoch ${last.epoch}, chance is ln ${classes} = ${formatMetric(chanceLoss)}`;
  return {
    kind: 'collapsed',
    severity: 'error',
    message: `collapsed at epoch ${spike.epoch}: loss spiked to ${formatMetric(highest)}, then sat at chance`,
    evidence: `training loss reached ${formatMetric(highest)} (≥ ${thresholds.collapseSpikeFactor} × ln ${classes} = ${formatMetric(thresholds.collapseSpikeFactor * chanceLoss)}) from epoch ${spike.epoch}; ${where} (rate too high: the model stopped learning)`,
    epoch: spike.epoch,
  };
}

function oscillatingFinding(
  epochs: readonly EpochRecord[],
  thresholds: FindingThresholds,
): Finding | undefined {
  const series = epochs.flatMap((record) => {
    const value = trainLoss(record);
    return value === undefined ? [] : [{ epoch: record.epoch, value }];
  });
  const measure = oscillation(series.map((point) => point.value));
  if (
    measure.comparisons < thresholds.oscillationMinimumComparisons ||
    measure.rises < thresholds.oscillationMinimumRises ||
    measure.fraction < thresholds.oscillationMinimumShare
  )
    return undefined;
  const rises = series.flatMap((point, index) => {
    const previous = series[index - 1];
    return previous &&
      Number.isFinite(previous.value) &&
      Number.isFinite(point.value) &&
      point.value > previous.value
      ? [`epoch ${point.epoch}: ${formatMetric(previous.value)} → ${formatMetric(point.value)}`]
      : [];
  });
  return {
    kind: 'oscillating',
    severity: 'warning',
    message: `oscillating: loss rose in ${measure.rises} of ${measure.comparisons} epochs`,
    evidence: `training cross entropy rose at ${rises.join('; ')} (rate likely too high)`,
  };
}

function slowFinding(epochs: readonly EpochRecord[], thresholds: FindingThresholds): Finding | undefined {
  const values = epochs.map(trainLoss).filter((value): value is number => value !== undefined);
  if (values.length < thresholds.slowMinimumEpochs || !values.every(Number.isFinite)) return undefined;
  if (!values.every((value, index) => index === 0 || value < (values[index - 1] as number))) return undefined;
  const last = values.length - 1;
  const middle = Math.floor(last / 2);
  const first = ((values[0] as number) - (values[middle] as number)) / middle;
  const second = ((values[middle] as number) - (values[last] as number)) / (last - middle);
  const share = second / first;
  if (!(share >= thresholds.slowLinearShare)) return undefined;
  return {
    kind: 'too-slow',
    severity: 'warning',
    message: 'too slow: linear improvement, try ×3',
    evidence: `training cross entropy fell ${formatMetric(first)} per epoch over epochs ${epochs[0]?.epoch}–${epochs[middle]?.epoch} and ${formatMetric(second)} per epoch over epochs ${epochs[middle]?.epoch}–${epochs[last]?.epoch} (${formatMetric(share)} of it ≥ ${thresholds.slowLinearShare}: still a straight line, no sign of converging)`,
  };
}

function overfittingFinding(
  epochs: readonly EpochRecord[],
  thresholds: FindingThresholds,
): Finding | undefined {
  const validation = metricSeries(epochs, 'validation', 'crossEntropy').filter((point) =>
    Number.isFinite(point.value),
  );
  if (validation.length < 2) return undefined;
  let best = validation[0] as { epoch: number; value: number };
  for (const point of validation) if (point.value < best.value) best = point;
  const last = validation[validation.length - 1] as { epoch: number; value: number };
  if (last.epoch === best.epoch || !(last.value > best.value * (1 + thresholds.overfittingMinimumRise)))
    return undefined;
  const trainAt = (epoch: number) => {
    const record = epochs.find((item) => item.epoch === epoch);
    return record ? trainLoss(record) : undefined;
  };
  const trainBest = trainAt(best.epoch);
  const trainLast = trainAt(last.epoch);
  if (trainBest === undefined || trainLast === undefined || !(trainLast < trainBest)) return undefined;
  const gap = overfittingGap(epochs) ?? last.value - trainLast;
  return {
    kind: 'overfitting',
    severity: 'warning',
    message: `overfitting from epoch ${best.epoch}: validation gap ${formatMetric(gap)}`,
    evidence: `validation cross entropy best ${formatMetric(best.value)} at epoch ${best.epoch}, ${formatMetric(last.value)} at epoch ${last.epoch} (+${formatMetric((100 * (last.value - best.value)) / best.value)}%) while training fell ${formatMetric(trainBest)} → ${formatMetric(trainLast)}`,
    epoch: best.epoch,
  };
}

function updateRatioFindings(epochs: readonly EpochRecord[], thresholds: FindingThresholds): Finding[] {
  const byLayer = new Map<string, number[]>();
  for (const record of epochs)
    for (const [layer, value] of Object.entries(record.updateRatios ?? {})) {
      // −∞ is a layer that did not move (frozen); NaN a broken step: neither says anything about the rate.
      if (!Number.isFinite(value)) continue;
      byLayer.set(layer, [...(byLayer.get(layer) ?? []), value]);
    }
  const found: Finding[] = [];
  for (const [layer, values] of byLayer) {
    const middle = median(values);
    const evidence = `median log10(mean |update| / mean |weight|) ${formatMetric(middle)} over ${values.length} epoch${values.length === 1 ? '' : 's'} (${formatMetric(Math.min(...values))} … ${formatMetric(Math.max(...values))}); about −3 is healthy (DL4J)`;
    if (middle > thresholds.updateRatioHigh)
      found.push({
        kind: 'update-ratio-high',
        severity: 'warning',
        message: `update ratio > 1e${thresholds.updateRatioHigh} in layer ${layer}: rate likely too high`,
        evidence,
        layer,
      });
    else if (middle < thresholds.updateRatioLow)
      found.push({
        kind: 'update-ratio-low',
        severity: 'warning',
        message: `update ratio < 1e${thresholds.updateRatioLow} in layer ${layer}: rate likely too low`,
        evidence,
        layer,
      });
  }
  return found;
}

/**
 * Automatic findings about a run, each with its evidence, from its records (any order; the last
 * record of each epoch counts):
 * - `diverged at epoch k (NaN)`: a `diverged` event, or a non-finite training loss;
 * - `collapsed at epoch k: loss spiked to v, then sat at chance`: a finite run whose training loss
 *   reached `collapseSpikeFactor` × ln K and whose last epoch is at chance level (error 1 − 1/K),
 *   the run that "finished" but learned nothing (K from the config, default 10);
 * - `oscillating: loss rose in n of m epochs`: see the oscillation thresholds;
 * - `too slow: linear improvement, try ×3`: a training loss that falls in a straight line;
 * - `overfitting from epoch k: validation gap g`: validation loss rising from its best at k while
 *   training loss falls; g = final validation − training cross entropy;
 * - `update ratio > 1e-2 in layer L: rate likely too high` / `< 1e-4 … too low` (DL4J's −3 ± 1).
 * Before divergence only the finite epochs are judged. Thresholds: {@link FindingThresholds}.
 */
export function findings(
  records: readonly MetricsRecord[],
  thresholds: Partial<FindingThresholds> = {},
): Finding[] {
  const limits = { ...defaultFindingThresholds, ...thresholds };
  const epochs = epochRecords(records).filter((record) => record.epoch >= 1);
  const diverged = divergedFinding(records, epochs);
  const finite = epochs.filter((record) => {
    const value = trainLoss(record);
    return value === undefined || Number.isFinite(value);
  });
  const found: Finding[] = [];
  if (diverged) found.push(diverged);
  const collapsed = diverged ? undefined : collapsedFinding(records, finite, limits);
  if (collapsed) found.push(collapsed);
  const oscillating = oscillatingFinding(finite, limits);
  if (oscillating) found.push(oscillating);
  const slow = diverged || collapsed || oscillating ? undefined : slowFinding(finite, limits);
  if (slow) found.push(slow);
  const overfitting = overfittingFinding(finite, limits);
  if (overfitting) found.push(overfitting);
  // A collapsed run's dead layers barely move: "rate too low" would be the opposite of the truth.
  found.push(
    ...updateRatioFindings(finite, limits).filter(
      (finding) => !(collapsed && finding.kind === 'update-ratio-low'),
    ),
  );
  return found;
}
