// Writes a benchmark's results file as the repository's formatter (Biome) formats it, so
// `pnpm lint` passes right after a bench run that rewrote a committed bench/results/*.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repository = fileURLToPath(new URL('..', import.meta.url));
const biome = join(repository, 'node_modules', '.bin', 'biome');

/**
 * `text` as the repository's Biome formats a file named `name` (short arrays and objects on one
 * line, as `pnpm lint` wants), through Biome's stdin so that any path works (Biome refuses files
 * outside the repository); `{ error }` with the reason when Biome could not format it.
 */
export function formatAsRepository(name: string, text: string): { text: string } | { error: string } {
  const formatted = spawnSync(biome, ['format', `--stdin-file-path=${name}`], {
    cwd: repository,
    input: text,
    encoding: 'utf8',
  });
  if (formatted.status === 0 && formatted.stdout !== '') return { text: formatted.stdout };
  const why = `${formatted.error?.message ?? ''}${formatted.stderr ?? ''}`.trim().split('\n')[0];
  return { error: why || `biome exited with ${formatted.status}` };
}

/**
 * Writes `value` to `path` as JSON formatted as the repository's Biome formats it (see
 * {@link formatAsRepository}). When Biome cannot format it (not installed), the plain
 * `JSON.stringify(value, null, 2)` is written and a warning says so.
 */
export function writeResultsFile(path: string, value: unknown): void {
  const json = `${JSON.stringify(value, null, 2)}\n`;
  const formatted = formatAsRepository(basename(path), json);
  if ('error' in formatted) console.warn(`${path}: written unformatted (${formatted.error})`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, 'text' in formatted ? formatted.text : json);
}
