import fs, {
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
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  RunDirectoryFileError,
  readRunDirectoryFiles,
  recordFailedJob,
  removeStagingLeftovers,
  writeRunDirectory,
  writeRunDirectoryConcurrently,
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

describe('writeRunDirectoryConcurrently', () => {
  it('writes the same bytes as writeRunDirectory and replaces an older directory whole', async () => {
    const files = [
      { path: 'model/weights.bin', encoding: 'base64', content: 'AAEC/w==' },
      { path: 'model/model.json', encoding: 'utf8', content: '{"format":"layers-model"}\n' },
      { path: 'metrics.jsonl', encoding: 'utf8', content: '{"kind":"epoch","epoch":1}\n'.repeat(500) },
      { path: 'result.json', encoding: 'utf8', content: '{"status":"finished"}\n' },
    ] as const;
    const target = join(scratch, 'concurrent', 'trial-4');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'stale.json'), '{}');
    await writeRunDirectoryConcurrently(target, files);
    const reference = join(scratch, 'concurrent-reference', 'trial-4');
    writeRunDirectory(reference, files);
    expect(readRunDirectoryFiles(target)).toEqual(readRunDirectoryFiles(reference));
    expect(readRunDirectoryFiles(target).map((file) => file.path)).toEqual([
      'metrics.jsonl',
      'model/model.json',
      'model/weights.bin',
      'result.json',
    ]);
    expect(existsSync(join(target, 'stale.json'))).toBe(false);
    expect(readdirSync(join(scratch, 'concurrent'))).toEqual(['trial-4']);
  });

  it('refuses paths that would leave the run directory, writing nothing', async () => {
    const target = join(scratch, 'concurrent', 'trial-5');
    for (const path of ['../escape.json', '/etc/passwd', 'model/../../x', '', '.hidden']) {
      await expect(
        writeRunDirectoryConcurrently(target, [
          { path: 'result.json', encoding: 'utf8', content: '{}' },
          { path, encoding: 'utf8', content: 'x' },
        ]),
      ).rejects.toThrow(RunDirectoryFileError);
    }
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(join(scratch, 'concurrent'))).toEqual(['trial-4']);
  });

  it('removes its staging directory and keeps the old directory when a write fails', async () => {
    const target = join(scratch, 'concurrent-failing', 'trial-6');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'result.json'), 'old');
    // A file and a directory of the same name: the file's write fails (EISDIR or ENOTDIR).
    await expect(
      writeRunDirectoryConcurrently(target, [
        { path: 'model', encoding: 'utf8', content: 'x' },
        { path: 'model/weights.bin', encoding: 'base64', content: 'AAEC/w==' },
      ]),
    ).rejects.toThrow();
    expect(readdirSync(join(scratch, 'concurrent-failing'))).toEqual(['trial-6']);
    expect(readFileSync(join(target, 'result.json'), 'utf8')).toBe('old');
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

describe('recordFailedJob', () => {
  it("writes status.json as failed with the first line of the job's failedReason, and returns that line", () => {
    const directory = join(scratch, 'failed-trial');
    const reason = recordFailedJob(directory, {
      failedReason: 'CoreSpecError: lr must be > 0\n    at stack',
    });
    expect(reason).toBe('CoreSpecError: lr must be > 0');
    const status = JSON.parse(readFileSync(join(directory, 'status.json'), 'utf8'));
    expect(status).toMatchObject({
      status: 'failed',
      epoch: 0,
      step: 0,
      message: 'CoreSpecError: lr must be > 0',
    });
    expect(Number.isNaN(Date.parse(status.updatedAt))).toBe(false);
  });

  it('keeps the epoch the run had reached, and on a full disk removes status.json instead of throwing', () => {
    const directory = join(scratch, 'failed-mid-run');
    mkdirSync(directory, { recursive: true });
    writeFileSync(
      join(directory, 'status.json'),
      JSON.stringify({ status: 'running', epoch: 3, step: 30, updatedAt: '2026-12-01T00:00:00.000Z' }),
    );
    expect(recordFailedJob(directory, { failedReason: 'killed' })).toBe('killed');
    expect(JSON.parse(readFileSync(join(directory, 'status.json'), 'utf8'))).toMatchObject({
      status: 'failed',
      epoch: 3,
      step: 30,
      message: 'killed',
    });
    const noSpace = vi.spyOn(fs, 'writeSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    try {
      expect(recordFailedJob(directory, { failedReason: 'killed again' })).toBe('killed again');
    } finally {
      noSpace.mockRestore();
    }
    expect(existsSync(join(directory, 'status.json'))).toBe(false);
  });

  it('says "failed" when the job has no reason', () => {
    const directory = join(scratch, 'failed-without-reason');
    expect(recordFailedJob(directory, {})).toBe('failed');
    expect(JSON.parse(readFileSync(join(directory, 'status.json'), 'utf8')).message).toBe('failed');
    expect(recordFailedJob(directory, { failedReason: '' })).toBe('failed');
  });
});
