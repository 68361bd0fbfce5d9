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
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new UsageError(`--plugin ${specifier}: could not be imported: ${reason}`);
    }
    try {
      registry.use(module.default as SchedulePlugin);
    } catch (error) {
      throw new UsageError(`--plugin ${specifier}: ${(error as Error).message}`);
    }
  }
}
