import { classicGridSpec, lossCurvesChartSpec, type MetricName } from '@contour/metrics-logger';
import type { Command } from 'commander';
import { chartFormatOf, writeChart } from '../render-chart.js';
import { loadRuns, writeReport } from '../run-report.js';
import { UsageError, userPath } from '../usage-error.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `contour plot` and `contour report`: redraw and overlay existing runs. */
export function registerPlotCommands(program: Command): void {
  program
    .command('plot')
    .description('overlay the loss per epoch of existing runs (run or sweep directories)')
    .argument('<directories...>', 'run directories or sweep directories')
    .option('--out <file>', 'an .svg or .png file to write (repeatable)', collect, [])
    .option('--metric <name>', 'crossEntropy or classificationError (default: both, side by side)')
    .option('--log', 'log-scaled y axis')
    .action(async (directories: string[], flags: { out: string[]; metric?: string; log?: boolean }) => {
      const outputs = flags.out.length > 0 ? flags.out : ['overlay.svg'];
      for (const path of outputs)
        if (!chartFormatOf(path))
          throw new UsageError(`--out ${path}: the file name must end in .svg or .png`);
      if (
        flags.metric !== undefined &&
        flags.metric !== 'crossEntropy' &&
        flags.metric !== 'classificationError'
      ) {
        throw new UsageError(`--metric must be crossEntropy or classificationError; got "${flags.metric}"`);
      }
      const runs = loadRunsOrFail(directories);
      const curves = runs.map((run) => run.curves);
      const spec = flags.metric
        ? lossCurvesChartSpec(curves, { metric: flags.metric as MetricName, logY: flags.log === true })
        : classicGridSpec(curves, { logY: flags.log === true });
      for (const path of await writeChart(spec, outputs.map(userPath))) console.log(`wrote ${path}`);
    });

  program
    .command('report')
    .description('rebuild the HTML report, overlay plots and results table of a sweep (or any runs)')
    .argument('<directory>', 'a sweep directory (or a run directory)')
    .action(async (directory: string) => {
      const runs = loadRunsOrFail([directory]);
      for (const path of await writeReport(userPath(directory), runs, `Runs in ${directory}`))
        console.log(`wrote ${path}`);
    });
}

function loadRunsOrFail(directories: readonly string[]) {
  try {
    const runs = loadRuns(directories.map(userPath));
    if (runs.length === 0) throw new Error('no runs found');
    return runs;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
