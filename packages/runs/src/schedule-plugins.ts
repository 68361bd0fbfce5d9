import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { registerSchedulePlugin, type SchedulePlugin } from '@contour/schedules';

/**
 * A schedule plugin module that could not be loaded: not found, failed to import, or its default
 * export is not a valid plugin (or clashes with one registered). `reason` is one line without the
 * module's name, for a caller that names it its own way (`--plugin ./acme.js: …`).
 */
export class SchedulePluginLoadError extends Error {
  override readonly name = 'SchedulePluginLoadError';
  constructor(
    readonly specifier: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`schedule plugin ${specifier}: ${reason}`, options);
  }
}

/** Where package names are resolved from: `directory`, by default the working directory. */
function packageDirectories(directory: string | undefined): string[] {
  return [directory ?? process.cwd()];
}

/** True for a specifier that names a file (a path or a `file:` URL), not a package. */
function namesFile(specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('file:') || isAbsolute(specifier);
}

/**
 * What a run's config records for a plugin module given on a command line: a path becomes an
 * absolute `file:` URL (resolved against `directory`), so a worker process, a resume from another
 * directory and a queue worker sharing the file system import the same file; a package name stays
 * as it is, resolved where it is loaded.
 *
 * @example schedulePluginSpecifier('./acme.js', '/home/me') // 'file:///home/me/acme.js'
 */
export function schedulePluginSpecifier(text: string, directory: string): string {
  if (text.startsWith('file:')) return text;
  return namesFile(text) ? pathToFileURL(resolve(directory, text)).href : text;
}

/** The URL to import for a recorded specifier; throws SchedulePluginLoadError when there is none. */
function moduleUrl(specifier: string, directory: string | undefined): string {
  if (namesFile(specifier)) {
    const url = specifier.startsWith('file:') ? specifier : pathToFileURL(resolve(specifier)).href;
    if (!existsSync(fileURLToPath(url))) throw new SchedulePluginLoadError(specifier, 'module not found');
    return url;
  }
  for (const from of packageDirectories(directory)) {
    try {
      return pathToFileURL(createRequire(join(from, 'package.json')).resolve(specifier)).href;
    } catch {
      // Not installed there: try the next directory.
    }
  }
  throw new SchedulePluginLoadError(
    specifier,
    `module not found (no installed package of that name in ${packageDirectories(directory).join(' or ')})`,
  );
}

/**
 * Why a plugin module failed to import, in one line. A TypeScript plugin fails on Node.js 20 (it
 * strips types only from 22.18): say so and what to give instead, rather than Node's bare
 * "Unknown file extension".
 */
export function pluginImportFailure(
  specifier: string,
  error: unknown,
  nodeVersion: string = process.versions.node,
): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?ts$/.test(specifier))
    return `Node.js ${nodeVersion} cannot import TypeScript; give the plugin's built JavaScript (e.g. its dist/index.js) or run Node.js 22.18 or later`;
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return `could not be imported: ${reason}`;
}

/**
 * Imports a schedule plugin module (a path, a `file:` URL, or a package name resolved from
 * `directory`, by default the working directory) and returns its default export, checked to be a
 * plugin but not registered.
 *
 * @throws SchedulePluginLoadError naming the module: not found, failed to import, no plugin.
 */
export async function importSchedulePlugin(specifier: string, directory?: string): Promise<SchedulePlugin> {
  const url = moduleUrl(specifier, directory);
  let module: { default?: unknown };
  try {
    module = (await import(url)) as { default?: unknown };
  } catch (error) {
    throw new SchedulePluginLoadError(specifier, pluginImportFailure(specifier, error), { cause: error });
  }
  return module.default as SchedulePlugin;
}

/**
 * Imports each schedule plugin module and registers its default export for every schedule this
 * process builds (`registerSchedulePlugin` of `@contour/schedules`): what a process does before it
 * builds a run whose config names `schedulePlugins`. Loading the same modules again does nothing.
 *
 * @throws SchedulePluginLoadError naming the module: not found, failed to import, or its default
 *   export is not a valid schedule plugin (the reason the plugin check gives).
 */
export async function loadSchedulePlugins(
  specifiers: readonly string[] | undefined,
  directory?: string,
): Promise<void> {
  for (const specifier of specifiers ?? []) {
    const plugin = await importSchedulePlugin(specifier, directory);
    try {
      registerSchedulePlugin(plugin);
    } catch (error) {
      throw new SchedulePluginLoadError(specifier, (error as Error).message, { cause: error });
    }
  }
}
