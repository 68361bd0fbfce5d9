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
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

/** CPU seconds of each thread of this process so far, by thread id (Linux: /proc/self/task/…/stat). */
function threadSeconds(): Map<string, number> {
  const ticksPerSecond = 100;
  const seconds = new Map<string, number>();
  for (const thread of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${thread}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds.set(thread, (Number(fields[11]) + Number(fields[12])) / ticksPerSecond);
    } catch {
      // The thread ended in between.
    }
  }
  return seconds;
}

/** One measurement, in this process: `dist` draws the charts of a copy of `demo` into `out`. */
async function measure(dist: string, demo: string, out: string): Promise<Phase> {
  rmSync(out, { recursive: true, force: true });
  cpSync(demo, out, { recursive: true });
  const load = (name: string) => import(pathToFileURL(join(dist, name)).href);
  const render = await load('render-chart.js');
  const report = await load('run-report.js');
  const preparation = await load('sweep-chart-preparation.js');
  const sweep = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as {
    sweepId: string;
    trials: { id: string; label: string }[];
  };
  const title = `Sweep ${sweep.sweepId}`;
  render.startChartWorkers();
  const onEpoch = preparation.sweepChartPreparation(out, sweep.trials, { perRun: true, reportTitle: title });
  for (const trial of sweep.trials) onEpoch(trial, { epoch: 2 });
  // Idle: the warm-up and every preparation done (under 40 ms of CPU in half a second).
  const processSeconds = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  };
  await new Promise((done) => setTimeout(done, 1000));
  for (let before = processSeconds(); ; before = processSeconds()) {
    await new Promise((done) => setTimeout(done, 500));
    if (processSeconds() - before < 0.04) break;
  }
  // Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS.
  writeFileSync('/proc/self/clear_refs', '5');
  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  const threadsBefore = threadSeconds();
  const cpuBefore = processSeconds();
  const start = performance.now();
  const runs = report.loadSweepRuns(out);
  await Promise.all([Promise.all(runs.map(report.writeRunPlots)), report.writeReport(out, runs, title)]);
  const wallSeconds = (performance.now() - start) / 1000;
  const cpuSeconds = processSeconds() - cpuBefore;
  const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  const used = [...threadSeconds()].map(([thread, seconds]) => ({
    main: thread === String(process.pid),
    seconds: seconds - (threadsBefore.get(thread) ?? 0),
  }));
  await render.stopChartWorkers();
  const others = used.filter((thread) => !thread.main).sort((a, b) => b.seconds - a.seconds);
  return {
    wallSeconds,
    cpuSeconds,
    workerSeconds: others[0]?.seconds ?? 0,
    mainSeconds: used.find((thread) => thread.main)?.seconds ?? 0,
    otherThreadsSeconds: others.slice(1).reduce((sum, thread) => sum + thread.seconds, 0),
    peakRssIncreaseMiB: peakKiB / 1024 - rssBefore,
  };
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  const [dist, demo, out] = process.argv.slice(childIndex + 1) as [string, string, string];
  console.log(JSON.stringify(await measure(dist, demo, out)));
} else {
  const [first, second, demo] = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
  const repetitionsIndex = process.argv.indexOf('--repetitions');
  const repetitions = repetitionsIndex >= 0 ? Number(process.argv[repetitionsIndex + 1]) : 3;
  if (first === undefined || second === undefined || demo === undefined) {
    console.error('usage: demo-output-phase.ts DIST_A DIST_B DEMO_DIRECTORY [--repetitions N]');
    process.exit(2);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'contour-output-phase-'));
  const phases = new Map<string, Phase[]>([
    [first, []],
    [second, []],
  ]);
  for (let repetition = 1; repetition <= repetitions; repetition += 1) {
    for (const dist of [first, second]) {
      const child = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          fileURLToPath(import.meta.url),
          '--child',
          resolve(dist),
          resolve(demo),
          // The demo directory's name: the sweep's id, which its charts' titles show.
          join(scratch, dist === first ? 'a' : 'b', demo.split('/').filter(Boolean).pop() ?? 'demo'),
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
  console.log(`\noutput directories: ${join(scratch, 'a')} ${join(scratch, 'b')} (left in place)`);
}
