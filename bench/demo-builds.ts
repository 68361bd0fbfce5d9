// Two builds of the CLI side by side on the demo sweep (issue 14, target 3): e.g. main's
// apps/cli/dist copied to apps/cli/dist-main (inside apps/cli so it resolves the same packages)
// against this checkout's apps/cli/dist. Each run is a fresh `node <dist>/main.js sweep --preset
// mnist-lr-sweep` into its own new directory; runs are interleaved (A, B, A, B, …) and the table
// shows medians and B ÷ A. CPU s is user + system of the process (GNU time), so it counts the chart
// worker and the PNG threads too.
//
//   node --import tsx bench/demo-builds.ts apps/cli/dist-main apps/cli/dist [--repetitions 3]
//
// Afterwards `bench/compare-demo-output.ts` can compare the two last output directories it names.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sideBySideTable } from './bench-support.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const [first, second] = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const repetitionsIndex = process.argv.indexOf('--repetitions');
const repetitions = repetitionsIndex >= 0 ? Number(process.argv[repetitionsIndex + 1]) : 3;
if (first === undefined || second === undefined) {
  console.error('usage: demo-builds.ts DIST_A DIST_B [--repetitions N]');
  process.exit(2);
}
const scratch = mkdtempSync(join(tmpdir(), 'contour-demo-builds-'));

interface Timing {
  /** Seconds to the first line of output. */
  readonly firstLine: number;
  /** From the first line to the last trial's `done` line. */
  readonly training: number;
  /** From the last `done` line to the exit: charts, PNGs, report and results files. */
  readonly afterLastEpoch: number;
  readonly total: number;
  readonly cpu: number;
  readonly peakRssMiB: number;
}

function runDemo(dist: string, out: string): Promise<Timing> {
  const timeFile = join(scratch, 'time');
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const seconds = () => (performance.now() - start) / 1000;
    let firstLine: number | undefined;
    let lastDone = Number.NaN;
    let pending = '';
    const child = spawn(
      '/usr/bin/time',
      [
        '-f',
        '%U %S %M',
        '-o',
        timeFile,
        'node',
        join(dist, 'main.js'),
        'sweep',
        '--preset',
        'mnist-lr-sweep',
        '--out',
        out,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const onData = (data: Buffer) => {
      pending += data.toString();
      for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 1);
        firstLine ??= seconds();
        if (line.startsWith('done ')) lastDone = seconds();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => {
      const total = seconds();
      if (code !== 0) return reject(new Error(`${dist}: exit ${code}`));
      const [user, system, rssKiB] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-3).map(Number);
      const shown = firstLine ?? total;
      resolve({
        firstLine: shown,
        training: lastDone - shown,
        afterLastEpoch: total - lastDone,
        total,
        cpu: (user ?? 0) + (system ?? 0),
        peakRssMiB: (rssKiB ?? 0) / 1024,
      });
    });
  });
}

const timings = new Map<string, Timing[]>([
  [first, []],
  [second, []],
]);
for (let repetition = 1; repetition <= repetitions; repetition += 1) {
  for (const dist of [first, second]) {
    // One directory name for both builds: it is the sweep's id, which trial ids and titles carry.
    const out = join(scratch, dist === first ? 'a' : 'b', 'demo');
    rmSync(out, { recursive: true, force: true });
    const timing = await runDemo(dist, out);
    timings.get(dist)?.push(timing);
    console.log(`repetition ${repetition}: ${dist} ${timing.total.toFixed(2)} s`);
  }
}

const columns: Array<[keyof Timing, string]> = [
  ['firstLine', 'first line s'],
  ['training', 'training s'],
  ['afterLastEpoch', 'after the last epoch s'],
  ['total', 'total s'],
  ['cpu', 'CPU s'],
  ['peakRssMiB', 'peak RSS MiB'],
];
console.log(
  `\n${sideBySideTable(columns, [first, timings.get(first) ?? []], [second, timings.get(second) ?? []])}`,
);
console.log(
  `\noutput directories: ${join(scratch, 'a', 'demo')} ${join(scratch, 'b', 'demo')} (left in place)`,
);
