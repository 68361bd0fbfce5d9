import { execFileSync } from 'node:child_process';
import fs, { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runInProcess } from '../test-support/run-cli.js';
import { epochNumbers, errorLine, quickFlags, records } from './run-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-fault-disk-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const epochs = ['--epochs', '4'];
const reference = join(scratch, 'reference');
/** Every file write of the reference run, in order: which file and how many bytes. */
let writes: Array<{ path: string; bytes: number }> = [];

/** Records writes (through `fs`, as every Contour write goes) to files under `directory`. */
function watchWrites(directory: string, onWrite: (path: string, bytes: number) => number | undefined) {
  const openPaths = new Map<number, string>();
  const realOpen = fs.openSync.bind(fs) as (...args: unknown[]) => number;
  const realWrite = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
  vi.spyOn(fs, 'openSync').mockImplementation(((path: fs.PathLike, ...rest: unknown[]) => {
    const descriptor = realOpen(path, ...rest);
    if (String(path).startsWith(directory)) openPaths.set(descriptor, String(path));
    return descriptor;
  }) as typeof fs.openSync);
  vi.spyOn(fs, 'writeSync').mockImplementation(((
    descriptor: number,
    buffer: Uint8Array,
    offset?: number | null,
    length?: number | null,
  ) => {
    const start = offset ?? 0;
    const wanted = length ?? buffer.length - start;
    const path = openPaths.get(descriptor);
    // Atomic writes go to `.<name>.<pid>.<time>.tmp`: report the file they replace.
    const target = path?.replace(/\/\.([^/]+)\.\d+\.\d+\.tmp$/, '/$1');
    const allowed = target === undefined ? wanted : (onWrite(target, wanted) ?? wanted);
    if (allowed === 0)
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return realWrite(descriptor, buffer, start, Math.min(wanted, allowed));
  }) as typeof fs.writeSync);
}

beforeAll(async () => {
  mkdirSync(reference);
  watchWrites(reference, (path, bytes) => {
    writes.push({ path: path.slice(reference.length + 1), bytes });
    return undefined;
  });
  const { code } = await runInProcess(['train', ...quickFlags, ...epochs, '--out', join(reference, 'run')]);
  vi.restoreAllMocks();
  expect(code).toBe(0);
  writes = writes.map((write) => ({ ...write, path: write.path.replace(/^run\//, '') }));
}, 120_000);

/** A PNG that is whole: its signature and its final IEND chunk. */
function isWholePng(path: string): boolean {
  const bytes = readFileSync(path);
  return (
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) &&
    bytes.subarray(bytes.length - 8, bytes.length - 4).toString('latin1') === 'IEND'
  );
}

/** After the disk is freed: the run completes (resumed when it had started) and is exact. */
async function finishAndCompare(run: string) {
  const resumed = existsSync(join(run, 'config.json'));
  const { code, stderr } = resumed
    ? await runInProcess(['train', '--resume', run])
    : await runInProcess(['train', ...quickFlags, ...epochs, '--out', run]);
  expect(code, stderr).toBe(0);
  expect(epochNumbers(run)).toEqual(epochNumbers(join(reference, 'run')));
  expect(records(run).filter((record) => record.kind === 'run-start')).toHaveLength(1);
  expect(isWholePng(join(run, 'loss.png'))).toBe(true);
  expect(readdirSync(run).filter((name) => name.endsWith('.tmp'))).toEqual([]);
}

/**
 * status.json never says `finished` for a run whose own files could not be written; when only a
 * plot could not be written the training did finish, and the plot is absent or whole, never cut.
 */
function expectStatusHonest(run: string, failedFile: string) {
  const status = join(run, 'status.json');
  const plot = /\.(svg|png)$/.test(failedFile);
  if (existsSync(status) && !plot)
    expect(JSON.parse(readFileSync(status, 'utf8')).status).not.toBe('finished');
  if (plot && existsSync(join(run, failedFile)) && failedFile.endsWith('.png'))
    expect(isWholePng(join(run, failedFile))).toBe(true);
  if (plot && failedFile.endsWith('.svg') && existsSync(join(run, failedFile)))
    expect(readFileSync(join(run, failedFile), 'utf8').trimEnd().endsWith('</svg>')).toBe(true);
}

/** The n-th write (1-based) to a file of the reference run. */
function nthWrite(file: string, occurrence: number): number {
  let seen = 0;
  const index = writes.findIndex((write) => write.path === file && ++seen === occurrence);
  if (index < 0) throw new Error(`the reference run wrote ${file} fewer than ${occurrence} times`);
  return index;
}

describe('a full disk (injected short writes: writeSync writes part and returns the short count)', () => {
  // Each target: the write that runs out of room, a third of the way through it.
  const targets: Array<[string, number]> = [
    ['config.json', 1],
    ['metrics.jsonl', 1],
    ['model/weights.bin', 1],
    ['checkpoint.json', 1],
    ['metrics.jsonl', 4],
    ['model/weights.bin', 2],
    ['model/model.json', 3],
    ['checkpoint.json', 3],
    ['status.json', 5],
    ['result.json', 1],
  ];
  it.each(targets)(
    'running out of room in %s (write %i): one line, previous files whole, resume exact',
    async (file, occurrence) => {
      nthWrite(file, occurrence);
      const directory = join(scratch, `${file.replace(/\W+/g, '-')}-${occurrence}`);
      const run = join(directory, 'run');
      const target = join(run, file);
      mkdirSync(directory);
      // The disk fills during that write, counted by file rather than by bytes: timestamps and
      // durations make the earlier files' sizes vary from run to run by a few bytes.
      let targetWrites = 0;
      let full = false;
      watchWrites(directory, (path, bytes) => {
        if (full) return 0;
        if (path !== target || ++targetWrites < occurrence) return bytes;
        full = true;
        return Math.floor(bytes / 3);
      });
      const { code, stderr } = await runInProcess(['train', ...quickFlags, ...epochs, '--out', run]);
      vi.restoreAllMocks();
      expect(code).toBe(1);
      expect(errorLine(stderr)).toBe(`contour: no space left on ${join(run, file)}`);
      expectStatusHonest(run, file);
      await finishAndCompare(run);
    },
  );
});

describe('contour report on a run a full disk cut short', () => {
  /** Reports `run` and returns its row of results.json. */
  async function reportRow(run: string) {
    const { code, stderr } = await runInProcess(['report', run]);
    expect(code, stderr).toBe(0);
    const rows = JSON.parse(readFileSync(join(run, 'results.json'), 'utf8')) as Array<
      Record<string, unknown>
    >;
    expect(rows).toHaveLength(1);
    return rows[0] as Record<string, unknown>;
  }

  /** Trains into `run` while writes to its files fail with ENOSPC as `fails` says. */
  async function trainOnFullDisk(run: string, fails: (path: string, count: number) => boolean) {
    mkdirSync(run, { recursive: true });
    let count = 0;
    watchWrites(run, (path, bytes) => (fails(path, ++count) ? 0 : bytes));
    const { code, stderr } = await runInProcess(['train', ...quickFlags, ...epochs, '--out', run]);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    return errorLine(stderr);
  }

  it('says failed with the error when the run could still mark status.json failed', async () => {
    const run = join(scratch, 'reported-failed');
    const log = join(run, 'metrics.jsonl');
    let logWrites = 0;
    // Epoch 2's log write runs out of room once; status.json can then be written (space freed).
    const line = await trainOnFullDisk(run, (path) => path === log && ++logWrites === 4);
    expect(line).toBe(`contour: no space left on ${log}`);
    expect(JSON.parse(readFileSync(join(run, 'status.json'), 'utf8'))).toMatchObject({
      status: 'failed',
      message: `no space left on ${log}`,
    });
    expect(await reportRow(run)).toMatchObject({
      status: 'failed',
      statusMessage: `no space left on ${log}`,
    });
  });

  it('does not say running when not even status.json could be written (and no process writes it)', async () => {
    const run = join(scratch, 'reported-gone');
    const log = join(run, 'metrics.jsonl');
    let full = false;
    const line = await trainOnFullDisk(run, (path) => {
      if (path === log && !full && existsSync(join(run, 'checkpoint.json'))) full = true;
      return full;
    });
    expect(line).toBe(`contour: no space left on ${log}`);
    expect(existsSync(join(run, 'status.json'))).toBe(false);
    expect(await reportRow(run)).toMatchObject({
      status: 'failed',
      statusMessage: 'not running: metrics.jsonl has no finish record and no status.json or live writer',
    });
  });
});

describe('a full disk while plot and report write (injected short writes)', () => {
  // `train` draws in worker threads (covered by the tmpfs cases below); plot and report draw here.
  it.each([
    ['plot', 'overlay.png'],
    ['plot', 'overlay.svg'],
    ['report', 'results.json'],
    ['report', 'report.html'],
  ])(
    '%s running out of room in %s: one line, exit 1, the previous file byte for byte',
    async (command, file) => {
      const directory = join(scratch, `${command}-${file.replace(/\W+/g, '-')}`);
      cpSync(join(reference, 'run'), directory, { recursive: true });
      const args =
        command === 'plot'
          ? [
              'plot',
              directory,
              '--out',
              join(directory, 'overlay.png'),
              '--out',
              join(directory, 'overlay.svg'),
            ]
          : ['report', directory];
      expect((await runInProcess(args)).code).toBe(0);
      const previous = readFileSync(join(directory, file));
      let room: number | undefined;
      watchWrites(directory, (path, bytes) => {
        if (path === join(directory, file)) room ??= Math.floor(bytes / 2);
        if (room === undefined) return undefined;
        const allowed = Math.min(bytes, room);
        room -= allowed;
        return allowed;
      });
      const { code, stderr } = await runInProcess(args);
      vi.restoreAllMocks();
      expect(code).toBe(1);
      expect(errorLine(stderr)).toBe(`contour: no space left on ${join(directory, file)}`);
      expect(readFileSync(join(directory, file)).equals(previous)).toBe(true);
      expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    },
  );
});

/** A real 300 KB-class tmpfs (Linux, root): the kernel's own full-disk behaviour. */
function mountTmpfs(size: string): { directory: string; grow: () => void; unmount: () => void } | string {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (mount needs it)';
  const directory = mkdtempSync(join(scratch, `tmpfs-${size}-`));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', directory], { stdio: 'pipe' });
  } catch (error) {
    return `mount -t tmpfs failed: ${String((error as Error).message).split('\n')[0]}`;
  }
  return {
    directory,
    grow: () => execFileSync('mount', ['-o', 'remount,size=8m', directory]),
    unmount: () => execFileSync('umount', [directory]),
  };
}

describe('a full disk (a real small tmpfs)', () => {
  const probe = mountTmpfs('64k');
  const skip = typeof probe === 'string' ? probe : undefined;
  if (typeof probe !== 'string') probe.unmount();
  // Sizes that run out at the first checkpoint, at a later checkpoint (old + new do not fit
  // together), in the log and in the plots.
  it.skipIf(skip !== undefined).each(['150k', '250k', '300k', '400k'])(
    `train into a %s tmpfs: one line, status honest, resume after freeing space is exact${skip ? ` (skipped: ${skip})` : ''}`,
    async (size) => {
      const mounted = mountTmpfs(size);
      if (typeof mounted === 'string') throw new Error(mounted);
      try {
        const run = join(mounted.directory, 'run');
        const { code, stderr } = await runInProcess(['train', ...quickFlags, ...epochs, '--out', run]);
        expect(code).toBe(1);
        expect(errorLine(stderr)).toMatch(new RegExp(`^contour: no space left on ${run}/\\S+$`));
        expectStatusHonest(run, errorLine(stderr).slice(`contour: no space left on ${run}/`.length));
        mounted.grow();
        await finishAndCompare(run);
        expect(basename(run)).toBe('run');
      } finally {
        mounted.unmount();
      }
    },
  );
});
