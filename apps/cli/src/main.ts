#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Help } from 'commander';
import { commandIndex, requestedModules } from './command-index.js';
import { UsageError } from './usage-error.js';

/** Error names that mean bad input: exit 2 with the one-line message, no stack trace. */
const usageErrorNames = new Set([
  'UsageError',
  'ScheduleSpecError',
  'ScheduleValueError',
  'SchedulePluginError',
  'SchedulePluginLoadError',
  'OptimizerSpecError',
  'UnknownOptimizerTypeError',
  'CoreSpecError',
  'RunDirectoryError',
  'CheckpointError',
  'DirectoryLockedError',
  'DirectoryNotWritableError',
  'MetricsFormatError',
  'InconsistentRunError',
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

/**
 * Builds the `contour` program. The commands `argv` runs (or asks help for) are loaded and
 * registered in full; every other command is a light entry with its name, arguments and
 * description, enough for `contour --help`, so no command's heavy modules load for another.
 * Without `argv`, every command is loaded.
 */
export async function createProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('contour')
    .description('Contour: choose, schedule, adapt and visualise learning rates (TensorFlow.js)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  const requested = argv === undefined ? undefined : requestedModules(argv);
  const listed = new Map<string, string>();
  const registered = new Set<(program: Command) => void>();
  for (const entry of commandIndex) {
    if (program.commands.some((command) => command.name() === entry.name)) continue;
    if (requested === undefined || requested.has(entry.module)) {
      const register = await entry.load();
      if (!registered.has(register)) register(program);
      registered.add(register);
    } else {
      program.command(entry.name).description(entry.description);
      listed.set(
        entry.name,
        [entry.name, entry.hasOptions ? '[options]' : '', entry.argumentsTerm].filter(Boolean).join(' '),
      );
    }
  }
  // The light entries have no options or arguments: list them as their full commands are listed.
  program.configureHelp({
    subcommandTerm: (command) => listed.get(command.name()) ?? new Help().subcommandTerm(command),
  });
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
      await (await createProgram(argv)).parseAsync([...argv], { from: 'user' });
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
    // Ctrl-C during `--lr auto`'s range test, before a run started: interrupted, like a run.
    if (name === 'RangeTestInterruptedError') return 130;
    return usageErrorNames.has(name) || error instanceof UsageError ? 2 : 1;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  process.exitCode = await runCli(process.argv.slice(2));
}
