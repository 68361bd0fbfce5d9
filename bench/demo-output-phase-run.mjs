// One run of bench/demo-output-phase.ts, in plain Node (no TypeScript loader, as users run the CLI):
//   node bench/demo-output-phase-run.mjs DIST DEMO_DIRECTORY OUT
// prints the phase's figures as one JSON line (see Phase in demo-output-phase.ts).
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** CPU seconds of each thread of this process so far, by thread id (Linux: /proc/self/task/…/stat). */
function threadSeconds() {
  const ticksPerSecond = 100;
  const seconds = new Map();
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
async function measure(dist, demo, out) {
  rmSync(out, { recursive: true, force: true });
  cpSync(demo, out, { recursive: true });
  const load = (name) => import(pathToFileURL(join(dist, name)).href);
  const render = await load('render-chart.js');
  const report = await load('run-report.js');
  const preparation = await load('sweep-chart-preparation.js');
  const sweep = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
  const title = `Sweep ${sweep.sweepId}`;
  render.startChartWorkers();
  // The trials as the sweep has them: with their run config (read back from each run directory).
  const trials = sweep.trials.map((trial) => ({
    ...trial,
    config: JSON.parse(readFileSync(join(out, 'trials', trial.id, 'config.json'), 'utf8')).config,
  }));
  const onEpoch = preparation.sweepChartPreparation(out, trials, { perRun: true, reportTitle: title });
  for (const trial of trials) onEpoch(trial, { epoch: 2 });
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

const [dist, demo, out] = process.argv.slice(2);
console.log(JSON.stringify(await measure(dist, demo, out)));
