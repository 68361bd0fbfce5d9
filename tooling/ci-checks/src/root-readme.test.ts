import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The root README's tables are where a newcomer looks first: they must name every package and
// every CLI command that exists.
const repository = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const readme = readFileSync(join(repository, 'README.md'), 'utf8');

function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`README.md has no "## ${heading}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

function workspacePackages(parent: string): Array<{ directory: string; name: string; private: boolean }> {
  return readdirSync(join(repository, parent)).flatMap((directory) => {
    const manifest = join(repository, parent, directory, 'package.json');
    if (!existsSync(manifest)) return [];
    const { name, private: isPrivate } = JSON.parse(readFileSync(manifest, 'utf8'));
    return [{ directory: `${parent}/${directory}`, name, private: isPrivate === true }];
  });
}

describe('README.md', () => {
  it('lists every package of packages/ and apps/ in its package table, with a link to its directory', () => {
    const table = section('Packages');
    const all = [...workspacePackages('packages'), ...workspacePackages('apps')];
    expect(all.length).toBeGreaterThan(12);
    const missing = all.filter(
      (entry) =>
        !table.includes(`(${entry.directory})`) ||
        (entry.directory.startsWith('packages/') && !table.includes(`\`${entry.name}\``)),
    );
    expect(missing.map((entry) => entry.name)).toEqual([]);
  });

  it("names every CLI command in the package table's apps/cli row", () => {
    const commandIndex = readFileSync(join(repository, 'apps', 'cli', 'src', 'command-index.ts'), 'utf8');
    const commands = [...commandIndex.matchAll(/^ {4}name: '([a-z-]+)',$/gm)].map((match) => match[1]);
    expect(commands.length).toBeGreaterThan(10);
    const row = section('Packages')
      .split('\n')
      .find((line) => line.startsWith('| [`apps/cli`]'));
    expect(row).toBeDefined();
    expect(commands.filter((command) => !row?.includes(`\`${command}\``))).toEqual([]);
  });
});
