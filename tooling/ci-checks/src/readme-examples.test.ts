import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

// Published packages under packages/ whose README examples run elsewhere, and where.
const examplesElsewhere: Readonly<Record<string, string>> = {
  // Its API is made of tfjs-layers types, whose declarations need skipLibCheck; its README examples
  // run from its own packed tarball in its tests.
  layers: 'packages/layers/src/packaging.test.ts',
};

function publishedPackageDirectories(): string[] {
  return readdirSync(join(repository, 'packages')).filter((directory) => {
    const manifest = join(repository, 'packages', directory, 'package.json');
    return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).private !== true;
  });
}

describe('README examples', () => {
  it('cover every published package under packages/ (but the ones whose examples run elsewhere)', () => {
    const published = publishedPackageDirectories();
    expect(published.length).toBeGreaterThan(10);
    expect(published.filter((name) => !names.includes(name) && !(name in examplesElsewhere))).toEqual([]);
  });

  it.each(names.map((name) => [name, name]))(
    'packages/%s/README.md shows examples/readme/%s.ts verbatim, with its expected output',
    (name: string) => {
      const code = readFileSync(join(examples, `${name}.ts`), 'utf8');
      const readme = readFileSync(join(repository, 'packages', name, 'README.md'), 'utf8');
      const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
      expect(blocks).toContain(code);
      expect(readFileSync(join(examples, `${name}.expected.txt`), 'utf8').trim()).not.toBe('');
    },
  );
});
