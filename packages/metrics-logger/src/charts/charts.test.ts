import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { divergingRun, steadyRun } from '../test-support/sample-runs.js';
import { classicGridSpec, lossCurvesChartSpec, runCurves } from './loss-curves-chart.js';
import { scheduleChartSpec } from './schedule-chart.js';

async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const runs = [runCurves('lr=0.1', steadyRun), runCurves('lr=1', divergingRun)];

describe('lossCurvesChartSpec', () => {
  it('draws train solid and validation dashed per run, and marks where a run turned NaN', async () => {
    const spec = lossCurvesChartSpec(runs) as { data: { values: Array<Record<string, unknown>> } };
    const rows = spec.data.values;
    expect(rows.filter((row) => row.marker === '' && row.run === 'lr=0.1')).toHaveLength(8);
    // Epoch 4 of the diverging run is NaN in both splits: two markers at the last finite value.
    expect(rows.filter((row) => row.marker === 'NaN')).toEqual([
      { run: 'lr=1', split: 'train', epoch: 4, value: 1.8, marker: 'NaN' },
      { run: 'lr=1', split: 'validation', epoch: 4, value: 2, marker: 'NaN' },
    ]);
    const svg = await renderSvg(spec as unknown as TopLevelSpec);
    // One line per run and split: 2 runs × (train, validation).
    expect(svg.match(/class="mark-line role-mark/g)).toHaveLength(4);
    expect(svg).toContain('stroke-dasharray="6,4"');
    expect(svg).toContain('>NaN</text>');
    expect(svg).toContain('cross entropy per epoch');
  });
  it('drops non-positive values from a log-scaled plot', () => {
    const spec = lossCurvesChartSpec(
      [runCurves('zero', [{ ...steadyRun[1], train: { classificationError: 0 } } as never])],
      {
        metric: 'classificationError',
        logY: true,
      },
    ) as { data: { values: Array<{ split: string }> } };
    expect(spec.data.values.map((row) => row.split)).toEqual(['validation']);
  });
});

describe('classicGridSpec', () => {
  it('renders cross entropy | classification error, overlaid or one row per run', async () => {
    const overlay = await renderSvg(classicGridSpec(runs));
    expect(overlay).toContain('classification error');
    const rows = await renderSvg(classicGridSpec(runs, { layout: 'rows' }));
    expect(rows).toContain('lr=1: cross entropy');
    expect(rows).toContain('lr=0.1: classification error');
  });
});

describe('scheduleChartSpec', () => {
  it('has one row per rate and drops zeros on a log scale', () => {
    const spec = scheduleChartSpec([{ label: 'a', rates: [0, 0.1, 0.2] }], { logScale: true }) as {
      data: { values: unknown[] };
    };
    expect(spec.data.values).toEqual([
      { schedule: 'a', t: 1, rate: 0.1 },
      { schedule: 'a', t: 2, rate: 0.2 },
    ]);
  });
});
