import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createProgram } from './main.js';
import { flagReference, flagReferenceEnd, flagReferenceStart } from './test-support/flag-reference.js';

describe('flagReference', () => {
  it('apps/cli/README.md lists every command, subcommand and flag as the CLI defines them (fix: pnpm --filter @contour/cli readme:flags)', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf(flagReferenceStart);
    const end = readme.indexOf(flagReferenceEnd);
    expect(start, 'the README has a flag reference').toBeGreaterThan(-1);
    const listed = readme.slice(start, end + flagReferenceEnd.length);
    const program = await createProgram();
    expect(listed).toBe(flagReference(program));
    // It cannot be vacuous: every command and every long flag of the real parser appears in it.
    for (const command of program.commands) {
      expect(listed).toContain(`### \`contour ${command.name()}`);
      for (const option of command.options) if (option.long) expect(listed).toContain(option.long);
    }
  });
});
