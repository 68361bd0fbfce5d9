import {
  importSchedulePlugin,
  loadSchedulePlugins,
  SchedulePluginLoadError,
  schedulePluginSpecifier,
} from '@contour/runs/files';
import type { ScheduleRegistry } from '@contour/schedules';
import { UsageError, userDirectory } from './usage-error.js';

/** The one-line UsageError for a `--plugin` module that could not be loaded, as the user typed it. */
function pluginError(text: string, error: unknown): unknown {
  if (error instanceof SchedulePluginLoadError) return new UsageError(`--plugin ${text}: ${error.reason}`);
  return error;
}

/**
 * `contour schedule`'s `--plugin`: imports each module (a path, or a package name resolved from the
 * user's directory) and registers its default export on `registry` only. A module that cannot be
 * found or imported, or whose default export is not a schedule plugin, is a UsageError naming it.
 */
export async function loadPlugins(registry: ScheduleRegistry, texts: readonly string[]): Promise<void> {
  for (const text of texts) {
    try {
      registry.use(
        await importSchedulePlugin(schedulePluginSpecifier(text, userDirectory()), userDirectory()),
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'SchedulePluginError')
        throw new UsageError(`--plugin ${text}: ${error.message}`);
      throw pluginError(text, error);
    }
  }
}

/**
 * The training commands' `--plugin` (train, sweep, find-lr, finetune): imports each module and
 * registers it for every schedule this process builds, and returns what the run configs record
 * (`RunConfig.schedulePlugins`): paths as absolute `file:` URLs, package names as given, each once —
 * so worker processes, queue workers and a later `--resume` load the same modules. A module that
 * cannot be loaded, or is not a valid schedule plugin, is a UsageError naming it (exit 2).
 */
export async function loadTrainingPlugins(texts: readonly string[]): Promise<string[]> {
  const specifiers: string[] = [];
  for (const text of texts) {
    const specifier = schedulePluginSpecifier(text, userDirectory());
    if (specifiers.includes(specifier)) continue;
    try {
      await loadSchedulePlugins([specifier], userDirectory());
    } catch (error) {
      throw pluginError(text, error);
    }
    specifiers.push(specifier);
  }
  return specifiers;
}
