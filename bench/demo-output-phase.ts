// The demo's drawing after its last epoch alone (issue 14, target 3), for two builds of the CLI side
// by side: each run is a fresh process that starts the chart worker, hands it the sweep's charts to
// prepare as the sweep does at its second epoch, waits until it is idle, then draws and writes every
// chart, PNG, results file and report.html of a finished demo directory (a copy of it) as the sweep
// does after its last epoch. Runs are interleaved (A, B, A, B, …); the table shows medians and B ÷ A
// of the phase's wall time, the CPU of the process and of each kind of thread (read from
// /proc/self/task: Linux only), and how far the phase raised peak RSS.
//
//   node --import tsx bench/demo-output-phase.ts apps/cli/dist-main apps/cli/dist DEMO_DIRECTORY [--repetitions 3]
//
// DEMO_DIRECTORY is the output of `pnpm demo` (or of `bench/demo-builds.ts`); copy main's
// apps/cli/dist to apps/cli/dist-main first. On a shared machine the CPU columns are what to read:
// the chart worker's thread is the phase's critical path.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sideBySideTable } from './bench-support.ts';

interface Phase {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  /** The chart worker's thread: the thread of the process that used the most CPU apart from the main one. */
  readonly workerSeconds: number;
  readonly mainSeconds: number;
  /** V8's helper threads (concurrent GC, compilation) and libuv's (resvg rasterising). */
  readonly otherThreadsSeconds: number;
  readonly peakRssIncreaseMiB: number;
}

const [first, second, demo] = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const repetitionsIndex = process.argv.indexOf('--repetitions');
const repetitions = repetitionsIndex >= 0 ? Number(process.argv[repetitionsIndex + 1]) : 3;
if (first === undefined || second === undefined || demo === undefined) {
  console.error('usage: demo-output-phase.ts DIST_A DIST_B DEMO_DIRECTORY [--repetitions N]');
  process.exit(2);
}
const scratch = mkdtempSync(join(tmpdir(), 'contour-output-phase-'));
// The demo directory's name: the sweep's id, which trial ids and titles carry.
const last = demo.split('/').filter(Boolean).pop() ?? 'demo';
const phases = new Map<string, Phase[]>([
  [first, []],
  [second, []],
]);
for (let repetition = 1; repetition <= repetitions; repetition += 1) {
  for (const dist of [first, second]) {
    const child = spawnSync(
      process.execPath,
      // Plain Node, as users run the CLI: tsx's loader would also load the chart worker's modules.
      [
        fileURLToPath(new URL('./demo-output-phase-run.mjs', import.meta.url)),
        resolve(dist),
        resolve(demo),
        join(scratch, dist === first ? 'a' : 'b', last),
      ],
      { encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(`${dist}: exit ${child.status}\n${child.stderr}`);
    const phase = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as Phase;
    phases.get(dist)?.push(phase);
    console.log(`repetition ${repetition}: ${dist} ${JSON.stringify(phase)}`);
  }
}
const columns: Array<[keyof Phase, string]> = [
  ['wallSeconds', 'wall s'],
  ['cpuSeconds', 'CPU s (process)'],
  ['workerSeconds', 'chart worker thread s'],
  ['mainSeconds', 'main thread s'],
  ['otherThreadsSeconds', 'other threads s'],
  ['peakRssIncreaseMiB', 'peak RSS increase MiB'],
];
console.log(
  `\n${sideBySideTable(columns, [first, phases.get(first) ?? []], [second, phases.get(second) ?? []])}`,
);
console.log(`\noutput directories: ${join(scratch, 'a', last)} ${join(scratch, 'b', last)} (left in place)`);
