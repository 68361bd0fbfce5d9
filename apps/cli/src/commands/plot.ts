import { existsSync, realpathSync } from 'node:fs';
import { classicGridSpec, lossCurvesChartSpec, type MetricName } from '@contour/metrics-logger';
import { runFiles } from '@contour/runs/files';
import type { Command } from 'commander';
import { chartFormatOf, writeChart } from '../render-chart.js';
import { type LoadedRun, loadRuns, loadSweepRuns, writeReport } from '../run-report.js';
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
      const path = userPath(directory);
      // A single run is reported whole or refused (exit 2); a sweep reports its readable trials,
      // names each unreadable one and exits 1, so a script notices the report is incomplete.
      if (existsSync(runFiles(path).metrics) || !existsSync(path)) {
        const runs = loadRunsOrFail([directory]);
        for (const written of await writeReport(path, runs, `Runs in ${directory}`))
          console.log(`wrote ${written}`);
        return;
      }
      const unreadable: string[] = [];
      let runs: LoadedRun[];
      try {
        runs = loadSweepRuns(path, (_, reason) => unreadable.push(reason));
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      for (const reason of unreadable) console.error(`contour: ${reason}`);
      if (runs.length === 0)
        throw new UsageError(unreadable.length === 0 ? 'no runs found' : `no readable runs in ${directory}`);
      for (const written of await writeReport(path, runs, `Runs in ${directory}`, { unreadable }))
        console.log(`wrote ${written}`);
      if (unreadable.length > 0) {
        console.error(
          `contour: the report leaves out ${unreadable.length} unreadable trial${unreadable.length === 1 ? '' : 's'}; run the sweep again to train ${unreadable.length === 1 ? 'it' : 'them'} anew`,
        );
        process.exitCode = 1;
      }
    });
}

/**
 * The runs of every argument (a sweep stands for its runs), in order. A run named twice — the
 * same directory given again, under another spelling, or one of a sweep's runs beside the sweep —
 * is refused: it would be drawn twice, the second curve hiding the first.
 */
function loadRunsOrFail(directories: readonly string[]) {
  let runs: LoadedRun[];
  try {
    const namedBy = new Map<string, string>();
    runs = directories.flatMap((argument) =>
      loadRuns([userPath(argument)]).map((run) => {
        const key = realpathSync(run.directory);
        const earlier = namedBy.get(key);
        if (earlier === argument) throw new UsageError(`${argument} is given twice; name each run once`);
        if (earlier !== undefined)
          throw new UsageError(
            `the run ${run.directory} is named twice (by ${earlier} and by ${argument}); name each run once`,
          );
        namedBy.set(key, argument);
        return run;
      }),
    );
  } catch (error) {
    throw error instanceof UsageError ? error : new UsageError((error as Error).message);
  }
  if (runs.length === 0) throw new UsageError('no runs found');
  return runs;
}
