import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// .ci/packed-cli.sh installs the packed packages, type-checks and runs examples/readme/<package>.ts;
// this checks that each package README shows exactly that file.
const repository = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const examples = join(repository, 'examples', 'readme');
const names = readdirSync(examples)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length));

describe('README examples', () => {
  it('cover at least schedules, optimizers and losses', () => {
    expect(names).toEqual(expect.arrayContaining(['schedules', 'optimizers', 'losses']));
  });

  it.each(names)(
    'packages/%s/README.md shows examples/readme/%s.ts verbatim, with its expected output',
    (name) => {
      const code = readFileSync(join(examples, `${name}.ts`), 'utf8');
      const readme = readFileSync(join(repository, 'packages', name, 'README.md'), 'utf8');
      const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
      expect(blocks).toContain(code);
      expect(readFileSync(join(examples, `${name}.expected.txt`), 'utf8').trim()).not.toBe('');
    },
  );
});
