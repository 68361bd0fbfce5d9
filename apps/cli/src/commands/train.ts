import { join } from 'node:path';
import type { AutoLearningRate } from '@contour/core';
import { ConsoleSink } from '@contour/metrics-logger/node';
import { checkMnistSource } from '@contour/mnist-loader/node/check';
import { freshRunId, type OpenedRunDirectory, openRunDirectory } from '@contour/runs/files';
import type { Command } from 'commander';
import { handleInterrupts } from '../interrupt.js';
import { startChartWorkers, stopChartWorkers } from '../render-chart.js';
import { findingLines, loadRun, resultsTable, writeRunPlots } from '../run-report.js';
import {
  addTrainingFlags,
  autoPlaceholderRate,
  parseAutoFlags,
  runConfigWithPlugins,
  scheduleNote,
  type TrainingFlags,
} from '../training-options.js';
import { parseDecimal, UsageError, userPath } from '../usage-error.js';

interface TrainFlags extends TrainingFlags {
  out?: string;
  resume?: string;
  restart?: boolean;
  json?: boolean;
}

/** A fresh run directory name: out/runs/run-YYYYMMDD-HHMMSS. */
export function defaultRunDirectory(prefix = 'run'): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return join('out', 'runs', `${prefix}-${stamp}`);
}

/** `contour train`: one run into a run directory, with progress and a summary. */
export function registerTrainCommand(program: Command): void {
  const command = program
    .command('train')
    .description('train a model on MNIST-format data and write a run directory (metrics, checkpoint, plots)');
  addTrainingFlags(command)
    .option('--out <dir>', 'run directory (default out/runs/run-<time>)')
    .option('--resume <dir>', 'continue the run in <dir> from its last checkpoint (its config.json is used)')
    .option(
      '--restart',
      'with --resume: train that run again from epoch 1 with its config.json (old files kept in discarded-<time>/)',
    )
    .option('--json', 'print only the run summary as JSON on stdout')
    .action(async (flags: TrainFlags, commandObject: Command) => {
      if (flags.resume !== undefined && flags.out !== undefined)
        throw new UsageError('--resume and --out exclude each other: a resumed run stays in its directory');
      if (flags.restart && flags.resume === undefined)
        throw new UsageError('--restart goes with --resume <dir> (the run to train again from epoch 1)');
      if (flags.resume !== undefined) {
        // A resumed run keeps its config.json: a training flag given with it would be ignored.
        const given = commandObject.options
          .filter((option) => {
            const key = option.attributeName();
            return (
              !['resume', 'restart', 'json'].includes(key) &&
              commandObject.getOptionValueSource(key) === 'cli'
            );
          })
          .map((option) => option.long ?? option.name());
        if (given.length > 0)
          throw new UsageError(
            `--resume continues a run with its own config.json; remove ${given.join(', ')} (or train a new run with --out)`,
          );
      }
      const auto = parseAutoFlags(flags);
      const rate = auto ? undefined : flags.lr === undefined ? undefined : parseDecimal('--lr', flags.lr);
      if (rate !== undefined && !(rate >= 0))
        throw new UsageError(`--lr must be a number ≥ 0; got "${flags.lr}"`);
      const config = auto
        ? await runConfigWithPlugins(auto.flags, autoPlaceholderRate)
        : await runConfigWithPlugins(flags, rate);
      const directory = userPath(flags.resume ?? flags.out ?? defaultRunDirectory());
      const consoleSink = new ConsoleSink({ progressBar: process.stderr.isTTY === true });
      // A fresh run's first line (`run <id> started: N epochs`) says only what the config gives: it
      // is printed once its directory is locked and holds no other run, before tfjs and the data
      // load; the run-start record then prints nothing more. A resumed run's first line (`resumed:
      // …`) needs its checkpoint, `--lr auto`'s (`lr auto: …`) the range test, and a model.json's
      // the model built by tfjs-layers (its input, output and weights are checked against the data
      // first, so a misfit is one line): they come later.
      let opened: OpenedRunDirectory | undefined;
      if (flags.resume === undefined && !auto && config.training.model.type !== 'layers') {
        opened = openRunDirectory(directory);
        // The data's cheap checks (names, files, IDX headers and sizes) first, so bad input still
        // gets one line; what only the whole files tell (a label out of range) follows the line.
        try {
          await checkMnistSource(config.data.source, {
            ...(config.data.classCount === undefined ? {} : { classCount: config.data.classCount }),
          });
        } catch (error) {
          opened.close(true);
          throw error;
        }
        consoleSink.announceRunStart(freshRunId(config), config.training.epochs);
      }
      // The training engine (tfjs and its backends) loads once the flags are checked, before the
      // chart worker starts loading vega on the other core (as when it was imported at start-up).
      let runTraining: typeof import('@contour/runs').runTraining;
      try {
        ({ runTraining } = await import('@contour/runs'));
      } catch (error) {
        opened?.close(true);
        throw error;
      }
      startChartWorkers();
      const interrupts = handleInterrupts();
      let chosen: AutoLearningRate | undefined;
      try {
        const outcome = await runTraining(config, {
          directory,
          resume: flags.resume !== undefined,
          ...(flags.restart ? { restart: true } : {}),
          ...(opened ? { opened } : {}),
          signal: interrupts.signal,
          consoleSink,
          ...(auto
            ? {
                autoLearningRate: {
                  ...(auto.schedule ? { schedule: 'auto' as const } : {}),
                  onChosen: (found, optimizer) => {
                    chosen = found.auto;
                    if (!flags.json)
                      console.log(`lr auto: ${found.auto.explanation}${scheduleNote(optimizer.lr)}`);
                  },
                },
              }
            : {}),
        });
        const run = loadRun(directory);
        const plots = await writeRunPlots(run);
        if (flags.json) {
          console.log(
            JSON.stringify(
              {
                ...outcome,
                ...(chosen
                  ? {
                      autoLearningRate: {
                        learningRate: chosen.learningRate,
                        explanation: chosen.explanation,
                        spread: chosen.spread,
                      },
                    }
                  : {}),
                findings: run.findings,
                plots,
              },
              null,
              2,
            ),
          );
        } else {
          console.log(resultsTable([run]));
          for (const line of findingLines([run])) console.log(`finding: ${line}`);
          console.log(`backend ${outcome.backend}; run directory ${directory}`);
          for (const path of plots) console.log(`wrote ${path}`);
        }
        if (outcome.status === 'interrupted') process.exitCode = 130;
      } finally {
        interrupts.release();
        await stopChartWorkers();
      }
    });
}
