import { Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandIndex, requestedCommandNames, requestedModules } from './command-index.js';
import { createProgram } from './main.js';

describe('commandIndex', () => {
  it('lists every command exactly as its module registers it (name, arguments, options, description)', async () => {
    const program = await createProgram();
    const help = new Help();
    const real = program.commands.map((command) => ({
      name: command.name(),
      term: help.subcommandTerm(command),
      description: command.description(),
    }));
    const listed = commandIndex.map((entry) => ({
      name: entry.name,
      term: [entry.name, entry.hasOptions ? '[options]' : '', entry.argumentsTerm].filter(Boolean).join(' '),
      description: entry.description,
    }));
    expect(listed).toEqual(real);
  });

  it('gives the same top-level help whether the commands are loaded or only listed', async () => {
    const loaded = (await createProgram()).helpInformation();
    const listed = (await createProgram(['--help'])).helpInformation();
    expect(listed).toBe(loaded);
    expect(listed).toContain('plot [options] <directories...>');
  });

  it('loads the requested command in full and only lists the others', async () => {
    const program = await createProgram(['report', 'out/sweep']);
    const options = (name: string) =>
      program.commands.find((command) => command.name() === name)?.options.length;
    expect(options('plot')).toBeGreaterThan(0); // registered with report, by the same module
    expect(options('sweep')).toBe(0);
    expect(options('schedule')).toBe(0);
  });
});

describe('requestedCommandNames', () => {
  it('takes the first word that is not an option, and the word after help', () => {
    expect([...requestedCommandNames(['--help'])]).toEqual([]);
    expect([...requestedCommandNames(['sweep', '--preset', 'mnist-lr-sweep'])]).toEqual(['sweep']);
    expect([...requestedCommandNames(['help', 'train'])]).toEqual(['help', 'train']);
    expect([...requestedModules(['report', 'dir'])]).toEqual(['plot']);
  });
});
