import {
  type BackendChoice,
  CoreSpecError,
  type ModelSpec,
  parseModelSpec,
  type RunConfig,
  readLayersTopology,
  resolveRunConfig,
} from '@contour/core/config';
import type { Command } from 'commander';
import { parseJsonInput, readJsonInput, readJsonObjectInput, readSpecFile } from './json-input.js';
import { parseDecimal, parsePositiveInteger, UsageError, userPath } from './usage-error.js';

/** The flags `train` and `sweep` share. */
export interface TrainingFlags {
  data: string;
  classes?: string;
  model: string;
  dropout?: string;
  activation?: string;
  optimizer?: string;
  lr?: string;
  schedule?: string;
  loss: string;
  epochs: string;
  batchSize: string;
  validation: string;
  seed: string;
  backend: string;
  trainLimit?: string;
  earlyStopping?: string;
  evaluateTest?: boolean;
  /** `--plugin` modules, as typed (repeatable). */
  plugin?: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Adds the shared training flags to a command. */
export function addTrainingFlags(command: Command, options: { lrList?: boolean } = {}): Command {
  return command
    .option('--data <source>', 'mnist (embedded sample), fashion-mnist, or a directory of IDX files', 'mnist')
    .option('--classes <K>', 'number of classes (labels 0..K-1, each checked); default: from the labels')
    .option(
      '--model <model>',
      'linear, mlp:<sizes> such as mlp:256,128, or PATH/model.json (a tfjs-layers model, e.g. a CNN)',
      'linear',
    )
    .option('--dropout <p>', 'dropout rate on hidden layers, in [0, 1)')
    .option('--activation <name>', 'hidden activation: relu, tanh, sigmoid')
    .option(
      '--optimizer <spec>',
      'optimizer spec JSON, e.g. \'{"type":"sgd","momentum":0.9}\' (or @file.json)',
    )
    .option(
      '--lr <rate>',
      options.lrList
        ? "learning rates to sweep, comma-separated, or auto[:N]: N rates (default 5) bracketing the range test's choice"
        : "learning rate (overrides the spec's lr), or auto: chosen by the range test (3 seeds) before training",
    )
    .option(
      '--schedule <spec>',
      "schedule spec JSON; without its own lr it takes --lr (or @file.json); auto: one-cycle (SGD) or warm-up + cosine (adaptive) peaking at the range test's rate",
    )
    .option('--loss <name>', 'cross-entropy or mse', 'cross-entropy')
    .option('--epochs <n>', 'epochs', '10')
    .option('--batch-size <n>', 'examples per batch', '64')
    .option('--validation <fraction>', 'share of training data held out for validation', '0.2')
    .option('--seed <n>', 'seed of data split, order, initialisation and dropout', '0')
    .option('--backend <name>', 'auto, cpu, wasm or node', 'auto')
    .option('--train-limit <n>', 'use at most this many training images (quick runs)')
    .option(
      '--early-stopping <patience>',
      'stop after this many epochs without validation improvement (restores the best weights)',
    )
    .option('--evaluate-test', 'also evaluate the test split every epoch')
    .option(
      '--plugin <module>',
      'a schedule plugin module (path or package name) whose types --schedule/--optimizer may use; recorded in the run config (repeatable)',
      collect,
      [],
    );
}

function number(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDecimal(flag, text);
}

/** Upper bounds of counts: far above any real run, low enough to fail here and not in an allocation. */
export const countLimits = {
  '--epochs': 1_000_000,
  '--batch-size': 1_000_000,
  '--train-limit': 100_000_000,
  '--early-stopping': 1_000_000,
  '--classes': 256,
} as const;

/** A count flag: decimal digits only (no 1e3, 0x10, 2.5 or blanks), 1..its limit. */
function count(flag: keyof typeof countLimits, text: string | undefined): number | undefined {
  return text === undefined ? undefined : parsePositiveInteger(flag, text, countLimits[flag]);
}

/** The seed: an integer 0..2^32 − 1. */
function seed(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !(value <= 0xffff_ffff))
    throw new UsageError(`--seed must be an integer in 0..4294967295; got "${text}"`);
  return value;
}

/**
 * Reads a JSON flag value given inline or as @file.json: a regular file of at most 1 MiB, JSON at
 * most 64 levels deep, no `__proto__`/`constructor`/`prototype` keys (see json-input.ts).
 */
export function readJsonFlag(flag: string, text: string): unknown {
  return readJsonInput(flag, text);
}

/**
 * The rate `runConfigFromFlags` is given for `--lr auto` until the range test has chosen one (it
 * only marks where the rate goes: the spec's `lr`, or its schedule's).
 */
export const autoPlaceholderRate = 0.1;

/** The rate of `train`/`sweep` when neither --lr nor the optimizer spec gives one. */
const defaultLearningRate = 0.1;

/** Schedule types whose spec has no `lr` (they name their rates differently). */
const schedulesWithoutLearningRate = ['cyclic', 'oneCycle', 'piecewiseConstant'];

/**
 * Reads `--lr auto` and `--schedule auto` of `train`/`finetune`: undefined when neither is given,
 * else the flags without them (for `runConfigFromFlags`) and whether the schedule is automatic.
 * `--schedule auto` implies `--lr auto`. Throws UsageError (exit 2) for `--lr auto:N` (a sweep's),
 * `--schedule auto` with a numeric `--lr`, and `--lr auto` with a schedule that takes no `lr`.
 */
export function parseAutoFlags<T extends TrainingFlags>(
  flags: T,
): { flags: T; schedule: boolean } | undefined {
  const lr = flags.lr?.trim();
  const schedule = flags.schedule?.trim() === 'auto';
  if (lr?.startsWith('auto:'))
    throw new UsageError(
      `--lr ${lr}: a number of rates goes with sweep --lr auto:N; train takes --lr auto (one rate)`,
    );
  if (lr !== 'auto' && !schedule) return undefined;
  if (schedule && lr !== undefined && lr !== 'auto')
    throw new UsageError(
      `--schedule auto takes its peak from the range test: use it with --lr auto or without --lr; got --lr ${lr}`,
    );
  if (!schedule && flags.schedule !== undefined) {
    const spec = readJsonObjectInput('--schedule', flags.schedule, '{"type":"cosine","tMax":1000}');
    if (schedulesWithoutLearningRate.includes(String(spec.type)))
      throw new UsageError(
        `--lr auto: a "${String(spec.type)}" schedule has no lr to set; use --schedule auto (one-cycle) or give its rates`,
      );
  }
  const { lr: _lr, schedule: _schedule, ...rest } = flags;
  return { flags: { ...rest, ...(schedule ? {} : { schedule: flags.schedule }) } as T, schedule };
}

/** The end of the `lr auto:` line when `--schedule auto` made a schedule of the rate: which one. */
export function scheduleNote(lr: unknown): string {
  if (!lr || typeof lr !== 'object') return '';
  const spec = lr as Record<string, unknown>;
  if (spec.type === 'oneCycle')
    return `; --schedule auto: one-cycle over ${spec.totalSteps} steps peaking there (fastai fit_one_cycle)`;
  if (spec.type === 'warmup')
    return `; --schedule auto: ${spec.steps}-step linear warm-up to it, then cosine decay to 0`;
  return '';
}

/** Puts a rate into the optimizer spec: into its schedule when it has one, else as `lr`. */
export function withLearningRate(optimizer: Record<string, unknown>, rate: number): Record<string, unknown> {
  const current = optimizer.lr;
  if (current && typeof current === 'object')
    return { ...optimizer, lr: { ...(current as object), lr: rate } };
  return { ...optimizer, lr: rate };
}

/**
 * `runConfigFromFlags` for flags that may name `--plugin` modules: every other flag is checked
 * first (a usage error comes before any plugin module loads), then the modules are loaded and
 * registered (`loadTrainingPlugins`), then `--schedule` and `--optimizer` are checked with their
 * types and the config records them (`schedulePlugins`).
 */
export async function runConfigWithPlugins(
  flags: TrainingFlags,
  rate: number | undefined,
): Promise<RunConfig> {
  if ((flags.plugin ?? []).length === 0) return runConfigFromFlags(flags, rate);
  const { optimizer: _optimizer, schedule: _schedule, ...others } = flags;
  runConfigFromFlags(others, rate);
  const { loadTrainingPlugins } = await import('./load-plugins.js');
  return runConfigFromFlags(flags, rate, await loadTrainingPlugins(flags.plugin ?? []));
}

/**
 * Builds the run config from flags (`rate` is the single --lr of `train`, or undefined for
 * sweeps, which set lr per trial; `schedulePlugins` what `loadTrainingPlugins` returned for
 * `--plugin`, already registered). Throws UsageError naming the flag for bad values.
 */
export function runConfigFromFlags(
  flags: TrainingFlags,
  rate: number | undefined,
  schedulePlugins: readonly string[] = [],
): RunConfig {
  let optimizer = (
    flags.optimizer === undefined ? { type: 'sgd' } : readJsonFlag('--optimizer', flags.optimizer)
  ) as Record<string, unknown>;
  if (!optimizer || typeof optimizer !== 'object' || Array.isArray(optimizer)) {
    throw new UsageError('--optimizer must be a JSON object like {"type":"sgd","momentum":0.9}');
  }
  if (flags.schedule !== undefined) {
    const schedule = readJsonObjectInput(
      '--schedule',
      flags.schedule,
      '{"type":"step","stepSize":30} (a plain rate goes in --lr)',
    );
    // --lr, else the spec's numeric lr, else the rate a run without a schedule trains at.
    const inherited =
      rate ??
      (typeof optimizer.lr === 'number'
        ? optimizer.lr
        : optimizer.lr === undefined
          ? defaultLearningRate
          : undefined);
    optimizer = {
      ...optimizer,
      lr:
        inherited === undefined || 'lr' in schedule || !acceptsLearningRate(schedule)
          ? schedule
          : { ...schedule, lr: inherited },
    };
  } else if (rate !== undefined) {
    optimizer = withLearningRate(optimizer, rate);
  }
  if (optimizer.lr === undefined) optimizer = { ...optimizer, lr: defaultLearningRate };
  try {
    const model = parseModelSpec(modelFlag(flags.model), {
      ...(flags.dropout === undefined ? {} : { dropout: number('--dropout', flags.dropout) as number }),
      ...(flags.activation === undefined ? {} : { activation: flags.activation as never }),
    });
    const earlyStopping =
      flags.earlyStopping === undefined
        ? undefined
        : { patience: count('--early-stopping', flags.earlyStopping) };
    return resolveRunConfig({
      data: {
        source: flags.data,
        validation: number('--validation', flags.validation) as number,
        ...(flags.classes === undefined ? {} : { classCount: count('--classes', flags.classes) as number }),
        ...(flags.trainLimit === undefined
          ? {}
          : { trainLimit: count('--train-limit', flags.trainLimit) as number }),
      },
      training: {
        model,
        optimizer,
        loss: flags.loss,
        epochs: count('--epochs', flags.epochs),
        batchSize: count('--batch-size', flags.batchSize),
        seed: seed(flags.seed),
        ...(earlyStopping ? { earlyStopping } : {}),
        ...(flags.evaluateTest ? { evaluateTest: true } : {}),
      },
      backend: flags.backend as BackendChoice,
      ...(schedulePlugins.length > 0 ? { schedulePlugins } : {}),
    });
  } catch (error) {
    if (error instanceof CoreSpecError) throw new UsageError(`--${flagOf(error.field)}: ${error.message}`);
    throw error;
  }
}

/**
 * The --model value as parseModelSpec takes it: `linear`/`mlp:…` as typed, or for a path ending in
 * `.json` the tfjs-layers topology read from that file (kept in the run's config.json).
 */
export function modelFlag(text: string): string | Partial<ModelSpec> {
  if (!text.endsWith('.json')) return text;
  // The same limits as every spec the user gives: a regular file ≤ 1 MiB, depth, reserved keys.
  const unreadable = (reason: string) =>
    new UsageError(`--model ${text}: must be a readable tfjs-layers model.json; got ${reason}`);
  let source: string;
  try {
    source = readSpecFile('--model', text);
  } catch (error) {
    if ((error as Error).message.endsWith('no such file')) throw unreadable('no such file');
    throw error;
  }
  let json: unknown;
  try {
    json = parseJsonInput('--model', source);
  } catch (error) {
    if ((error as Error).message.startsWith('--model is not valid JSON')) throw unreadable('not valid JSON');
    throw error;
  }
  const modelTopology = readLayersTopology(json, text);
  // Weights beside the model.json (its weightsManifest) are where a fresh run starts.
  const manifest = (json as { weightsManifest?: unknown }).weightsManifest;
  const weights = Array.isArray(manifest) && manifest.length > 0 ? { weights: userPath(text) } : {};
  return { type: 'layers', layers: { path: text, modelTopology, ...weights } };
}

/** Schedule types whose spec has no `lr` of its own (they name their rates differently). */
function acceptsLearningRate(schedule: Record<string, unknown>): boolean {
  return !schedulesWithoutLearningRate.includes(String(schedule.type));
}

function flagOf(field: string): string {
  const names: Record<string, string> = {
    batchSize: 'batch-size',
    trainLimit: 'train-limit',
    classCount: 'classes',
    validation: 'validation',
    'earlyStopping.patience': 'early-stopping',
    'model input': 'model',
    'model output': 'model',
  };
  return (
    names[field] ?? field.split('.')[0]?.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`) ?? field
  );
}
