import { describe, expect, it } from 'vitest';
import { pluginImportError } from './load-plugins.js';
import { UsageError } from './usage-error.js';

const unknownExtension = (path: string) =>
  Object.assign(new TypeError(`Unknown file extension ".ts" for ${path}`), {
    code: 'ERR_UNKNOWN_FILE_EXTENSION',
  });

describe('pluginImportError', () => {
  it('says a TypeScript plugin needs its built JavaScript or a Node.js that strips types', () => {
    const error = pluginImportError(
      './acme/src/index.ts',
      unknownExtension('/work/acme/src/index.ts'),
      '20.20.2',
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      "--plugin ./acme/src/index.ts: Node.js 20.20.2 cannot import TypeScript; give the plugin's built JavaScript (e.g. its dist/index.js) or run Node.js 22.18 or later",
    );
  });

  it("keeps Node's first line for any other failure", () => {
    const error = pluginImportError('./acme.js', new SyntaxError('Unexpected token\n  at line 3'));
    expect(error.message).toBe('--plugin ./acme.js: could not be imported: Unexpected token');
  });
});
