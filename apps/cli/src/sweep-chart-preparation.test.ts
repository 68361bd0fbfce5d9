import type { SweepTrial } from '@contour/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const prepared = vi.hoisted(() => ({ runs: [] as string[], reports: [] as string[] }));
vi.mock('./run-report.js', () => ({
  loadSweepRuns: () => [],
  prepareRunPlots: (directory: string) => prepared.runs.push(directory),
  prepareReport: (_load: unknown, title: string) => prepared.reports.push(title),
}));
const { sweepChartPreparation } = await import('./sweep-chart-preparation.js');

const trials = ['a', 'b', 'c'].map((id) => ({ id, label: `lr=${id}` }) as SweepTrial);

describe('sweepChartPreparation', () => {
  beforeEach(() => {
    prepared.runs.length = 0;
    prepared.reports.length = 0;
  });

  it("prepares each trial's plots at its second epoch once, and the report once every trial got there", () => {
    const onEpoch = sweepChartPreparation('/sweep', trials, { perRun: true, reportTitle: 'Sweep s' });
    for (const epoch of [1, 2, 3]) for (const trial of trials.slice(0, 2)) onEpoch(trial, { epoch });
    expect(prepared.runs).toEqual(['/sweep/trials/a', '/sweep/trials/b']);
    expect(prepared.reports).toEqual([]);
    onEpoch(trials[2] as SweepTrial, { epoch: 2 });
    onEpoch(trials[2] as SweepTrial, { epoch: 2 });
    expect(prepared.runs).toEqual(['/sweep/trials/a', '/sweep/trials/b', '/sweep/trials/c']);
    expect(prepared.reports).toEqual(['Sweep s']);
  });

  it('prepares only the report when the sweep draws no per-run plots', () => {
    const onEpoch = sweepChartPreparation('/sweep', trials, { perRun: false, reportTitle: 'Sweep s' });
    for (const trial of trials) onEpoch(trial, { epoch: 2 });
    expect(prepared.runs).toEqual([]);
    expect(prepared.reports).toEqual(['Sweep s']);
  });
});
