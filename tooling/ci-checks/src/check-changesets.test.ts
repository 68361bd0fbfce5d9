import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(dirname(fileURLToPath(import.meta.url)), '../../../.ci/check-changesets.mjs');
const repositories: string[] = [];
afterAll(() => {
  for (const directory of repositories) rmSync(directory, { recursive: true, force: true });
});

/** A throwaway git repository with a published and a private package, and a few commits. */
class Repository {
  readonly directory = mkdtempSync(join(tmpdir(), 'contour-changesets-'));
  constructor() {
    repositories.push(this.directory);
    this.git('init', '--quiet', '--initial-branch=main');
    this.git('config', 'user.email', 'test@example.com');
    this.git('config', 'user.name', 'Test');
    this.write('packages/optimizers/package.json', '{"name":"@contour/optimizers","version":"0.1.0"}');
    this.write('packages/optimizers/src/sgd.ts', 'export const sgd = 1;\n');
    this.write('packages/tsconfig/package.json', '{"name":"@contour/tsconfig","private":true}');
    this.write('packages/tsconfig/src/base.ts', 'export const base = 1;\n');
    this.write('apps/cli/package.json', '{"name":"@contour/cli","version":"0.1.0"}');
    this.write('apps/cli/src/main.ts', 'export const main = 1;\n');
    this.write('apps/web/package.json', '{"name":"@contour/web","private":true}');
    this.write('apps/web/src/main.ts', 'export const main = 1;\n');
    this.commit('before the check: no changeset needed');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.directory, encoding: 'utf8' }).trim();
  }

  write(path: string, contents: string): this {
    mkdirSync(dirname(join(this.directory, path)), { recursive: true });
    writeFileSync(join(this.directory, path), contents);
    return this;
  }

  commit(message: string): string {
    this.git('add', '-A');
    this.git('commit', '--quiet', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  /** Commits the check itself: the commits after this one follow the rule. */
  addCheck(): this {
    mkdirSync(join(this.directory, '.ci'), { recursive: true });
    copyFileSync(script, join(this.directory, '.ci/check-changesets.mjs'));
    this.commit('add the changeset check');
    return this;
  }

  changeset(name: string, packages: Record<string, string>): this {
    const lines = Object.entries(packages).map(([npmName, bump]) => `"${npmName}": ${bump}`);
    return this.write(`.changeset/${name}.md`, `---\n${lines.join('\n')}\n---\n\nWhat changed.\n`);
  }

  check(...args: string[]): { status: number | null; output: string } {
    const result = spawnSync(process.execPath, ['.ci/check-changesets.mjs', ...args], {
      cwd: this.directory,
      encoding: 'utf8',
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  }
}

describe('.ci/check-changesets.mjs', () => {
  it('passes when every commit that changed a published package’s sources has a changeset naming it', () => {
    const repository = new Repository().addCheck();
    repository.write('packages/optimizers/src/sgd.ts', 'export const sgd = 2;\n');
    repository.changeset('faster-sgd', { '@contour/optimizers': 'patch' }).commit('faster sgd');
    expect(repository.check()).toEqual({
      status: 0,
      output: expect.stringContaining('1 commit(s) since'),
    });
  });

  it('fails naming the commit and the package when a source change has no changeset', () => {
    const repository = new Repository().addCheck();
    repository.write('packages/optimizers/src/sgd.ts', 'export const sgd = 3;\n').commit('sgd: new default');
    const { status, output } = repository.check();
    expect(status).toBe(1);
    expect(output).toMatch(
      /^check-changesets: 1 change\(s\).*\n {2}[0-9a-f]{7} sgd: new default: changed @contour\/optimizers$/m,
    );
  });

  it('accepts the changeset in a later commit, but not one that names another package', () => {
    const repository = new Repository().addCheck();
    repository.write('packages/optimizers/src/sgd.ts', 'export const sgd = 4;\n').commit('feature');
    repository.changeset('other', { '@contour/losses': 'patch' }).commit('a changeset for another package');
    expect(repository.check().status).toBe(1);
    repository.changeset('feature', { '@contour/optimizers': 'minor' }).commit('its changeset');
    expect(repository.check().status).toBe(0);
  });

  it('ignores tests, test-support, private packages and files outside src/', () => {
    const repository = new Repository().addCheck();
    repository.write('packages/optimizers/src/sgd.test.ts', 'test\n');
    repository.write('packages/optimizers/src/test-support/fixture.ts', 'fixture\n');
    repository.write('packages/optimizers/README.md', 'docs\n');
    repository.write('packages/tsconfig/src/base.ts', 'export const base = 2;\n');
    repository.write('apps/web/src/main.ts', 'export const main = 2;\n');
    repository.commit('tests, docs and private packages');
    expect(repository.check().status).toBe(0);
  });

  it('checks published apps too (the CLI)', () => {
    const repository = new Repository().addCheck();
    repository.write('apps/cli/src/main.ts', 'export const main = 2;\n').commit('cli: new flag');
    expect(repository.check().output).toContain('cli: new flag: changed @contour/cli');
  });

  it('checks only the commits after the one that added the check, or after --since', () => {
    const repository = new Repository();
    repository.write('packages/optimizers/src/sgd.ts', 'export const sgd = 5;\n');
    const before = repository.commit('before the check, without a changeset');
    repository.addCheck();
    expect(repository.check().status).toBe(0);
    expect(repository.check('--since', `${before}~1`).status).toBe(1);
    expect(repository.check('--since', 'no-such-commit')).toEqual({
      status: 1,
      output: 'check-changesets: --since no-such-commit: no such commit\n',
    });
  });

  it('works on a shallow clone (deepens it) of a main whose last commits are the submission', () => {
    const origin = new Repository().addCheck();
    origin
      .write('packages/optimizers/src/sgd.ts', 'export const sgd = 6;\n')
      .commit('submission, no changeset');
    const clone = mkdtempSync(join(tmpdir(), 'contour-changesets-clone-'));
    repositories.push(clone);
    execFileSync('git', ['clone', '--quiet', '--depth=1', `file://${origin.directory}`, clone]);
    const result = spawnSync(process.execPath, ['.ci/check-changesets.mjs'], {
      cwd: clone,
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('submission, no changeset: changed @contour/optimizers');
  });
});
