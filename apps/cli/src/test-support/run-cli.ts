import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { runCli } from '../main.js';

/** Runs the CLI in this process, capturing what it prints. */
export async function runInProcess(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
    stdout += `${parts.join(' ')}\n`;
  });
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
    stderr += `${parts.join(' ')}\n`;
  });
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(args);
    return { code, stdout, stderr };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

const main = fileURLToPath(new URL('../main.ts', import.meta.url));
export const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Runs the CLI as `pnpm contour` does: a real Node process on the sources. */
export function runAsProcess(
  args: string[],
  cwd = repositoryRoot,
): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(
    process.execPath,
    ['--conditions=@contour/source', '--import', 'tsx', main, ...args],
    {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, INIT_CWD: cwd },
    },
  );
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
