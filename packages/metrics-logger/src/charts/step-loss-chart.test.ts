import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import type { MetricsRecord } from '../records.js';
import { stepLossChartSpec, stepLossClip } from './step-loss-chart.js';

function steps(losses: readonly number[]): MetricsRecord[] {
  return losses.map((loss, step) => ({ kind: 'step', epoch: 1, step, loss, learningRate: 0.1 }));
}

function rows(spec: TopLevelSpec): Array<Record<string, unknown>> {
  return (spec as unknown as { data: { values: Array<Record<string, unknown>> } }).data.values;
}

describe('stepLossClip', () => {
  it('is the factor times the 90th percentile of the finite losses', () => {
    // Sorted: 1..10; floor(0.9 × 10) = index 9 → 10.
    expect(stepLossClip([3, 1, 2, 4, 5, 6, 7, 8, 9, 10, Number.NaN], 20)).toBe(200);
    expect(stepLossClip([1, 2], Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(stepLossClip([], 20)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('stepLossChartSpec', () => {
  const steady = steps(Array.from({ length: 30 }, (_, step) => 2.3 - step * 0.05));
  const spiking = steps([2.3, 2.2, 40, 3500, 900, 2.31, 2.3, 2.3]);

  it('clips a spike at 20 × the 90th percentile and says so, keeping the other curve readable', async () => {
    const spec = stepLossChartSpec([
      { label: 'lr=0.1', records: steady },
      { label: 'lr=10', records: spiking },
    ]);
    const all = [...steady, ...spiking].flatMap((record) => (record.kind === 'step' ? [record.loss] : []));
    const clip = stepLossClip(all, 20);
    const values = rows(spec);
    expect(values).toHaveLength(38);
    const clipped = values.filter((row) => row.clipped === true);
    expect(clipped.map((row) => row.actual)).toEqual([3500, 900]);
    expect(clipped.every((row) => row.loss === clip)).toBe(true);
    const title = (spec as unknown as { title: { text: string; subtitle: string } }).title;
    expect(title.text).toContain('log scale');
    expect(title.subtitle).toBe(`2 steps above ${clip.toPrecision(3)} clipped (highest 3500, lr=10)`);
    const encoding = (spec as unknown as { encoding: { y: { scale: { type: string } } } }).encoding;
    expect(encoding.y.scale.type).toBe('log');
    const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
    expect(await view.toSVG()).toContain('<svg');
    view.finalize();
  });

  it('leaves out non-finite losses and uses the given colours per run', () => {
    const spec = stepLossChartSpec(
      [{ label: 'lr=1', records: steps([2, Number.NaN, Number.POSITIVE_INFINITY, 1]) }],
      { colors: { 'lr=1': '#123456' }, logY: false },
    );
    expect(rows(spec).map((row) => row.loss)).toEqual([2, 1]);
    const color = (spec as unknown as { encoding: { color: { scale: { range: string[] } } } }).encoding.color;
    expect(color.scale.range).toEqual(['#123456']);
  });
});
