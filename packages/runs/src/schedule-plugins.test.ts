import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createScheduleFromJson } from '@contour/schedules';
import { afterAll, describe, expect, it } from 'vitest';
import {
  importSchedulePlugin,
  loadSchedulePlugins,
  pluginImportFailure,
  SchedulePluginLoadError,
  schedulePluginSpecifier,
} from './schedule-plugins.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-schedule-plugins-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A plugin module as a user writes it without any import: η(t) = lr/(1 + t). */
const pluginSource = (name: string) => `export default {
  specificationVersion: 'v1',
  meta: { name: '${name}', version: '1.0.0' },
  schedules: {
    harmonic: {
      description: 'lr/(1 + t)',
      parameters: { lr: { kind: 'number', min: 0, minInclusive: true, inheritable: true, description: 'rate' } },
      create: ({ lr }) => ({ value: (t) => lr / (1 + t) }),
    },
  },
};
`;

function writeModule(name: string, source: string): string {
  const path = join(scratch, name);
  writeFileSync(path, source);
  return path;
}

describe('schedulePluginSpecifier', () => {
  it('records a path as an absolute file URL and keeps package names and file URLs', () => {
    expect(schedulePluginSpecifier('./plugins/acme.js', '/home/me')).toBe('file:///home/me/plugins/acme.js');
    expect(schedulePluginSpecifier('/opt/acme.js', '/home/me')).toBe('file:///opt/acme.js');
    expect(schedulePluginSpecifier('contour-plugin-acme', '/home/me')).toBe('contour-plugin-acme');
    expect(schedulePluginSpecifier('@acme/schedules', '/home/me')).toBe('@acme/schedules');
    expect(schedulePluginSpecifier('file:///opt/acme.js', '/home/me')).toBe('file:///opt/acme.js');
  });
});

describe('loadSchedulePlugins', () => {
  it('registers each module for every schedule the process builds; loading again does nothing', async () => {
    const url = pathToFileURL(writeModule('harmonic.mjs', pluginSource('harmonic'))).href;
    expect(() => createScheduleFromJson({ type: 'harmonic:harmonic', lr: 1 })).toThrow(/--plugin/);
    await loadSchedulePlugins([url]);
    await loadSchedulePlugins([url]);
    const schedule = createScheduleFromJson({ type: 'harmonic:harmonic', lr: 1 });
    expect([0, 1, 2, 5].map((t) => schedule.value(t))).toEqual([1, 1 / 2, 1 / 3, 1 / 6]);
  });

  it('resolves a package name from the given directory', async () => {
    const project = join(scratch, 'project');
    const packageDirectory = join(project, 'node_modules', 'contour-plugin-local');
    mkdirSync(packageDirectory, { recursive: true });
    writeFileSync(join(project, 'package.json'), '{"name":"project","private":true}');
    writeFileSync(
      join(packageDirectory, 'package.json'),
      '{"name":"contour-plugin-local","version":"1.0.0","type":"module","main":"index.js"}',
    );
    writeFileSync(join(packageDirectory, 'index.js'), pluginSource('local'));
    const plugin = await importSchedulePlugin('contour-plugin-local', project);
    expect(plugin.meta).toEqual({ name: 'local', version: '1.0.0' });
    await expect(importSchedulePlugin('contour-plugin-absent', project)).rejects.toThrow(
      `schedule plugin contour-plugin-absent: module not found (no installed package of that name in ${project})`,
    );
  });

  it('names the module in one line when it is missing, throws on import or is no plugin', async () => {
    const missing = pathToFileURL(join(scratch, 'missing.mjs')).href;
    const failure = async (specifier: string) => {
      const error = await loadSchedulePlugins([specifier]).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(SchedulePluginLoadError);
      expect((error as SchedulePluginLoadError).specifier).toBe(specifier);
      return (error as Error).message;
    };
    expect(await failure(missing)).toBe(`schedule plugin ${missing}: module not found`);
    const throwing = pathToFileURL(
      writeModule('throws.mjs', "throw new Error('plugin boom\\nsecond line');"),
    ).href;
    expect(await failure(throwing)).toBe(`schedule plugin ${throwing}: could not be imported: plugin boom`);
    const noDefault = pathToFileURL(writeModule('no-default.mjs', 'export const x = 1;')).href;
    expect(await failure(noDefault)).toBe(
      `schedule plugin ${noDefault}: schedule plugin must be an object; got undefined`,
    );
    const invalid = pathToFileURL(
      writeModule(
        'invalid.mjs',
        "export default { specificationVersion: 'v1', meta: { name: 'invalid', version: '1' }, schedules: { bad: { parameters: {} } } };",
      ),
    ).href;
    expect(await failure(invalid)).toBe(
      `schedule plugin ${invalid}: schedule plugin "invalid": schedule "bad" needs a "create" function and a "parameters" object`,
    );
    // Another module of a name already registered.
    const twin = pathToFileURL(
      writeModule('twin.mjs', pluginSource('harmonic').replace('1.0.0', '2.0.0')),
    ).href;
    await loadSchedulePlugins([pathToFileURL(join(scratch, 'harmonic.mjs')).href]);
    expect(await failure(twin)).toBe(
      `schedule plugin ${twin}: schedule plugin "harmonic" is already registered (version 1.0.0); cannot register version 2.0.0 too`,
    );
  });
});

describe('pluginImportFailure', () => {
  it('says a TypeScript plugin needs its built JavaScript or a Node.js that strips types', () => {
    const error = Object.assign(new TypeError('Unknown file extension ".ts" for /work/acme/src/index.ts'), {
      code: 'ERR_UNKNOWN_FILE_EXTENSION',
    });
    expect(pluginImportFailure('./acme/src/index.ts', error, '20.20.2')).toBe(
      "Node.js 20.20.2 cannot import TypeScript; give the plugin's built JavaScript (e.g. its dist/index.js) or run Node.js 22.18 or later",
    );
  });

  it("keeps Node's first line for any other failure", () => {
    expect(pluginImportFailure('./acme.js', new SyntaxError('Unexpected token\n  at line 3'))).toBe(
      'could not be imported: Unexpected token',
    );
  });
});
