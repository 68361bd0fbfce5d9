import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  RunDirectoryFileError,
  readRunDirectoryFiles,
  removeStagingLeftovers,
  writeRunDirectory,
} from './run-directory-files.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-run-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('readRunDirectoryFiles', () => {
  it('reads every file, text as utf8 and weights as base64, leaving temporary files out', () => {
    const directory = join(scratch, 'source');
    mkdirSync(join(directory, 'model'), { recursive: true });
    writeFileSync(join(directory, 'result.json'), '{"status":"finished"}\n');
    writeFileSync(join(directory, 'model', 'weights.bin'), Buffer.from([0, 1, 2, 255]));
    writeFileSync(join(directory, '.status.json.1.2.tmp'), 'torn');
    expect(readRunDirectoryFiles(directory)).toEqual([
      { path: 'model/weights.bin', encoding: 'base64', content: 'AAEC/w==' },
      { path: 'result.json', encoding: 'utf8', content: '{"status":"finished"}\n' },
    ]);
  });
});

describe('writeRunDirectory', () => {
  it('writes the files byte for byte and replaces an older directory whole', () => {
    const target = join(scratch, 'trials', 'trial-1');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'stale.json'), '{}');
    writeRunDirectory(target, [
      { path: 'model/weights.bin', encoding: 'base64', content: 'AAEC/w==' },
      { path: 'result.json', encoding: 'utf8', content: '{"status":"finished"}\n' },
    ]);
    expect([...readFileSync(join(target, 'model', 'weights.bin'))]).toEqual([0, 1, 2, 255]);
    expect(readFileSync(join(target, 'result.json'), 'utf8')).toBe('{"status":"finished"}\n');
    expect(existsSync(join(target, 'stale.json'))).toBe(false);
    expect(readdirSync(join(scratch, 'trials'))).toEqual(['trial-1']);
  });

  it('refuses paths that would leave the run directory, writing nothing', () => {
    const target = join(scratch, 'trials', 'trial-2');
    for (const path of ['../escape.json', '/etc/passwd', 'model/../../x', '', '.hidden']) {
      expect(() => writeRunDirectory(target, [{ path, encoding: 'utf8', content: 'x' }])).toThrow(
        RunDirectoryFileError,
      );
    }
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(scratch, 'escape.json'))).toBe(false);
  });
});

describe('removeStagingLeftovers', () => {
  it('removes staging directories a killed coordinator left, and nothing else', () => {
    const trials = join(scratch, 'leftovers');
    mkdirSync(join(trials, '.trial-3.incoming-123-0a1b2c3d'), { recursive: true });
    mkdirSync(join(trials, '.trial-3.replaced-123-0a1b2c3d'), { recursive: true });
    mkdirSync(join(trials, 'trial-3'), { recursive: true });
    removeStagingLeftovers(trials);
    expect(readdirSync(trials)).toEqual(['trial-3']);
  });
});
