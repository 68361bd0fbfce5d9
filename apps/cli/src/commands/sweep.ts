import { basename, join } from 'node:path';
import { expandSweep, type SweepAxis } from '@contour/core/config';
import { formatMetric } from '@contour/metrics-logger';
import { writeFileAtomic } from '@contour/metrics-logger/node';
import type { SuccessiveHalvingTrialResult, SweepRunOptions, SweepTrialResult } from '@contour/runs';
import { lockDirectory, writeSweepFile } from '@contour/runs/files';
import type { Command } from 'commander';
import { handleInterrupts } from '../interrupt.js';
import { parseJsonInput } from '../json-input.js';
import { startChartWorkers, stopChartWorkers } from '../render-chart.js';
import { findingLines, loadSweepRuns, resultsTable, writeReport, writeRunPlots } from '../run-report.js';
import { sweepChartPreparation } from '../sweep-chart-preparation.js';
import {
  checkTrialsForScheduler,
  parseSchedulerFlags,
  readSuccessiveHalving,
  successiveHalvingSummary,
} from '../sweep-scheduler.js';
import {
  addTrainingFlags,
  autoPlaceholderRate,
  runConfigFromFlags,
  runConfigWithPlugins,
  type TrainingFlags,
} from '../training-options.js';
import { parseNumberList, parsePositiveInteger, UsageError, userPath } from '../usage-error.js';

interface SweepFlags extends TrainingFlags {
  out: string;
  vary: string[];
  workers?: string;
  queue?: string;
  preset?: string;
  id?: string;
  plots?: string;
  scheduler?: string;
  reductionFactor?: string;
  minEpochs?: string;
}

/** What `--plots` draws: each trial's own charts and the sweep's, the sweep's only, or none. */
export const plotModes = ['per-run', 'sweep', 'none'] as const;
export type PlotMode = (typeof plotModes)[number];

/**
 * Sweeps with more trials than this draw only the sweep-level charts unless `--plots per-run`
 * (each trial's PNG and SVGs are ~0.4 MB: 1,000 trials would write ~400 MB of images).
 */
export const perRunPlotsThreshold = 20;

/** The `--plots` mode a sweep of `trialCount` trials uses. */
export function plotMode(flag: string | undefined, trialCount: number): PlotMode {
  if (flag === undefined) return trialCount > perRunPlotsThreshold ? 'sweep' : 'per-run';
  if (!(plotModes as readonly string[]).includes(flag)) {
    throw new UsageError(`--plots must be one of ${plotModes.join(', ')}; got "${flag}"`);
  }
  return flag as PlotMode;
}

/** Presets: named experiments, exactly as documented. */
export const sweepPresets: Readonly<Record<string, { description: string; flags: Partial<TrainingFlags> }>> =
  {
    'mnist-lr-sweep': {
      description:
        'the classic experiment: one-layer softmax on MNIST at rates 1, 0.5, 0.2, 0.1, 0.01; cross entropy; 10 epochs; batch 64',
      flags: {
        model: 'linear',
        lr: '1,0.5,0.2,0.1,0.01',
        epochs: '10',
        batchSize: '64',
        loss: 'cross-entropy',
        data: 'mnist',
      },
    },
  };

const collect = (value: string, previous: string[]) => [...previous, value];

/** Parses `key=v1,v2` or `key=[json array]`; values are JSON where they parse, else strings. */
export function parseVary(text: string): SweepAxis {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new UsageError(`--vary must look like key=v1,v2 (or key=[json,...]); got "${text}"`);
  const key = text.slice(0, equals).trim();
  const rest = text.slice(equals + 1).trim();
  let values: unknown[];
  if (rest.startsWith('[')) {
    values = parseJsonInput(`--vary ${key}`, rest) as unknown[];
    if (!Array.isArray(values)) throw new UsageError(`--vary ${key}: expected a JSON array`);
  } else {
    values = rest.split(',').map((part) => {
      const trimmed = part.trim();
      try {
        return parseJsonInput(`--vary ${key}`, trimmed);
      } catch (error) {
        // Plain words (relu, cpu) are strings; reserved keys and deep JSON are not.
        if ((error as Error).message.includes('is not valid JSON')) return trimmed;
        throw error;
      }
    });
  }
  if (values.length === 0 || values.some((value) => value === ''))
    throw new UsageError(`--vary ${key}: give one or more values`);
  return { key, values };
}

/** Default number of rates of `--lr auto`. */
export const defaultAutoRateCount = 5;

/**
 * Reads `--lr auto[:N]` of a sweep: N (default 5) rates bracketing the range test's choice;
 * undefined for a rate list. N must be an integer in 2..50 (exit 2 otherwise).
 */
export function parseAutoRateCount(text: string | undefined): number | undefined {
  const value = text?.trim();
  if (value === undefined || !/^auto\b/.test(value)) return undefined;
  if (value === 'auto') return defaultAutoRateCount;
  const match = /^auto:(\d{1,2})$/.exec(value);
  const count = match ? Number(match[1]) : Number.NaN;
  if (!(count >= 2 && count <= 50))
    throw new UsageError(`--lr auto:N needs N, the number of rates, an integer in 2..50; got "${value}"`);
  return count;
}

/** The one-line progress note of a finished trial. */
function describeResult(result: SweepTrialResult): string {
  const decision = (result as Partial<SuccessiveHalvingTrialResult>).decision;
  if (decision !== undefined)
    return `${result.trial.label}: ${decision.reason}${result.reused ? ' (already done, reused)' : ''}`;
  const summary = result.summary;
  const reused = result.reused ? ' (already done, reused)' : '';
  if (!summary) return `${result.trial.label}: ${result.status}${result.error ? `: ${result.error}` : ''}`;
  const error = summary.final.validation?.classificationError;
  const diverged =
    summary.divergedAtEpoch === undefined ? '' : `, diverged at epoch ${summary.divergedAtEpoch}`;
  return `${result.trial.label}: ${result.status} after ${summary.epochs} epochs, val err ${formatMetric(error)}${diverged}${reused}`;
}

/** `contour sweep`: a grid of runs overlaid into one report. */
export function registerSweepCommand(program: Command): void {
  // `train --resume <dir>` users try the same on a sweep; commander would only say --out is
  // required. Checked before the sweep's own flags are parsed, so the hint comes first.
  program.hook('preSubcommand', (parent, subcommand) => {
    // The program's words so far: the subcommand's name and every word after it, still unparsed.
    const args = parent.args;
    if (
      subcommand.name() === 'sweep' &&
      args.some((arg) => arg === '--resume' || arg.startsWith('--resume=')) &&
      !args.includes('--help') &&
      !args.includes('-h')
    )
      throw new UsageError(
        'sweep has no --resume: run the same sweep command with the same --out again (finished trials are kept, interrupted ones resume from their checkpoint)',
      );
  });
  const command = program
    .command('sweep')
    .description(
      'train a grid of runs (learning rates and any other setting) and overlay their loss per epoch',
    );
  addTrainingFlags(command, { lrList: true })
    .requiredOption(
      '--out <dir>',
      'sweep directory: trials/<id>/ per run, sweep.svg/png, report.html, results.json',
    )
    .option(
      '--vary <key=values>',
      'another axis: batchSize=32,128, optimizer.momentum=0,0.9, model=[\\"linear\\",\\"mlp:100\\"] (repeatable)',
      collect,
      [],
    )
    .option('--workers <n>', 'parallel worker processes (default: number of cores; 0 = in this process)')
    .option(
      '--queue <url>',
      'train the trials on `contour worker`s through Redis + BullMQ, e.g. redis://host:6379',
    )
    .option('--preset <name>', `a named experiment: ${Object.keys(sweepPresets).join(', ')}`)
    .option('--id <id>', 'sweep id (default: the --out folder name); trial ids derive from it')
    .option(
      '--plots <mode>',
      `per-run (each trial's charts too), sweep (the sweep's charts only) or none (no images); default per-run up to ${perRunPlotsThreshold} trials, sweep above`,
    )
    .option(
      '--scheduler <name>',
      'grid (every trial trains all epochs; default) or asha (asynchronous successive halving: the best 1/η of each rung train on, the rest stop)',
    )
    .option('--reduction-factor <n>', 'asha: η, the top 1/η of a rung is promoted (default 3)')
    .option('--min-epochs <n>', 'asha: epochs of the first rung, r (default 1); rungs at r·η^k epochs')
    .action(async (flags: SweepFlags, commandObject: Command) => {
      let effective: SweepFlags = flags;
      if (flags.preset !== undefined) {
        const preset = sweepPresets[flags.preset];
        if (!preset)
          throw new UsageError(
            `--preset must be one of ${Object.keys(sweepPresets).join(', ')}; got "${flags.preset}"`,
          );
        // Flags given explicitly on the command line win over the preset.
        const explicit = Object.fromEntries(
          Object.keys(flags)
            .filter((key) => commandObject.getOptionValueSource(key) === 'cli')
            .map((key) => [key, flags[key as keyof SweepFlags]]),
        );
        effective = { ...flags, ...preset.flags, ...explicit } as SweepFlags;
      }
      // Checked before --lr auto:N's range tests, which take minutes.
      const { lr: _rate, ...withoutRate } = effective;
      // Every flag is checked before the --plugin modules load, the schedule after.
      const checked = await runConfigWithPlugins(withoutRate, undefined);
      const schedulePlugins = checked.schedulePlugins ?? [];
      const scheduler = parseSchedulerFlags(effective, checked.training.epochs);
      if (scheduler.type === 'asha' && effective.workers !== undefined)
        throw new UsageError('--workers goes with --scheduler grid (asha trains its trials in this process)');
      if (effective.plots !== undefined) plotMode(effective.plots, 0);
      const autoCount = parseAutoRateCount(effective.lr);
      if (autoCount !== undefined && effective.schedule?.trim() === 'auto')
        throw new UsageError(
          '--schedule auto goes with train/finetune; a sweep compares constant rates (or give a schedule JSON)',
        );
      let rates =
        effective.lr === undefined || autoCount !== undefined
          ? undefined
          : parseNumberList('--lr', effective.lr);
      if (rates?.some((rate) => !(rate >= 0))) throw new UsageError('--lr rates must be ≥ 0');
      let autoRecords: unknown[] | undefined;
      if (autoCount !== undefined) {
        const { lr: _auto, ...withoutAuto } = effective;
        const probe = runConfigFromFlags(withoutAuto, autoPlaceholderRate, schedulePlugins);
        const [
          { checkRunInputs, findAutoLearningRateForConfig },
          { autoLearningRateRecords, autoSweepLearningRates },
        ] = await Promise.all([import('@contour/runs'), import('@contour/core')]);
        if (probe.training.model.type === 'layers') await checkRunInputs(probe);
        const found = await findAutoLearningRateForConfig(probe);
        rates = autoSweepLearningRates(found.auto, autoCount);
        autoRecords = autoLearningRateRecords(found);
        console.log(`lr auto: ${found.auto.explanation}`);
        console.log(
          `lr auto:${autoCount}: sweeping ${rates.map((rate) => String(rate)).join(', ')} (log grid centred on it, spanning the usable region)`,
        );
      }
      const axes: SweepAxis[] = [
        ...(rates ? [{ key: 'lr', values: rates }] : []),
        ...effective.vary.map(parseVary),
      ];
      if (axes.length === 0)
        throw new UsageError(
          'sweep needs --lr r1,r2,... and/or --vary key=v1,v2 (or --preset mnist-lr-sweep)',
        );
      const workers =
        effective.workers === undefined
          ? undefined
          : effective.workers === '0'
            ? 0
            : parsePositiveInteger('--workers', effective.workers);
      const { lr: _rates, ...withoutRates } = effective;
      const base = runConfigFromFlags(withoutRates, rates?.[0], schedulePlugins);
      const directory = userPath(effective.out);
      const sweepId =
        (effective.id ?? basename(directory))
          .replace(/[^A-Za-z0-9._-]/g, '-')
          .replace(/^[^A-Za-z0-9]+/, '') || 'sweep';
      const trials = expandSweep(sweepId, base, axes);
      const plots = plotMode(effective.plots, trials.length);
      checkTrialsForScheduler(scheduler, trials);
      if (effective.queue !== undefined && effective.workers !== undefined) {
        throw new UsageError(
          '--workers and --queue exclude each other (with --queue the workers are `contour worker`s)',
        );
      }
      // Checked before anything is written: an unreachable Redis leaves the directory untouched.
      // BullMQ loads only for --queue.
      const queue =
        effective.queue === undefined
          ? undefined
          : {
              url: await (await import('./queue.js')).connectQueueFlag(effective.queue),
              ...(await import('@contour/queue')),
            };
      // A model.json is built once for the data first: one that does not fit it writes nothing.
      if (base.training.model.type === 'layers') await (await import('@contour/runs')).checkRunInputs(base);
      // One writer per sweep directory: a second identical sweep stops here with the owner's pid.
      const lock = lockDirectory(directory);
      const interrupts = handleInterrupts();
      try {
        writeSweepFile(directory, sweepId, axes, trials);
        if (autoRecords)
          writeFileAtomic(
            join(directory, 'auto-learning-rate.json'),
            `${JSON.stringify({ rates, records: autoRecords }, null, 2)}\n`,
          );
        console.error(`sweep ${sweepId}: ${trials.length} trials → ${directory}`);
        // The training engine (tfjs and its backends) loads after the first line, before the chart
        // worker starts loading vega on the other core (as when it was imported at start-up).
        const { runSuccessiveHalvingSweep, runSweep } = await import('@contour/runs');
        if (plots !== 'none') startChartWorkers();
        const prepareCharts =
          plots === 'none'
            ? undefined
            : sweepChartPreparation(directory, trials, {
                perRun: plots === 'per-run',
                reportTitle: `Sweep ${sweepId}`,
              });
        const sweepOptions: SweepRunOptions = {
          directory,
          lock,
          signal: interrupts.signal,
          onTrialStart: (trial) => console.error(`start ${trial.label} (${trial.id})`),
          onEpoch: (trial, record) => {
            console.error(
              `  ${trial.label} epoch ${record.epoch}: train ce ${formatMetric(record.train.crossEntropy)} val err ${formatMetric(record.validation?.classificationError)}`,
            );
            prepareCharts?.(trial, record);
          },
          onTrialEnd: (result) => console.error(`done  ${describeResult(result)}`),
        };
        const results =
          scheduler.type === 'asha'
            ? queue === undefined
              ? await runSuccessiveHalvingSweep(trials, {
                  ...sweepOptions,
                  successiveHalving: scheduler,
                  onDecision: (line) => console.error(`asha: ${line}`),
                })
              : await queue.runSuccessiveHalvingOnQueue(trials, {
                  ...sweepOptions,
                  queueUrl: queue.url,
                  successiveHalving: scheduler,
                  onDecision: (line) => console.error(`asha: ${line}`),
                  onStopWaiting: (line) => console.error(line),
                })
            : queue === undefined
              ? await runSweep(trials, { ...sweepOptions, ...(workers === undefined ? {} : { workers }) })
              : await queue.runSweepOnQueue(trials, {
                  ...sweepOptions,
                  queueUrl: queue.url,
                  onEnqueued: ({ added, existing }) =>
                    console.error(
                      `queued on ${queue.parseQueueUrl(queue.url).display}: ${added.length} new trial(s), ${existing.length} already there`,
                    ),
                  // Every ~10 s: how many trials wait and whether any worker is there to train them.
                  onWaiting: (report) => console.error(`waiting: ${queue.describeQueueWait(report)}`),
                  // Ctrl-C: the trials stay queued; say whether anything will train them.
                  onStopWaiting: (report) => console.error(queue.describeQueueStop(report)),
                  onStateLost: (message) => console.error(message),
                });
        const runs = loadSweepRuns(directory);
        const [, written] = await Promise.all([
          plots === 'per-run' ? Promise.all(runs.map(writeRunPlots)) : Promise.resolve([]),
          writeReport(directory, runs, `Sweep ${sweepId}`, { charts: plots !== 'none' }),
        ]);
        console.log(resultsTable(runs));
        for (const line of findingLines(runs)) console.log(`finding: ${line}`);
        const halving = scheduler.type === 'asha' ? readSuccessiveHalving(directory) : undefined;
        if (halving) console.log(successiveHalvingSummary(halving));
        for (const path of written) console.log(`wrote ${path}`);
        const failed = results.filter((result) => result.status === 'failed');
        if (interrupts.signal.aborted) process.exitCode = 130;
        else if (failed.length > 0) {
          console.error(
            `${failed.length} trial(s) failed: ${failed.map((result) => `${result.trial.label}: ${result.error}`).join('; ')}`,
          );
          process.exitCode = 1;
        }
      } finally {
        interrupts.release();
        await stopChartWorkers();
        lock.release();
      }
    });
}
