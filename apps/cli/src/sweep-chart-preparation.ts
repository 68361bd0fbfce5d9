import { join } from 'node:path';
import type { SweepTrial } from '@contour/core';
import { loadSweepRuns, prepareReport, prepareRunPlots } from './run-report.js';

/**
 * An `onEpoch` hook for a sweep that draws its charts at the end: at each trial's second epoch
 * (its charts then have the shapes they will end with) it hands the chart workers that trial's
 * plots, and once every trial has got there the report's charts, to compile and parse while the
 * sweep trains. The drawing after the last epoch then starts from parsed specs; what it draws is
 * unchanged. Costs this thread one read of the run directories per trial and one for the report.
 */
export function sweepChartPreparation(
  directory: string,
  trials: readonly SweepTrial[],
  options: { readonly perRun: boolean; readonly reportTitle: string },
): (trial: SweepTrial, record: { readonly epoch: number }) => void {
  const prepared = new Set<string>();
  return (trial, record) => {
    if (record.epoch !== 2 || prepared.has(trial.id)) return;
    prepared.add(trial.id);
    if (options.perRun) prepareRunPlots(join(directory, 'trials', trial.id), trial.label);
    if (prepared.size === trials.length) prepareReport(() => loadSweepRuns(directory), options.reportTitle);
  };
}
