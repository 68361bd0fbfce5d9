import { readFileSync } from 'node:fs';
import {
  type BackendChoice,
  CoreSpecError,
  type ModelSpec,
  parseModelSpec,
  type RunConfig,
  readLayersTopology,
  resolveRunConfig,
} from '@contour/core';
import type { Command } from 'commander';
import { UsageError, userPath } from './usage-error.js';

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
}

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
      options.lrList ? 'learning rates to sweep, comma-separated' : "learning rate (overrides the spec's lr)",
    )
    .option('--schedule <spec>', 'schedule spec JSON; without its own lr it takes --lr (or @file.json)')
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
    .option('--evaluate-test', 'also evaluate the test split every epoch');
}

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`${flag} must be a number; got "${text}"`);
  return value;
}

/** Reads a JSON flag value given inline or as @file.json. */
export function readJsonFlag(flag: string, text: string): unknown {
  let source = text;
  if (text.startsWith('@')) {
    try {
      source = readFileSync(userPath(text.slice(1)), 'utf8');
    } catch {
      throw new UsageError(`${flag} ${text}: the file cannot be read`);
    }
  }
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new UsageError(`${flag} is not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

/** Puts a rate into the optimizer spec: into its schedule when it has one, else as `lr`. */
export function withLearningRate(optimizer: Record<string, unknown>, rate: number): Record<string, unknown> {
  const current = optimizer.lr;
  if (current && typeof current === 'object')
    return { ...optimizer, lr: { ...(current as object), lr: rate } };
  return { ...optimizer, lr: rate };
}

/**
 * Builds the run config from flags (`rate` is the single --lr of `train`, or undefined for
 * sweeps, which set lr per trial). Throws UsageError naming the flag for bad values.
 */
export function runConfigFromFlags(flags: TrainingFlags, rate: number | undefined): RunConfig {
  let optimizer = (
    flags.optimizer === undefined ? { type: 'sgd' } : readJsonFlag('--optimizer', flags.optimizer)
  ) as Record<string, unknown>;
  if (!optimizer || typeof optimizer !== 'object' || Array.isArray(optimizer)) {
    throw new UsageError('--optimizer must be a JSON object like {"type":"sgd","momentum":0.9}');
  }
  if (flags.schedule !== undefined) {
    const schedule = readJsonFlag('--schedule', flags.schedule) as Record<string, unknown>;
    const inherited = rate ?? (typeof optimizer.lr === 'number' ? optimizer.lr : undefined);
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
  if (optimizer.lr === undefined) optimizer = { ...optimizer, lr: 0.1 };
  try {
    const model = parseModelSpec(modelFlag(flags.model), {
      ...(flags.dropout === undefined ? {} : { dropout: number('--dropout', flags.dropout) as number }),
      ...(flags.activation === undefined ? {} : { activation: flags.activation as never }),
    });
    const earlyStopping =
      flags.earlyStopping === undefined
        ? undefined
        : { patience: number('--early-stopping', flags.earlyStopping) };
    return resolveRunConfig({
      data: {
        source: flags.data,
        validation: number('--validation', flags.validation) as number,
        ...(flags.classes === undefined ? {} : { classCount: number('--classes', flags.classes) as number }),
        ...(flags.trainLimit === undefined
          ? {}
          : { trainLimit: number('--train-limit', flags.trainLimit) as number }),
      },
      training: {
        model,
        optimizer,
        loss: flags.loss,
        epochs: number('--epochs', flags.epochs),
        batchSize: number('--batch-size', flags.batchSize),
        seed: number('--seed', flags.seed),
        ...(earlyStopping ? { earlyStopping } : {}),
        ...(flags.evaluateTest ? { evaluateTest: true } : {}),
      },
      backend: flags.backend as BackendChoice,
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
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(userPath(text), 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not valid JSON';
    throw new UsageError(`--model ${text}: must be a readable tfjs-layers model.json; got ${reason}`);
  }
  const modelTopology = readLayersTopology(json, text);
  // Weights beside the model.json (its weightsManifest) are where a fresh run starts.
  const manifest = (json as { weightsManifest?: unknown }).weightsManifest;
  const weights = Array.isArray(manifest) && manifest.length > 0 ? { weights: userPath(text) } : {};
  return { type: 'layers', layers: { path: text, modelTopology, ...weights } };
}

/** Schedule types whose spec has no `lr` of its own (they name their rates differently). */
function acceptsLearningRate(schedule: Record<string, unknown>): boolean {
  return !['cyclic', 'oneCycle', 'piecewiseConstant'].includes(String(schedule.type));
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
