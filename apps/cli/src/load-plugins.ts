import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SchedulePlugin, ScheduleRegistry } from '@contour/schedules';
import { UsageError, userDirectory, userPath } from './usage-error.js';

/**
 * Imports each `--plugin` module (a path, or a package name resolved from the user's directory) and
 * registers its default export on the registry. A module that cannot be found or whose default
 * export is not a schedule plugin is a UsageError naming the module.
 */
export async function loadPlugins(registry: ScheduleRegistry, specifiers: readonly string[]): Promise<void> {
  for (const specifier of specifiers) {
    let url: string;
    try {
      url =
        specifier.startsWith('.') || specifier.startsWith('/')
          ? pathToFileURL(userPath(specifier)).href
          : pathToFileURL(createRequire(join(userDirectory(), 'package.json')).resolve(specifier)).href;
    } catch {
      throw new UsageError(
        `--plugin ${specifier}: module not found (give a path or an installed package name)`,
      );
    }
    let module: { default?: unknown };
    try {
      module = (await import(url)) as { default?: unknown };
    } catch (error) {
      throw pluginImportError(specifier, error);
    }
    try {
      registry.use(module.default as SchedulePlugin);
    } catch (error) {
      throw new UsageError(`--plugin ${specifier}: ${(error as Error).message}`);
    }
  }
}

/**
 * The one-line UsageError for a `--plugin` module that failed to import. A TypeScript plugin
 * fails on Node.js 20 (it strips types only from 22.18): say so and what to give instead, rather
 * than Node's bare "Unknown file extension".
 */
export function pluginImportError(
  specifier: string,
  error: unknown,
  nodeVersion: string = process.versions.node,
): UsageError {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?ts$/.test(specifier))
    return new UsageError(
      `--plugin ${specifier}: Node.js ${nodeVersion} cannot import TypeScript; give the plugin's built JavaScript (e.g. its dist/index.js) or run Node.js 22.18 or later`,
    );
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new UsageError(`--plugin ${specifier}: could not be imported: ${reason}`);
}
