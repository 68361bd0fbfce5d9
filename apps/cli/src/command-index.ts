import type { Command } from 'commander';

/**
 * One top-level command as `contour --help` lists it, and how to load its module. The CLI imports a
 * command's module (and with it tfjs, vega or bullmq) only when that command runs, so `--help` and
 * light commands start at once. `command-index.test.ts` checks every entry against the command its
 * module registers, so the listing cannot drift from the real commands.
 */
export interface CommandEntry {
  /** The command's name (`contour <name>`). */
  readonly name: string;
  /** Its arguments as the help lists them, e.g. `[spec]` or `<directories...>` (empty: none). */
  readonly argumentsTerm: string;
  /** Whether it has options of its own (the help then shows `[options]`). */
  readonly hasOptions: boolean;
  /** Its one-line description, word for word as its module declares it. */
  readonly description: string;
  /** Commands registered by one function share a module name here: requesting one loads them all. */
  readonly module: string;
  /** Imports the module and returns the function that registers the command (and its siblings). */
  readonly load: () => Promise<(program: Command) => void>;
}

/** Every top-level command, in the order `contour --help` lists them. */
export const commandIndex: readonly CommandEntry[] = [
  {
    name: 'schedule',
    argumentsTerm: '[spec]',
    hasOptions: true,
    description: 'print or plot the learning rate of a schedule spec for t = 0..N−1',
    module: 'schedule',
    load: async () => (await import('./commands/schedule.js')).registerScheduleCommand,
  },
  {
    name: 'train',
    argumentsTerm: '',
    hasOptions: true,
    description: 'train a model on MNIST-format data and write a run directory (metrics, checkpoint, plots)',
    module: 'train',
    load: async () => (await import('./commands/train.js')).registerTrainCommand,
  },
  {
    name: 'sweep',
    argumentsTerm: '',
    hasOptions: true,
    description:
      'train a grid of runs (learning rates and any other setting) and overlay their loss per epoch',
    module: 'sweep',
    load: async () => (await import('./commands/sweep.js')).registerSweepCommand,
  },
  {
    name: 'plot',
    argumentsTerm: '<directories...>',
    hasOptions: true,
    description: 'overlay the loss per epoch of existing runs (run or sweep directories)',
    module: 'plot',
    load: async () => (await import('./commands/plot.js')).registerPlotCommands,
  },
  {
    name: 'report',
    argumentsTerm: '<directory>',
    hasOptions: false,
    description: 'rebuild the HTML report, overlay plots and results table of a sweep (or any runs)',
    module: 'plot',
    load: async () => (await import('./commands/plot.js')).registerPlotCommands,
  },
  {
    name: 'find-lr',
    argumentsTerm: '',
    hasOptions: true,
    description:
      'find a learning rate: exponential range test (fastai lr_find) or "start high and halve until it stops diverging"',
    module: 'find-lr',
    load: async () => (await import('./commands/find-lr.js')).registerFindLrCommand,
  },
  {
    name: 'finetune',
    argumentsTerm: '',
    hasOptions: true,
    description:
      'transfer learning: pretrain on some classes (or take --from RUN_DIR), fine-tune on others with a new head and per-layer rates',
    module: 'finetune',
    load: async () => (await import('./commands/finetune.js')).registerFinetuneCommand,
  },
  {
    name: 'demo',
    argumentsTerm: '',
    hasOptions: true,
    description: 'draw the classic learning-rate schedules overlaid (SVG + PNG) and print a summary',
    module: 'demo',
    load: async () => (await import('./commands/demo.js')).registerDemoCommand,
  },
  {
    name: 'race',
    argumentsTerm: '',
    hasOptions: true,
    description: 'race optimizers on a 2-D loss surface: contour map with every path, animated replay, JSON',
    module: 'race',
    load: async () => (await import('./commands/race.js')).registerRaceCommand,
  },
  {
    name: 'worker',
    argumentsTerm: '',
    hasOptions: true,
    description: 'train trials of sweeps run with --queue, pulled from Redis (BullMQ), until stopped',
    module: 'worker',
    load: async () => (await import('./commands/worker.js')).registerWorkerCommand,
  },
  {
    name: 'queue',
    argumentsTerm: '',
    hasOptions: false,
    description: 'show or clear the trials of sweeps run with --queue (Redis + BullMQ)',
    module: 'queue',
    load: async () => (await import('./commands/queue.js')).registerQueueCommand,
  },
];

/**
 * The names of the commands an argument list runs (or asks help for): its first word, and the word
 * after `help`. The top-level program has no options but `--help`, so the first word that is not an
 * option is the command.
 */
export function requestedCommandNames(argv: readonly string[]): Set<string> {
  const words = argv.filter((word) => !word.startsWith('-'));
  const names = new Set<string>();
  if (words[0] !== undefined) names.add(words[0]);
  if (words[0] === 'help' && words[1] !== undefined) names.add(words[1]);
  return names;
}

/** The modules to load for an argument list: those of the commands it runs or asks help for. */
export function requestedModules(argv: readonly string[]): Set<string> {
  const names = requestedCommandNames(argv);
  return new Set(commandIndex.filter((entry) => names.has(entry.name)).map((entry) => entry.module));
}
