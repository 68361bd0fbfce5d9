import * as vega from 'vega';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { epoch, steadyRun } from '../test-support/sample-runs.js';
import { lossCurvesChartSpec, runCurves } from './loss-curves-chart.js';
import { learningRateColor, rateColorPalette } from './rate-colors.js';

describe('learningRateColor', () => {
  it('gives each third of a decade its own colour, the same in every sweep', () => {
    // round(3 · log10 rate): 0.1 → −3, 0.2 → −2, 0.5 → −1, 1 → 0, 10 → 3 (indices mod 11).
    expect(learningRateColor(1)).toBe(rateColorPalette[0]);
    expect(learningRateColor(10)).toBe(rateColorPalette[3]);
    expect(learningRateColor(0.1)).toBe(rateColorPalette[8]);
    expect(learningRateColor(0.2)).toBe(rateColorPalette[9]);
    expect(learningRateColor(0.5)).toBe(rateColorPalette[10]);
    const decade = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10].map(learningRateColor);
    expect(new Set(decade).size).toBe(10);
    expect(learningRateColor(0)).toBe(rateColorPalette[11]);
  });
});

describe('lossCurvesChartSpec epoch axis and colours', () => {
  it('labels epochs as integers, even for a 1-epoch run, and uses the given colours', async () => {
    const oneEpoch = steadyRun.filter((record) => record.kind !== 'epoch' || record.epoch <= 1);
    const spec = lossCurvesChartSpec([runCurves('lr=1', oneEpoch)], { colors: { 'lr=1': '#4e79a7' } });
    const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]);
    expect(labels).not.toContain('1.000000');
    expect(labels.filter((label) => /^\d\.\d{6}$/.test(label ?? ''))).toEqual([]);
    const x = (spec as unknown as { encoding: { x: { axis: { format: string; tickMinStep: number } } } })
      .encoding.x;
    expect(x.axis).toEqual({ values: [1], format: 'd' });
    expect(svg).toContain('#4e79a7');
  });
});

describe('lossCurvesChartSpec logY auto', () => {
  const scaleOf = (spec: unknown) =>
    (spec as { encoding: { y: { scale: { type?: string } } } }).encoding.y.scale.type ?? 'linear';
  it('turns log when the values span more than two decades, linear otherwise', () => {
    const blownUp = runCurves('lr=10', [epoch(1, [3.5e10, 0.9]), epoch(2, [2.3, 0.9])]);
    const steady = runCurves('lr=0.1', [epoch(1, [0.9, 0.2]), epoch(2, [0.5, 0.1])]);
    // 3.5e10 / 0.5 > 100 → log; 0.9 / 0.5 < 100 → linear.
    expect(scaleOf(lossCurvesChartSpec([blownUp, steady], { logY: 'auto' }))).toBe('log');
    expect(scaleOf(lossCurvesChartSpec([steady], { logY: 'auto' }))).toBe('linear');
  });
});
