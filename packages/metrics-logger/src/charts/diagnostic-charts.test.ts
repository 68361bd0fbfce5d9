import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import type { MetricsRecord } from '../records.js';
import { epoch, steadyRun } from '../test-support/sample-runs.js';
import { learningRatePoints, lossAndRateChartSpec } from './loss-and-rate-chart.js';
import { runCurves } from './loss-curves-chart.js';
import { halvingChartSpec, rangeTestChartSpec, smoothedLossAt } from './range-test-chart.js';
import { updateRatioChartSpec } from './update-ratio-chart.js';

async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const step = (epochNumber: number, index: number, learningRate: number): MetricsRecord => ({
  kind: 'step',
  epoch: epochNumber,
  step: index,
  loss: 1,
  learningRate,
});

describe('learningRatePoints', () => {
  it('spreads the steps of epoch e over (e − 1, e]', () => {
    const records = [step(1, 0, 0.1), step(1, 1, 0.2), step(2, 2, 0.3), step(2, 3, 0.4)];
    expect(learningRatePoints(records)).toEqual([
      { epoch: 0.5, learningRate: 0.1 },
      { epoch: 1, learningRate: 0.2 },
      { epoch: 1.5, learningRate: 0.3 },
      { epoch: 2, learningRate: 0.4 },
    ]);
    expect(learningRatePoints(steadyRun)).toEqual(
      [1, 2, 3, 4].map((number) => ({ epoch: number, learningRate: 0.1 })),
    );
  });
});

describe('lossAndRateChartSpec', () => {
  it('stacks the loss chart above the rate chart on a shared epoch axis', async () => {
    const run = {
      ...runCurves('lr=0.1', steadyRun),
      learningRates: [
        { epoch: 1, learningRate: 0.1 },
        { epoch: 4, learningRate: 0.001 },
      ],
    };
    const spec = lossAndRateChartSpec([run]) as unknown as { vconcat: unknown[]; resolve: unknown };
    expect(spec.vconcat).toHaveLength(2);
    expect(spec.resolve).toEqual({ scale: { x: 'shared', color: 'shared' } });
    const svg = await renderSvg(spec as unknown as TopLevelSpec);
    expect(svg).toContain('learning rate applied per step');
    expect(svg).toContain('cross entropy');
  });
});

describe('updateRatioChartSpec', () => {
  it('draws one line per layer over the −4 … −2 band, leaving out frozen layers', async () => {
    const records = [1, 2, 3].map((number) =>
      epoch(number, [1, 0.1], undefined, {
        updateRatios: { hidden1: Number.NEGATIVE_INFINITY, head: -3 + number / 10 },
      }),
    );
    const spec = updateRatioChartSpec([runCurves('run', records)]) as unknown as {
      layer: Array<{ data: { values: Array<Record<string, unknown>> } }>;
    };
    expect(spec.layer[0]?.data.values).toEqual([{ low: -4, high: -2 }]);
    expect(spec.layer[2]?.data.values.map((row) => row.series)).toEqual(['head', 'head', 'head']);
    const svg = await renderSvg(spec as unknown as TopLevelSpec);
    expect(svg.match(/class="mark-line role-mark/g)).toHaveLength(1);
  });
});

describe('rangeTestChartSpec', () => {
  it('plots smoothed loss on a log-rate axis and marks every suggestion', async () => {
    const points = Array.from({ length: 30 }, (_, index) => ({
      learningRate: 1e-5 * 10 ** (index / 5),
      loss: 2 - index / 30,
      smoothedLoss: 2 - index / 31,
    }));
    const spec = rangeTestChartSpec({
      points,
      trimmed: { start: 3, end: 25 },
      suggestions: [
        { name: 'valley', learningRate: 1e-3, loss: 1.6 },
        { name: 'minimum', learningRate: 1e-1, loss: 1.3 },
      ],
      selected: 'valley',
    });
    const svg = await renderSvg(spec);
    expect(svg).toContain('valley 0.001');
    expect(svg).toContain('minimum 0.1');
    expect(svg).toContain('learning rate (log)');
  });

  it('draws fastai’s minimum once, at the rate ÷ 10 on the curve, and says where the minimum is', () => {
    const points = Array.from({ length: 11 }, (_, index) => ({
      learningRate: 10 ** (index / 2 - 5),
      loss: 2,
      smoothedLoss: 2 - index / 10,
    }));
    // The minimum is at 1 (index 10); fastai suggests 0.1 = 10^-1 (index 8, loss 1.2).
    const spec = rangeTestChartSpec({
      points,
      suggestions: [{ name: 'minimum', learningRate: 0.1, loss: 1, pointLearningRate: 1 }],
    }) as unknown as {
      layer: Array<{ data: { values: Array<Record<string, unknown>> }; encoding: { x: { field: string } } }>;
    };
    const dots = spec.layer[4];
    expect(dots?.encoding.x.field).toBe('learningRate');
    expect(dots?.data.values[0]).toMatchObject({ learningRate: 0.1, pointLearningRate: 1 });
    expect(dots?.data.values[0]?.loss).toBeCloseTo(1.2, 12);
    expect(dots?.data.values[0]?.label).toBe('minimum 0.1 = lowest loss at 1 ÷ 10');
  });
});

describe('smoothedLossAt', () => {
  const points = [
    { learningRate: 1e-3, loss: 3, smoothedLoss: 3 },
    { learningRate: 1e-1, loss: 1, smoothedLoss: 1 },
    { learningRate: 1, loss: Number.NaN, smoothedLoss: Number.NaN },
  ];
  it('interpolates in log rate and holds the ends', () => {
    // 1e-2 is halfway between 1e-3 and 1e-1 in log rate: (3 + 1) / 2.
    expect(smoothedLossAt(points, 1e-2)).toBeCloseTo(2, 12);
    expect(smoothedLossAt(points, 1e-5)).toBe(3);
    expect(smoothedLossAt(points, 10)).toBe(1);
    expect(smoothedLossAt([], 1)).toBeNaN();
  });
});

describe('halvingChartSpec', () => {
  it('draws one loss line per attempt, labelled with its rate and verdict, dropping NaN', async () => {
    const spec = halvingChartSpec([
      { learningRate: 10, diverged: true, losses: [2.3, 40, Number.NaN] },
      { learningRate: 5, diverged: false, losses: [2.3, 1.9, 1.5] },
    ]) as unknown as { data: { values: Array<Record<string, unknown>> } };
    expect(spec.data.values).toHaveLength(5);
    const svg = await renderSvg(spec as unknown as TopLevelSpec);
    expect(svg).toContain('lr=10 (diverged)');
    expect(svg).toContain('lr=5 (kept)');
  });
});
