// Whole-process comparison (issue 14): `pnpm demo` and `contour --help` timed as the user runs them,
// side by side with the same sweep written as a plain PyTorch script and a plain numpy script
// (bench/demo_sweep_pytorch.py, bench/demo_sweep_numpy.py, run with Debian's /usr/bin/python3).
// Every variant is a fresh process; repetitions are interleaved (1: every variant, 2: every
// variant, …) and the table shows medians. `pnpm demo` writes out/mnist-lr-sweep/, which is deleted
// before each of its runs (otherwise it would reuse the finished trials and train nothing).
//
//   pnpm bench:whole [--repetitions 5]
//
// Needs bench/install-references.sh (PyTorch, numpy, GNU time for the peak RSS).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeResultsFile } from './results-file.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'contour-whole-process-'));
const argument = (name: string) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const repetitions = Number(argument('--repetitions') ?? 5);

interface Variant {
  readonly name: string;
  readonly command: readonly string[];
  readonly before?: () => void;
  /** Final validation accuracy per rate (%), read from the output. */
  readonly accuracies?: (output: string) => number[];
}

interface Line {
  readonly seconds: number;
  readonly text: string;
}

interface Measurement {
  readonly seconds: number;
  readonly firstLineSeconds: number | undefined;
  readonly peakRssMiB: number | undefined;
  /** User + system CPU time of the process and its children (GNU time). */
  readonly cpuSeconds: number | undefined;
  readonly lines: readonly Line[];
  readonly code: number | null;
}

const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const python = '/usr/bin/python3';
const pythonHas = (module: string) =>
  existsSync(python) && spawnSync(python, ['-c', `import ${module}`]).status === 0;

const contourAccuracies = (output: string) =>
  [...output.matchAll(/^done {2}lr=[^:]+: .*val err ([0-9.e-]+)/gm)].map(
    (match) => 100 * (1 - Number(match[1])),
  );
const pythonAccuracies = (output: string) =>
  [...output.matchAll(/^done lr=[^:]+: val accuracy ([0-9.]+) %/gm)].map((match) => Number(match[1]));

const variants: Variant[] = [
  {
    name: 'pnpm demo',
    command: ['pnpm', 'demo'],
    before: () => rmSync(join(root, 'out/mnist-lr-sweep'), { recursive: true, force: true }),
    accuracies: contourAccuracies,
  },
  { name: 'contour --help', command: ['node', 'apps/cli/dist/main.js', '--help'] },
  ...(pythonHas('torch')
    ? [
        {
          name: 'pytorch script',
          command: [python, 'bench/demo_sweep_pytorch.py'],
          accuracies: pythonAccuracies,
        },
      ]
    : []),
  ...(pythonHas('numpy')
    ? [{ name: 'numpy script', command: [python, 'bench/demo_sweep_numpy.py'], accuracies: pythonAccuracies }]
    : []),
];

/** Runs a command, timestamping each output line; GNU time (when installed) reports the peak RSS. */
function measure(variant: Variant): Promise<Measurement> {
  variant.before?.();
  const rssFile = join(scratch, 'rss.txt');
  rmSync(rssFile, { force: true });
  const [program, ...args] = gnuTime
    ? [gnuTime, '-f', '%M %U %S', '-o', rssFile, ...variant.command]
    : [...variant.command];
  const started = performance.now();
  const child = spawn(program as string, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const now = (performance.now() - started) / 1000;
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const text of parts) lines.push({ seconds: now, text });
    });
  }
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      // GNU time's last line: peak RSS (KiB), user and system seconds.
      const [rss, user, system] = (
        existsSync(rssFile) ? (readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '') : ''
      )
        .split(' ')
        .map(Number);
      // pnpm echoes the script it runs (`$ node …` or `> …`): not the command's output.
      const output = lines.filter((line) => !/^[$>] /.test(line.text) && line.text.trim() !== '');
      resolve({
        seconds,
        firstLineSeconds: output[0]?.seconds,
        peakRssMiB: rss !== undefined && Number.isFinite(rss) ? rss / 1024 : undefined,
        cpuSeconds:
          user !== undefined && system !== undefined && Number.isFinite(user + system)
            ? user + system
            : undefined,
        lines,
        code,
      });
    });
  });
}

/** `pnpm demo`'s phases from the times its lines appeared. */
function demoPhases(measurement: Measurement): Record<string, number> | undefined {
  const at = (pattern: RegExp, last = false) => {
    const matching = measurement.lines.filter((line) => pattern.test(line.text));
    return (last ? matching.at(-1) : matching[0])?.seconds;
  };
  const firstLine = at(/^sweep \S+: \d+ trials/);
  const trainingStart = at(/^start lr=/);
  const lastEpoch = at(/^ {2}lr=\S+ epoch 10: /, true);
  if (firstLine === undefined || trainingStart === undefined || lastEpoch === undefined) return undefined;
  return {
    'start-up (to the first line)': firstLine,
    'data + backend (to the first trial)': trainingStart - firstLine,
    'training + per-epoch evaluation': lastEpoch - trainingStart,
    'outputs (after the last epoch)': measurement.seconds - lastEpoch,
  };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

// Untimed: make sure the CLI is built (pnpm contour builds when sources changed).
spawnSync('pnpm', ['--silent', 'contour', '--help'], { cwd: root, stdio: 'ignore' });

const results = new Map<string, Measurement[]>(variants.map((variant) => [variant.name, []]));
for (let repetition = 1; repetition <= repetitions; repetition += 1) {
  for (const variant of variants) {
    const measurement = await measure(variant);
    if (measurement.code !== 0) {
      const tail = measurement.lines
        .slice(-10)
        .map((line) => line.text)
        .join('\n');
      throw new Error(`${variant.name} exited with ${measurement.code}:\n${tail}`);
    }
    results.get(variant.name)?.push(measurement);
    process.stderr.write(`repetition ${repetition}: ${variant.name} ${measurement.seconds.toFixed(2)} s\n`);
  }
}

const pytorchRuns = results.get('pytorch script') ?? [];
const pytorchMedian = pytorchRuns.length > 0 ? median(pytorchRuns.map((run) => run.seconds)) : undefined;
const pytorchCpu =
  pytorchRuns.every((run) => run.cpuSeconds !== undefined) && pytorchRuns.length > 0
    ? median(pytorchRuns.map((run) => run.cpuSeconds as number))
    : undefined;
const rows = variants.map((variant) => {
  const runs = results.get(variant.name) ?? [];
  const seconds = median(runs.map((run) => run.seconds));
  const firstLines = runs.flatMap((run) =>
    run.firstLineSeconds === undefined ? [] : [run.firstLineSeconds],
  );
  const rss = runs.flatMap((run) => (run.peakRssMiB === undefined ? [] : [run.peakRssMiB]));
  const cpu = runs.flatMap((run) => (run.cpuSeconds === undefined ? [] : [run.cpuSeconds]));
  const last = runs.at(-1);
  const accuracies =
    variant.accuracies && last ? variant.accuracies(last.lines.map((line) => line.text).join('\n')) : [];
  return {
    variant: variant.name,
    command: variant.command.join(' '),
    medianSeconds: seconds,
    runs: runs.map((run) => Number(run.seconds.toFixed(3))),
    phasesPerRun: variant.name === 'pnpm demo' ? runs.map(demoPhases) : undefined,
    timesPytorch: pytorchMedian === undefined ? undefined : seconds / pytorchMedian,
    cpuTimesPytorch: undefined as number | undefined,
    firstLineSeconds: firstLines.length > 0 ? median(firstLines) : undefined,
    peakRssMiB: rss.length > 0 ? Math.max(...rss) : undefined,
    cpuSeconds: cpu.length > 0 ? median(cpu) : undefined,
    accuracies,
  };
});
for (const row of rows)
  row.cpuTimesPytorch =
    pytorchCpu === undefined || row.cpuSeconds === undefined ? undefined : row.cpuSeconds / pytorchCpu;
const demoRuns = results.get('pnpm demo') ?? [];
const phaseRuns = demoRuns.flatMap((run) => {
  const phases = demoPhases(run);
  return phases ? [phases] : [];
});
const phases = Object.fromEntries(
  Object.keys(phaseRuns[0] ?? {}).map((name) => [name, median(phaseRuns.map((run) => run[name] as number))]),
);

const format = (value: number | undefined, digits = 2) => (value === undefined ? '' : value.toFixed(digits));
console.log(
  `whole processes, ${repetitions} interleaved repetitions, medians (load average ${(await import('node:os'))
    .loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')})\n`,
);
console.log(
  '| command | median s | × PyTorch script | CPU s | CPU × PyTorch | first line s | peak RSS MiB | final val acc % (1 / 0.5 / 0.2 / 0.1 / 0.01) |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  console.log(
    `| \`${row.command}\` | ${format(row.medianSeconds)} | ${format(row.timesPytorch)} | ${format(row.cpuSeconds)} | ${format(row.cpuTimesPytorch)} | ${format(row.firstLineSeconds)} | ${format(row.peakRssMiB, 0)} | ${row.accuracies.map((accuracy) => accuracy.toFixed(1)).join(' / ')} |`,
  );
}
console.log('\n`pnpm demo` phases (medians, s):\n');
console.log('| phase | s |');
console.log('|---|---|');
for (const [name, seconds] of Object.entries(phases)) console.log(`| ${name} | ${format(seconds)} |`);

writeResultsFile(join(root, 'bench/results/whole-process.json'), {
  date: new Date().toISOString(),
  repetitions,
  rows,
  demoPhases: phases,
});
rmSync(scratch, { recursive: true, force: true });
