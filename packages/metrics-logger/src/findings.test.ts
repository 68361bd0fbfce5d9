import { describe, expect, it } from 'vitest';
import { defaultFindingThresholds, findings } from './findings.js';
import type { EpochRecord, MetricsRecord } from './records.js';
import { divergingRun, epoch, steadyRun } from './test-support/sample-runs.js';

/** Epoch records from training (and validation) cross entropies. */
function curve(
  train: readonly number[],
  validation?: readonly number[],
  extra: (index: number) => Partial<EpochRecord> = () => ({}),
) {
  return train.map((value, index) =>
    epoch(index + 1, [value, 0.1], validation ? [validation[index] as number, 0.1] : undefined, extra(index)),
  );
}

const kinds = (records: readonly MetricsRecord[]) => findings(records).map((finding) => finding.kind);

describe('findings', () => {
  it('documents its thresholds', () => {
    expect(defaultFindingThresholds).toEqual({
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
    });
  });

  describe('diverged', () => {
    it('reports the epoch and the value of a diverged run', () => {
      const [finding] = findings([
        ...curve([2, 1.5]),
        {
          kind: 'event',
          event: 'diverged',
          epoch: 3,
          step: 25,
          message: 'loss is NaN at step 25 (epoch 3, rate 5)',
          detail: { loss: 'NaN', learningRate: 5 },
        },
      ]);
      expect(finding).toEqual({
        kind: 'diverged',
        severity: 'error',
        message: 'diverged at epoch 3 (NaN)',
        evidence: 'loss is NaN at step 25 (epoch 3, rate 5)',
        epoch: 3,
      });
      // Without an event: the first epoch whose training loss is not finite.
      expect(findings(curve([2, Number.POSITIVE_INFINITY]))[0]?.message).toBe(
        'diverged at epoch 2 (Infinity)',
      );
      // An event without a loss in its detail: the value comes from the non-finite epoch.
      expect(findings(divergingRun)[0]?.message).toBe('diverged at epoch 4 (NaN)');
      expect(
        findings([
          ...curve([2, 1.5]),
          {
            kind: 'event',
            event: 'diverged',
            epoch: 3,
            step: 20,
            message: 'mean training loss 3000 exceeds 1000× its best',
          },
        ])[0]?.message,
      ).toBe('diverged at epoch 3 (loss exploded)');
    });

    it('says nothing of a run that stayed finite', () => {
      expect(kinds(steadyRun)).not.toContain('diverged');
    });
  });

  describe('collapsed', () => {
    /** Step records of one epoch with the given batch losses. */
    const steps = (epochNumber: number, losses: readonly number[]): MetricsRecord[] =>
      losses.map((loss, index) => ({
        kind: 'step',
        epoch: epochNumber,
        step: (epochNumber - 1) * losses.length + index,
        loss,
        learningRate: 10,
      }));
    // The lr = 10 run of an mlp: a batch loss of ~3,500, then every epoch at chance (89 % error).
    const collapsedRun: MetricsRecord[] = [
      ...steps(1, [2.3, 40, 3500, 900, 2.4]),
      epoch(1, [2.31, 0.888], [2.305, 0.89]),
      ...steps(2, [2.31, 2.3, 2.3, 2.31, 2.3]),
      epoch(2, [2.31, 0.887], [2.32, 0.891]),
    ];

    it('flags a spike ≥ 10 × ln K followed by chance-level error, with the numbers', () => {
      const [finding] = findings(collapsedRun);
      // 10 × ln 10 = 23.03 ≤ 40 (epoch 1); last validation error 89.1 % ≥ 90 % − 5.
      expect(finding).toEqual({
        kind: 'collapsed',
        severity: 'error',
        message: 'collapsed at epoch 1: loss spiked to 3500, then sat at chance',
        evidence:
          'training loss reached 3500 (≥ 10 × ln 10 = 23.03) from epoch 1; 89.1 % validation error at epoch 2, chance is 90 % for 10 classes (rate too high: the model stopped learning)',
        epoch: 1,
      });
      expect(kinds(collapsedRun)).toEqual(['collapsed']);
    });

    it('uses K from the config: 3 classes put chance at 66.7 % error and ln 3', () => {
      const start: MetricsRecord = {
        kind: 'run-start',
        formatVersion: 1,
        runId: 'k3',
        time: '2026-12-01T00:00:00Z',
        config: { data: { classCount: 3 } },
        versions: {},
      };
      // 10 × ln 3 = 10.99: a spike to 12 counts; 89 % error is not "at chance" for 3 classes …
      const run = [start, ...steps(1, [1.1, 12, 1.1]), epoch(1, [1.1, 0.65], [1.1, 0.64])];
      expect(kinds(run)).toEqual(['collapsed']);
      expect(findings(run)[0]?.evidence).toContain('chance is 66.67 % for 3 classes');
      // … and a run that recovers below chance after the spike is not collapsed.
      expect(kinds([start, ...steps(1, [1.1, 12, 0.5]), epoch(1, [0.5, 0.2], [0.55, 0.25])])).toEqual([]);
    });

    it('leaves alone a run that spikes and recovers, and one at chance without a spike', () => {
      const recovered = [...steps(1, [2.3, 3500, 0.9]), epoch(1, [0.8, 0.2], [0.85, 0.22])];
      expect(kinds(recovered)).toEqual([]);
      const flat = [...steps(1, [2.3, 2.31, 2.3]), epoch(1, [2.3, 0.9], [2.3, 0.9])];
      expect(kinds(flat)).not.toContain('collapsed');
    });
  });

  describe('oscillating', () => {
    it('fires when the training loss rose in ≥ 2 of ≥ 3 comparisons and ≥ 25% of them', () => {
      const [finding] = findings(curve([2, 2.4, 1.9, 2.2, 1.8]));
      expect(finding?.message).toBe('oscillating: loss rose in 2 of 4 epochs');
      expect(finding?.evidence).toContain('epoch 2: 2 → 2.4; epoch 4: 1.9 → 2.2');
    });

    it('does not fire on one rise, or 2 rises in 9 comparisons (22%)', () => {
      expect(kinds(curve([2, 2.4, 1.9, 1.8]))).not.toContain('oscillating');
      expect(kinds(curve([2, 2.1, 1.9, 1.8, 1.85, 1.7, 1.6, 1.5, 1.4, 1.3]))).not.toContain('oscillating');
    });
  });

  describe('too slow', () => {
    it('fires on a straight-line fall (second-half fall per epoch ≥ 0.5 × the first half)', () => {
      // 2.3 → 2.1 → 1.9 → 1.75 → 1.6: first half 0.2/epoch, second half 0.15/epoch: share 0.75.
      const [finding] = findings(curve([2.3, 2.1, 1.9, 1.75, 1.6]));
      expect(finding?.kind).toBe('too-slow');
      expect(finding?.message).toBe('too slow: linear improvement, try ×3');
      expect(finding?.evidence).toContain(
        'fell 0.2 per epoch over epochs 1–3 and 0.15 per epoch over epochs 3–5 (0.75 of it',
      );
    });

    it('does not fire on a converging bend, a short run, or a curve that rose', () => {
      // 0.45 → 0.38 → 0.35 → 0.33 → 0.32: 0.05/epoch then 0.015/epoch: share 0.3.
      expect(kinds(curve([0.45, 0.38, 0.35, 0.33, 0.32]))).not.toContain('too-slow');
      expect(kinds(curve([2.3, 2.1, 1.9]))).not.toContain('too-slow');
      expect(kinds(curve([2.3, 2.1, 2.15, 1.75, 1.6]))).not.toContain('too-slow');
    });
  });

  describe('overfitting', () => {
    it('fires when validation rises > 2% above its best while training keeps falling', () => {
      const [finding] = findings(curve([1, 0.6, 0.4, 0.3], [1.1, 0.7, 0.65, 0.68]));
      expect(finding?.message).toBe('overfitting from epoch 3: validation gap 0.38');
      expect(finding?.evidence).toBe(
        'validation cross entropy best 0.65 at epoch 3, 0.68 at epoch 4 (+4.615%) while training fell 0.4 → 0.3',
      );
      expect(findings(steadyRun).map((item) => item.kind)).toContain('overfitting');
    });

    it('does not fire for a rise within 2%, or when training rose too', () => {
      expect(kinds(curve([1, 0.6, 0.4, 0.3], [1.1, 0.7, 0.65, 0.66]))).not.toContain('overfitting');
      expect(kinds(curve([1, 0.6, 0.4, 0.45], [1.1, 0.7, 0.65, 0.75]))).not.toContain('overfitting');
    });
  });

  describe('update ratio', () => {
    const ratios = (values: Record<string, number[]>) =>
      curve([0.5, 0.4, 0.35], undefined, (index) => ({
        updateRatios: Object.fromEntries(
          Object.entries(values).map(([layer, list]) => [layer, list[index] as number]),
        ),
      }));

    it('fires above 1e-2 and below 1e-4 (median over epochs), naming the layer', () => {
      const found = findings(ratios({ hidden1: [-1.5, -1.8, -2.5], head: [-4.5, -4.2, -3.5] }));
      expect(found.map((finding) => finding.message)).toEqual([
        'update ratio > 1e-2 in layer hidden1: rate likely too high',
        'update ratio < 1e-4 in layer head: rate likely too low',
      ]);
      expect(found[0]?.evidence).toBe(
        'median log10(mean |update| / mean |weight|) -1.8 over 3 epochs (-2.5 … -1.5); about −3 is healthy (DL4J)',
      );
    });

    it('does not fire inside −3 ± 1, nor for a frozen layer (−∞)', () => {
      const none = Number.NEGATIVE_INFINITY;
      expect(findings(ratios({ hidden1: [-2.1, -3, -3.9], head: [none, none, none] }))).toEqual([]);
    });
  });
});
