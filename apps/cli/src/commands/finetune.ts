import { join } from 'node:path';
import {
  CoreSpecError,
  defaultSourceClasses,
  denseLayerNames,
  type FinetuneSettings,
  parseModelSpec,
  type RunConfig,
  resolveRunConfig,
  validateFinetuneSettings,
} from '@contour/core/config';
import { formatMetric } from '@contour/metrics-logger';
import { checkMnistSource } from '@contour/mnist-loader/node/check';
import type { RunConfigFile } from '@contour/runs';
import { readJsonFile, runFiles } from '@contour/runs/files';
import type { Command } from 'commander';
import { handleInterrupts } from '../interrupt.js';
import { findingLines, loadRun, resultsTable, writeReport, writeRunPlots } from '../run-report.js';
import {
  addTrainingFlags,
  autoPlaceholderRate,
  modelFlag,
  parseAutoFlags,
  runConfigWithPlugins,
  scheduleNote,
  type TrainingFlags,
} from '../training-options.js';
import { parseDecimal, parseNumberList, parsePositiveInteger, UsageError, userPath } from '../usage-error.js';

interface FinetuneFlags extends TrainingFlags {
  from?: string;
  lrMult: string[];
  freeze: string[];
  freezeUntil?: string;
  gradualUnfreeze?: boolean;
  discriminative?: string;
  compare?: boolean;
  sourceClasses?: string;
  targetClasses?: string;
  pretrainEpochs?: string;
  pretrainLr: string;
  scratchLr?: string;
  out: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Default model of `finetune` (a linear model has no hidden layer to transfer). */
export const defaultFinetuneModel = 'mlp:128';
/** Default fine-tuning base rate (the head gets ×10 of it with --compare or --lr-mult head=10). */
export const defaultFinetuneRate = 0.01;

/** Parses `head=10,hidden2=2` (and repeated flags) into multipliers by layer. */
export function parseLayerMultipliers(values: readonly string[]): Record<string, number> {
  const multipliers: Record<string, number> = {};
  for (const item of values.flatMap((value) => value.split(','))) {
    const [layer, text, extra] = item.split('=').map((part) => part.trim());
    const value = Number(text);
    if (
      !layer ||
      text === undefined ||
      text === '' ||
      extra !== undefined ||
      !Number.isFinite(value) ||
      value < 0
    )
      throw new UsageError(`--lr-mult must look like head=10 (layer=multiplier ≥ 0); got "${item}"`);
    multipliers[layer] = value;
  }
  return multipliers;
}

/** Parses a class list: `0,1,2`, `5-9` or a mix (`0-2,7`). */
export function parseClassList(flag: string, text: string): number[] {
  const classes = text.split(',').flatMap((part) => {
    const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (to < from) throw new UsageError(`${flag}: the range "${part.trim()}" runs backwards`);
      return Array.from({ length: to - from + 1 }, (_, index) => from + index);
    }
    if (!/^\s*\d+\s*$/.test(part))
      throw new UsageError(`${flag} must list classes like 0,1,2 or 5-9; got "${text}"`);
    return [Number(part)];
  });
  if (new Set(classes).size !== classes.length)
    throw new UsageError(`${flag} lists a class twice: "${text}"`);
  return classes;
}

function flagOfField(field: string): string {
  if (field.startsWith('learningRateMultipliers')) return '--lr-mult';
  return (
    {
      freeze: '--freeze',
      freezeUntil: '--freeze-until',
      discriminative: '--discriminative',
      model: '--model',
    }[field] ?? `--${field}`
  );
}

/** `contour finetune`: pretrain (or take --from), fine-tune with per-layer rates, optionally compare. */
export function registerFinetuneCommand(program: Command): void {
  const command = program
    .command('finetune')
    .description(
      'transfer learning: pretrain on some classes (or take --from RUN_DIR), fine-tune on others with a new head and per-layer rates',
    );
  addTrainingFlags(command)
    .option(
      '--from <dir>',
      'a run directory whose model/ is the pretrained network (default: pretrain first)',
    )
    .option(
      '--lr-mult <layer=mult>',
      'rate multiplier of a layer, e.g. head=10 (repeatable, or comma-separated)',
      collect,
      [],
    )
    .option(
      '--freeze <layers>',
      'layers never updated, e.g. hidden1 (repeatable, or comma-separated)',
      collect,
      [],
    )
    .option('--freeze-until <n>', 'freeze hidden1 … hiddenN')
    .option(
      '--gradual-unfreeze',
      'epoch 1 trains the head only; each epoch unfreezes one more layer from the top',
    )
    .option(
      '--discriminative <lo,hi>',
      'fastai slice(lo, hi): rates spread geometrically from the first layer to the head',
    )
    .option(
      '--compare',
      'run fine-tune with boosted head, fine-tune with one global rate, and from scratch, overlaid',
    )
    .option('--source-classes <list>', 'pretraining classes (default 0-4)')
    .option('--target-classes <list>', 'fine-tuning classes (default: the other classes, 5-9)')
    .option('--pretrain-epochs <n>', 'epochs of pretraining (default: --epochs)')
    .option('--pretrain-lr <rate>', 'learning rate of pretraining', '0.1')
    .option('--scratch-lr <rate>', "rate of the run from scratch in --compare (default: the pretraining's)")
    .requiredOption(
      '--out <dir>',
      'output directory: pretrain/, the fine-tuning run directories and report.html; the same command again continues there (finished runs kept, pretraining resumed, an unfinished fine-tuning run restarted)',
    )
    .option('--json', 'print the outcome as JSON on stdout')
    .action(async (flags: FinetuneFlags, commandObject: Command) => {
      const explicit = (key: string) => commandObject.getOptionValueSource(key) === 'cli';
      const auto = parseAutoFlags(flags);
      if (auto && flags.discriminative !== undefined)
        throw new UsageError(
          "--lr auto and --discriminative exclude each other: --discriminative lo,hi sets every layer's rate itself",
        );
      const rate = auto
        ? autoPlaceholderRate
        : flags.lr === undefined
          ? defaultFinetuneRate
          : parseDecimal('--lr', flags.lr);
      if (!(Number.isFinite(rate) && rate >= 0))
        throw new UsageError(`--lr must be a number ≥ 0; got "${flags.lr}"`);
      const pretrainRate = parseDecimal('--pretrain-lr', flags.pretrainLr);
      if (!(Number.isFinite(pretrainRate) && pretrainRate >= 0))
        throw new UsageError(`--pretrain-lr must be a number ≥ 0; got "${flags.pretrainLr}"`);
      const scratchRate =
        flags.scratchLr === undefined ? undefined : parseDecimal('--scratch-lr', flags.scratchLr);
      if (scratchRate !== undefined && !(Number.isFinite(scratchRate) && scratchRate >= 0))
        throw new UsageError(`--scratch-lr must be a number ≥ 0; got "${flags.scratchLr}"`);
      const model = explicit('model') ? flags.model : defaultFinetuneModel;
      if (flags.from !== undefined && explicit('model'))
        throw new UsageError('--model and --from exclude each other: the model comes from the --from run');
      const spec = parseModelSpec(modelFlag(model));
      // A model.json's layers are checked by core (built once) before any pretraining.
      if (spec.type !== 'layers' && spec.hidden.length === 0)
        throw new UsageError(`--model ${model} has no hidden layer to transfer; use e.g. --model mlp:128`);

      const settings: FinetuneSettings = {
        ...(flags.lrMult.length > 0 ? { learningRateMultipliers: parseLayerMultipliers(flags.lrMult) } : {}),
        ...(flags.freeze.length > 0
          ? { freeze: flags.freeze.flatMap((value) => value.split(',')).map((layer) => layer.trim()) }
          : {}),
        ...(flags.freezeUntil === undefined
          ? {}
          : {
              freezeUntil:
                flags.freezeUntil === '0' ? 0 : parsePositiveInteger('--freeze-until', flags.freezeUntil),
            }),
        ...(flags.gradualUnfreeze ? { gradualUnfreeze: true } : {}),
      };
      if (flags.discriminative !== undefined) {
        const values = parseNumberList('--discriminative', flags.discriminative);
        if (values.length !== 2)
          throw new UsageError(`--discriminative must be two rates lo,hi; got "${flags.discriminative}"`);
        (settings as { discriminative?: [number, number] }).discriminative = [
          values[0] as number,
          values[1] as number,
        ];
      }

      const fromDirectory = flags.from === undefined ? undefined : userPath(flags.from);
      let sourceClasses: readonly number[] | undefined;
      if (fromDirectory !== undefined) {
        const saved = readJsonFile<RunConfigFile>(runFiles(fromDirectory).config);
        if (!saved)
          throw new UsageError(`--from ${flags.from}: no readable config.json (not a run directory)`);
        // A run @contour/layers' contourLogger recorded around model.fit has no data section; a
        // `contour train` run on all ten classes has one without `classes`.
        const { data, source } = saved.config as { data?: { classes?: unknown }; source?: unknown };
        if (
          typeof data !== 'object' ||
          data === null ||
          (data.classes !== undefined && !Array.isArray(data.classes))
        )
          throw new UsageError(
            `--from ${flags.from}: its config.json names no data classes${typeof source === 'string' ? ` (recorded by ${source})` : ''}; give a run directory contour train, sweep or finetune wrote`,
          );
        sourceClasses = saved.config.data.classes;
      } else {
        sourceClasses =
          flags.sourceClasses === undefined
            ? defaultSourceClasses
            : parseClassList('--source-classes', flags.sourceClasses);
      }
      const targetClasses =
        flags.targetClasses !== undefined
          ? parseClassList('--target-classes', flags.targetClasses)
          : sourceClasses === undefined
            ? undefined
            : Array.from({ length: 10 }, (_, label) => label).filter(
                (label) => !sourceClasses?.includes(label),
              );
      if (targetClasses !== undefined && targetClasses.length === 0)
        throw new UsageError('--target-classes: no classes left to fine-tune on; give --target-classes');

      const base = await runConfigWithPlugins({ ...(auto?.flags ?? flags), model }, rate);
      let target: RunConfig;
      let pretrain: RunConfig | undefined;
      try {
        target = resolveRunConfig({
          data: { ...base.data, ...(targetClasses ? { classes: targetClasses } : {}) },
          training: base.training,
          backend: base.backend,
        });
        if (fromDirectory === undefined) {
          pretrain = resolveRunConfig({
            data: { ...base.data, ...(sourceClasses ? { classes: sourceClasses } : {}) },
            training: {
              ...base.training,
              optimizer: { ...base.training.optimizer, lr: pretrainRate },
              epochs:
                flags.pretrainEpochs === undefined
                  ? base.training.epochs
                  : parsePositiveInteger('--pretrain-epochs', flags.pretrainEpochs),
            },
            backend: base.backend,
          });
        }
      } catch (error) {
        if (error instanceof CoreSpecError)
          throw new UsageError(`${flagOfField(error.field)}: ${error.message}`);
        throw error;
      }
      const directory = userPath(flags.out);
      // Pretraining a dense model: its first line (`pretrain: pretrain → <dir>`) says only what the
      // flags give, so once the settings are checked against the model's layers (as the experiment
      // checks them first) it is printed before tfjs and the data load. A model.json's layers are
      // known only once tfjs-layers builds it, and with --from the first line comes once the source
      // model and the data are loaded: those come later.
      let announced: string | undefined;
      if (pretrain && pretrain.training.model.type !== 'layers' && !flags.json) {
        try {
          validateFinetuneSettings(settings, denseLayerNames(pretrain.training.model.hidden.length));
        } catch (error) {
          if (error instanceof CoreSpecError)
            throw new UsageError(`${flagOfField(error.field)}: ${error.message}`);
          throw error;
        }
        // The data's cheap checks (names, files, IDX headers and sizes) too, so bad input still
        // gets one line; what only the whole files tell (a label out of range) follows the line.
        await checkMnistSource(pretrain.data.source, {
          ...(pretrain.data.classCount === undefined ? {} : { classCount: pretrain.data.classCount }),
        });
        announced = `pretrain: pretrain → ${join(directory, 'pretrain')}`;
        console.error(announced);
      }
      const interrupts = handleInterrupts();
      try {
        // The training engine (tfjs and its backends) loads only once the flags are checked.
        const { runFinetuneExperiment } = await import('@contour/runs');
        const outcome = await runFinetuneExperiment({
          directory,
          data: target.data,
          training: target.training,
          backend: target.backend,
          ...(base.schedulePlugins ? { schedulePlugins: base.schedulePlugins } : {}),
          ...(fromDirectory === undefined ? {} : { from: fromDirectory }),
          ...(pretrain ? { pretrain } : {}),
          settings,
          compare: flags.compare === true,
          ...(scratchRate === undefined
            ? {}
            : { scratchOptimizer: { ...(pretrain ?? target).training.optimizer, lr: scratchRate } }),
          signal: interrupts.signal,
          console: flags.json ? false : { progressBar: process.stderr.isTTY === true },
          onRunStart: (name, runDirectory, label) => {
            if (flags.json) return;
            const line = `${name}: ${label} → ${runDirectory}`;
            if (line === announced) announced = undefined;
            else console.error(line);
          },
          ...(auto
            ? {
                autoLearningRate: {
                  ...(auto.schedule ? { schedule: 'auto' as const } : {}),
                  onChosen: (found, optimizer) => {
                    if (!flags.json)
                      console.log(`lr auto: ${found.auto.explanation}${scheduleNote(optimizer.lr)}`);
                  },
                  // Run again into the same --out: the first run's choice, not a new range test.
                  onReused: (record, optimizer, runDirectory) => {
                    if (!flags.json)
                      console.log(
                        `lr auto: ${record.explanation}${scheduleNote(optimizer.lr)} (chosen before, as recorded in ${join(runDirectory, 'metrics.jsonl')})`,
                      );
                  },
                },
              }
            : {}),
        }).catch((error: unknown) => {
          if (error instanceof CoreSpecError)
            throw new UsageError(`${flagOfField(error.field)}: ${error.message}`);
          throw error;
        });
        const runs = outcome.runs.map((run) => loadRun(run.directory, run.name));
        for (const run of runs) await writeRunPlots(run);
        const written =
          runs.length > 0
            ? await writeReport(
                directory,
                runs,
                flags.compare
                  ? `Fine-tuning on ${targetClasses ? `classes ${targetClasses.join(',')}` : target.data.source}: boosted head vs one rate vs scratch`
                  : 'Fine-tuning',
              )
            : [];
        const summary = {
          backend: outcome.backend,
          source: outcome.source,
          targetClasses: targetClasses ?? null,
          runs: outcome.runs.map((run, index) => ({
            name: run.name,
            label: run.label,
            directory: run.directory,
            status: run.status,
            finalValidationError: run.summary.final.validation?.classificationError ?? null,
            finalValidationCrossEntropy: run.summary.final.validation?.crossEntropy ?? null,
            bestValidationError: run.summary.bestValidationError?.value ?? null,
            findings: runs[index]?.findings ?? [],
          })),
          written,
        };
        if (flags.json) console.log(JSON.stringify(summary, null, 2));
        else {
          console.log(resultsTable(runs));
          for (const run of outcome.runs)
            console.log(
              `${run.name} (${run.label}): final val err ${formatMetric(run.summary.final.validation?.classificationError)}, best ${formatMetric(run.summary.bestValidationError?.value)}`,
            );
          for (const line of findingLines(runs)) console.log(`finding: ${line}`);
          console.log(`source model: ${join(outcome.source.directory, 'model')}`);
          for (const path of written) console.log(`wrote ${path}`);
        }
        if (interrupts.signal.aborted) process.exitCode = 130;
      } finally {
        interrupts.release();
      }
    });
}
