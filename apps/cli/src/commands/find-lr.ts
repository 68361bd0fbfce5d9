import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { HalvingSearchResult, RangeTestResult } from '@contour/core';
import { CoreSpecError, type SuggestionName, suggestionNames } from '@contour/core/config';
import { formatMetric, halvingChartSpec, rangeTestChartSpec } from '@contour/metrics-logger';
import { makeDirectory, notWritableError, writeFileAtomic } from '@contour/metrics-logger/node';
import type { findLearningRate } from '@contour/runs';
import { Command } from 'commander';
import { compactTable } from '../compact-table.js';
import { writeChart } from '../render-chart.js';
import { addTrainingFlags, runConfigWithPlugins, type TrainingFlags } from '../training-options.js';
import { parseDecimal, parsePositiveInteger, UsageError, userPath } from '../usage-error.js';

interface FindLrFlags extends TrainingFlags {
  start: string;
  end: string;
  iters: string;
  method: string;
  startLr: string;
  budget: string;
  suggestion: string;
  out?: string;
  json?: boolean;
}

function positiveNumber(flag: string, text: string): number {
  const value = parseDecimal(flag, text);
  if (!(value > 0)) throw new UsageError(`${flag} must be a number > 0; got "${text}"`);
  return value;
}

/** A rate as typed on a command line: 3 significant digits. */
function rateText(rate: number): string {
  return String(Number.parseFloat(rate.toPrecision(3)));
}

/** Quotes a value for a POSIX shell when it needs it. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * The `contour train …` command that uses `rate`: the training flags given on this command line
 * (not find-lr's own), then `--lr <rate>`. It starts as the user starts contour: `npx contour`
 * where the package is installed (`pnpm contour` exists only in Contour's own repository, whose
 * launcher says so in `CONTOUR_COMMAND`).
 */
export function trainCommandLine(command: Command, rate: number): string {
  const trainingFlags = new Set(addTrainingFlags(new Command('probe')).options.map((option) => option.long));
  const words = [process.env.CONTOUR_COMMAND ?? 'npx contour', 'train'];
  for (const option of command.options) {
    if (!option.long || !trainingFlags.has(option.long) || option.long === '--lr') continue;
    const key = option.attributeName();
    if (command.getOptionValueSource(key) !== 'cli') continue;
    const value = command.getOptionValue(key);
    if (value === true) words.push(option.long);
    else if (typeof value === 'string') words.push(option.long, shellWord(value));
    else if (Array.isArray(value)) for (const item of value) words.push(option.long, shellWord(String(item)));
  }
  words.push('--lr', rateText(rate));
  return words.join(' ');
}

/** `contour find-lr`: the learning-rate range test (or the halving search) with plot and JSON. */
export function registerFindLrCommand(program: Command): void {
  const command = program
    .command('find-lr')
    .description(
      'find a learning rate: exponential range test (fastai lr_find) or "start high and halve until it stops diverging"',
    );
  addTrainingFlags(command)
    .option('--start <rate>', 'first rate of the exponential sweep', '1e-7')
    .option('--end <rate>', 'rate the sweep heads for', '10')
    .option('--iters <n>', 'batches of the sweep (≥ 6)', '100')
    .option('--method <name>', 'exponential (range test) or halving', 'exponential')
    .option('--start-lr <rate>', 'halving: first rate tried', '10')
    .option('--budget <steps>', 'halving: optimizer steps per attempt', '50')
    .option(
      '--suggestion <name>',
      `which suggestion the train command uses: ${suggestionNames.join(', ')}`,
      'valley',
    )
    .option(
      '--out <dir>',
      'output directory: find-lr.json, find-lr.svg, find-lr.png (without it nothing is written, as fastai lr_find)',
    )
    .option('--json', 'print the JSON result (curve, suggestions, command) on stdout')
    .action(async (flags: FindLrFlags) => {
      if (flags.lr !== undefined)
        throw new UsageError('--lr is not used by find-lr: it sweeps the rate (see --start/--end)');
      if (flags.method !== 'exponential' && flags.method !== 'halving')
        throw new UsageError(`--method must be exponential or halving; got "${flags.method}"`);
      if (!suggestionNames.includes(flags.suggestion as SuggestionName))
        throw new UsageError(
          `--suggestion must be one of ${suggestionNames.join(', ')}; got "${flags.suggestion}"`,
        );
      const suggestion = flags.suggestion as SuggestionName;
      const settings = {
        startLearningRate: positiveNumber('--start', flags.start),
        endLearningRate: positiveNumber('--end', flags.end),
        iterations: parsePositiveInteger('--iters', flags.iters),
      };
      const halving = {
        startLearningRate: positiveNumber('--start-lr', flags.startLr),
        budgetSteps: parsePositiveInteger('--budget', flags.budget),
      };
      const config = await runConfigWithPlugins(flags, undefined);
      const directory = flags.out === undefined ? undefined : userPath(flags.out);
      if (!flags.json)
        console.error(
          flags.method === 'halving'
            ? `halving search from ${halving.startLearningRate}, ${halving.budgetSteps} steps per attempt${directory ? ` → ${directory}` : ''}`
            : `range test ${settings.startLearningRate} → ${settings.endLearningRate} over ${settings.iterations} batches${directory ? ` → ${directory}` : ''}`,
        );
      // An --out that cannot take the results fails now, not after the range test (minutes on a CNN).
      if (directory) {
        makeDirectory(directory);
        try {
          accessSync(directory, constants.W_OK);
        } catch (error) {
          throw notWritableError(error, directory) ?? error;
        }
      }
      let outcome: Awaited<ReturnType<typeof findLearningRate>>;
      try {
        // The training engine (tfjs and its backends) loads after the first line.
        const { findLearningRate } = await import('@contour/runs');
        outcome = await findLearningRate(config, {
          method: flags.method,
          settings,
          halving,
          ...(flags.json
            ? {}
            : {
                onAttempt: (attempt) =>
                  console.error(
                    `  lr ${rateText(attempt.learningRate)}: ${attempt.diverged ? 'diverged' : 'ok'} (${attempt.reason})`,
                  ),
              }),
        });
      } catch (error) {
        if (error instanceof CoreSpecError) {
          const flag =
            { startLearningRate: '--start', endLearningRate: '--end', iterations: '--iters' }[error.field] ??
            `--${error.field.split(/[ .]/)[0]}`;
          throw new UsageError(`${flag}: ${error.message}`);
        }
        throw error;
      }
      const result = outcome.result;
      // Without --out nothing is written (fastai's lr_find writes nothing it is not asked to).
      const plots = directory ? [join(directory, 'find-lr.svg'), join(directory, 'find-lr.png')] : [];
      let chosen: number | undefined;
      let report: Record<string, unknown>;
      if (result.method === 'exponential') {
        chosen = result.suggestions[suggestion]?.learningRate;
        if (plots.length > 0)
          await writeChart(
            rangeTestChartSpec({
              points: result.points,
              trimmed: result.trimmed,
              suggestions: Object.values(result.suggestions),
              selected: suggestion,
            }),
            plots,
          );
        report = exponentialReport(result);
      } else {
        chosen = result.learningRate;
        if (plots.length > 0) await writeChart(halvingChartSpec(result.attempts), plots);
        report = halvingReport(result);
      }
      const trainCommand = chosen === undefined ? undefined : trainCommandLine(command, chosen);
      const json = {
        method: result.method,
        backend: outcome.backend,
        trainingExamples: outcome.trainingExamples,
        ...report,
        suggestion:
          chosen === undefined
            ? null
            : { name: result.method === 'halving' ? 'halving' : suggestion, learningRate: chosen },
        trainCommand: trainCommand ?? null,
        seconds: result.seconds,
      };
      if (directory) writeFileAtomic(join(directory, 'find-lr.json'), `${JSON.stringify(json, null, 2)}\n`);
      if (flags.json) {
        console.log(JSON.stringify(json, null, 2));
      } else {
        if (result.method === 'exponential') {
          console.log(
            `stopped: ${result.stop} after ${result.points.length} batches (best smoothed loss ${formatMetric(result.bestSmoothedLoss)}); analysed points ${result.trimmed.start}–${result.trimmed.end - 1}`,
          );
          const table = compactTable(['suggestion', 'learning rate', 'smoothed loss']);
          for (const name of suggestionNames) {
            const item = result.suggestions[name];
            table.push([
              name === suggestion ? `${name} *` : name,
              item ? rateText(item.learningRate) : '—',
              formatMetric(item?.loss),
            ]);
          }
          console.log(table.toString());
        } else {
          const table = compactTable(['learning rate', 'verdict', 'first loss', 'final loss', 'steps']);
          for (const attempt of result.attempts)
            table.push([
              rateText(attempt.learningRate),
              attempt.diverged ? 'diverged' : 'ok',
              formatMetric(attempt.initialLoss),
              formatMetric(attempt.finalLoss),
              String(attempt.steps),
            ]);
          console.log(table.toString());
        }
        if (trainCommand)
          console.log(`suggested rate ${rateText(chosen as number)}; train with:\n  ${trainCommand}`);
        else
          console.log(
            'no suggestion: the curve was too short to analyse (try more --iters or a wider --start/--end)',
          );
        if (directory)
          for (const path of [join(directory, 'find-lr.json'), ...plots]) console.log(`wrote ${path}`);
      }
    });
}

function exponentialReport(result: RangeTestResult): Record<string, unknown> {
  return {
    settings: result.settings,
    stop: result.stop,
    batchesPerEpoch: result.batchesPerEpoch,
    bestSmoothedLoss: result.bestSmoothedLoss,
    trimmed: { start: result.trimmed.start, end: result.trimmed.end },
    suggestions: result.suggestions,
    curve: result.points,
  };
}

function halvingReport(result: HalvingSearchResult): Record<string, unknown> {
  return {
    attempts: result.attempts,
    learningRate: result.learningRate ?? null,
  };
}
