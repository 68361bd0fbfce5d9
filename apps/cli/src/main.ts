#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerDemoCommand } from './commands/demo.js';
import { registerFindLrCommand } from './commands/find-lr.js';
import { registerFinetuneCommand } from './commands/finetune.js';
import { registerPlotCommands } from './commands/plot.js';
import { registerQueueCommand } from './commands/queue.js';
import { registerRaceCommand } from './commands/race.js';
import { registerScheduleCommand } from './commands/schedule.js';
import { registerSweepCommand } from './commands/sweep.js';
import { registerTrainCommand } from './commands/train.js';
import { registerWorkerCommand } from './commands/worker.js';
import { UsageError } from './usage-error.js';

/** Error names that mean bad input: exit 2 with the one-line message, no stack trace. */
const usageErrorNames = new Set([
  'UsageError',
  'ScheduleSpecError',
  'ScheduleValueError',
  'SchedulePluginError',
  'OptimizerSpecError',
  'UnknownOptimizerTypeError',
  'CoreSpecError',
  'RunDirectoryError',
  'UnknownBackendError',
  'BackendUnavailableError',
  'MnistLoaderError',
  'MnistLoaderOptionError',
  'IdxFormatError',
  'IdxLabelError',
  'IdxCountMismatchError',
  'IdxDecompressionError',
  'DatasetNotFoundError',
  'QueueOptionError',
]);

/** Builds the `contour` program with every command registered. */
export function createProgram(): Command {
  const program = new Command('contour')
    .description('Contour: choose, schedule, adapt and visualise learning rates (TensorFlow.js)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerScheduleCommand(program);
  registerTrainCommand(program);
  registerSweepCommand(program);
  registerPlotCommands(program);
  registerFindLrCommand(program);
  registerFinetuneCommand(program);
  registerDemoCommand(program);
  registerRaceCommand(program);
  registerWorkerCommand(program);
  registerQueueCommand(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage error). */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    // Commands report a non-zero outcome (130 interrupted, 1 failed trials) through exitCode.
    const previous = process.exitCode;
    process.exitCode = undefined;
    try {
      await createProgram().parseAsync([...argv], { from: 'user' });
      return Number(process.exitCode ?? 0);
    } finally {
      process.exitCode = previous;
    }
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; commander already printed its one-line message.
      return error.exitCode === 0 ? 0 : 2;
    }
    const name = error instanceof Error ? error.name : '';
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(`contour: ${message}\n`);
    return usageErrorNames.has(name) || error instanceof UsageError ? 2 : 1;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  process.exitCode = await runCli(process.argv.slice(2));
}
