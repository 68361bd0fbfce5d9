import { execFileSync } from 'node:child_process';
import fs, { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { MetricsLogger } from '../metrics-logger.js';
import { steadyRun } from '../test-support/sample-runs.js';
import { JsonlFileSink, readMetricsFile } from './jsonl-file-sink.js';
import { removeAtomicWriteLeftovers, writeFileAtomic } from './write-file-atomic.js';
import { DiskFullError, writeFullySync } from './write-fully.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-write-fully-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/**
 * Makes `fs.writeSync` behave as on a disk with `room` bytes left: it writes what fits and
 * returns the short count without throwing, and throws ENOSPC once nothing fits (as Linux does).
 */
function injectFullDisk(room: number): void {
  const real = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
  let left = room;
  vi.spyOn(fs, 'writeSync').mockImplementation(((
    descriptor: number,
    buffer: Uint8Array,
    offset?: number | null,
    length?: number | null,
  ) => {
    const start = offset ?? 0;
    const wanted = length ?? buffer.length - start;
    if (left === 0)
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const count = Math.min(wanted, left);
    left -= count;
    return real(descriptor, buffer, start, count);
  }) as typeof fs.writeSync);
}

describe('writeFullySync', () => {
  it('loops over short writes until every byte is written', () => {
    const path = join(scratch, 'short-but-complete.bin');
    const real = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
    const calls: number[] = [];
    vi.spyOn(fs, 'writeSync').mockImplementation(((
      descriptor: number,
      buffer: Uint8Array,
      offset?: number | null,
      length?: number | null,
    ) => {
      // At most 7 bytes per call: a writer that ignored the count would lose the rest.
      const start = offset ?? 0;
      const count = Math.min(7, length ?? buffer.length - start);
      calls.push(count);
      return real(descriptor, buffer, start, count);
    }) as typeof fs.writeSync);
    const bytes = Buffer.from('0123456789'.repeat(10));
    const descriptor = fs.openSync(path, 'w');
    writeFullySync(descriptor, bytes, path);
    fs.closeSync(descriptor);
    vi.restoreAllMocks();
    expect(readFileSync(path, 'utf8')).toBe(bytes.toString());
    expect(calls).toHaveLength(Math.ceil(100 / 7));
  });

  it('throws DiskFullError naming the file when the disk takes fewer bytes', () => {
    const path = join(scratch, 'full.bin');
    injectFullDisk(53);
    const descriptor = fs.openSync(path, 'w');
    let error: unknown;
    try {
      writeFullySync(descriptor, new Uint8Array(200), path);
    } catch (caught) {
      error = caught;
    } finally {
      fs.closeSync(descriptor);
    }
    expect(error).toBeInstanceOf(DiskFullError);
    expect((error as DiskFullError).message).toBe(`no space left on ${path}`);
    expect((error as DiskFullError).written).toBe(53);
    expect((error as DiskFullError).expected).toBe(200);
  });

  it('treats a write count of 0 as a full disk (no endless loop)', () => {
    const path = join(scratch, 'zero.bin');
    vi.spyOn(fs, 'writeSync').mockReturnValue(0);
    const descriptor = fs.openSync(path, 'w');
    try {
      expect(() => writeFullySync(descriptor, new Uint8Array(10), path)).toThrow(`no space left on ${path}`);
    } finally {
      fs.closeSync(descriptor);
    }
  });
});

describe('writeFileAtomic', () => {
  it('keeps the previous file whole and removes its temp file when the disk is full', () => {
    const directory = join(scratch, 'atomic');
    const path = join(directory, 'checkpoint.json');
    writeFileAtomic(path, '{"epoch":1}');
    // The issue's numbers: writeSync returned 53,248 of 200,000 bytes.
    injectFullDisk(53_248);
    expect(() => writeFileAtomic(path, 'x'.repeat(200_000))).toThrow(new DiskFullError(path, 0, 0).message);
    vi.restoreAllMocks();
    expect(readFileSync(path, 'utf8')).toBe('{"epoch":1}');
    expect(readdirSync(directory)).toEqual(['checkpoint.json']);
  });

  it('removeAtomicWriteLeftovers removes temp files a killed writer left, and nothing else', () => {
    const directory = join(scratch, 'leftovers');
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, '.result.json.4242.1764590000000.tmp'), '{');
    writeFileSync(join(directory, 'result.json'), '{}');
    writeFileSync(join(directory, '.keep'), '');
    removeAtomicWriteLeftovers(directory);
    expect(readdirSync(directory).sort()).toEqual(['.keep', 'result.json']);
  });
});

describe('JsonlFileSink', () => {
  it('cuts a flush the disk could not take back off, leaving the log whole up to its last flush', () => {
    const path = join(scratch, 'jsonl/metrics.jsonl');
    const sink = new JsonlFileSink(path);
    const logger = new MetricsLogger([sink]);
    logger.log(steadyRun[0] as never);
    logger.log(steadyRun[1] as never);
    const before = readFileSync(path, 'utf8');
    injectFullDisk(20);
    expect(() => logger.log(steadyRun[2] as never)).toThrow(`no space left on ${path}`);
    vi.restoreAllMocks();
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readMetricsFile(path)).toEqual({ records: [steadyRun[0], steadyRun[1]], tornLastLine: undefined });
    // Closing after the failure does not throw again (the refused lines are not retried).
    expect(() => logger.close()).not.toThrow();
  });
});

/** A real 300 KB tmpfs (Linux, root): the kernel's own full-disk behaviour, not an imitation. */
function mountSmallTmpfs(): { directory: string; unmount: () => void } | string {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (mount needs it)';
  const directory = mkdtempSync(join(scratch, 'tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=300k', 'tmpfs', directory], { stdio: 'pipe' });
  } catch (error) {
    return `mount -t tmpfs failed: ${String((error as Error).message).split('\n')[0]}`;
  }
  return { directory, unmount: () => execFileSync('umount', [directory]) };
}

describe('writes on a real full disk (300 KB tmpfs)', () => {
  const mounted = mountSmallTmpfs();
  const skip = typeof mounted === 'string' ? mounted : undefined;
  afterAll(() => {
    if (typeof mounted !== 'string') mounted.unmount();
  });
  it.skipIf(skip !== undefined)(`keeps the previous files whole${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const directory = (mounted as { directory: string }).directory;
    const checkpoint = join(directory, 'checkpoint.json');
    const log = join(directory, 'metrics.jsonl');
    writeFileAtomic(checkpoint, 'a'.repeat(100_000));
    const sink = new JsonlFileSink(log);
    sink.write(steadyRun[0] as never);
    sink.flush();
    const logBefore = readFileSync(log, 'utf8');
    // 100 KB used: a 250 KB replacement cannot fit beside the old file.
    expect(() => writeFileAtomic(checkpoint, 'b'.repeat(250_000))).toThrow(`no space left on ${checkpoint}`);
    expect(readFileSync(checkpoint, 'utf8')).toBe('a'.repeat(100_000));
    writeFileSync(join(directory, 'filler'), Buffer.alloc(150_000));
    sink.write({ kind: 'event', event: 'note', epoch: 1, step: 0, message: 'x'.repeat(200_000) } as never);
    expect(() => sink.flush()).toThrow(`no space left on ${log}`);
    expect(readFileSync(log, 'utf8')).toBe(logBefore);
    sink.close();
    expect(readdirSync(directory).sort()).toEqual(['checkpoint.json', 'filler', 'metrics.jsonl']);
  });
});
