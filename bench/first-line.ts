// Time to a command's first output line (issue 14, target 2: ≤ 0.5 s): wall seconds from spawn to
// the first byte on stdout or stderr, and the process's own CPU (user + system from /proc at that
// moment), for `sweep --preset mnist-lr-sweep`, `train`, `finetune`, `find-lr` and the `--help` of
// `race`, `worker` and `queue` of the built CLI. Each run is a fresh process in its own new
// directory, killed once it printed; the Node binaries and CLI builds given are interleaved (A, B,
// A, B, …) and the table shows medians. Linux only (/proc).
//
//   node --import tsx bench/first-line.ts [--node PATH]... [--dist apps/cli/dist]... [--repetitions 3]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const valuesOf = (flag: string): string[] =>
  process.argv.flatMap((argument, index) =>
    argument === flag && process.argv[index + 1] !== undefined ? [process.argv[index + 1] as string] : [],
  );
const nodes = valuesOf('--node').length > 0 ? valuesOf('--node') : [process.execPath];
const builds = valuesOf('--dist').length > 0 ? valuesOf('--dist') : ['apps/cli/dist'];
const repetitions = Number(valuesOf('--repetitions')[0] ?? 3);
/** Each command's arguments; `--out <its directory>` is added to those that write. */
const commands: Readonly<Record<string, readonly string[]>> = {
  'sweep --preset mnist-lr-sweep': ['sweep', '--preset', 'mnist-lr-sweep', '--out'],
  train: ['train', '--out'],
  finetune: ['finetune', '--out'],
  'find-lr': ['find-lr', '--out'],
  'race --help': ['race', '--help'],
  'worker --help': ['worker', '--help'],
  'queue --help': ['queue', '--help'],
};
const scratch = mkdtempSync(join(tmpdir(), 'contour-first-line-'));

interface FirstLine {
  readonly wall: number;
  readonly cpu: number;
}

function firstLine(node: string, build: string, command: readonly string[]): Promise<FirstLine> {
  const main = join(resolve(root, build), 'main.js');
  const directory = mkdtempSync(join(scratch, 'run-'));
  const start = process.hrtime.bigint();
  const args = command.at(-1) === '--out' ? [...command, join(directory, 'out')] : command;
  const child = spawn(node, [main, ...args], {
    cwd: directory,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((done, fail) => {
    let seen = false;
    const onOutput = (): void => {
      if (seen) return;
      seen = true;
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      // Fields 14 and 15 of /proc/<pid>/stat (utime, stime) in clock ticks (100 per second); a
      // --help may have exited (and been reaped) already: its CPU is then not known.
      let cpu = Number.NaN;
      try {
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        cpu = (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {}
      child.kill('SIGKILL');
      done({ wall, cpu });
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    // 'close' (not 'exit'): a --help exits at once, and its output may still be on its way.
    child.on('close', () => {
      if (!seen) fail(new Error(`${command.join(' ')} printed nothing`));
    });
  });
}

const format = (value: number): string => (Number.isNaN(value) ? 'n/a' : value.toFixed(2));

/** The median of the known values (NaN when none is known). */
const median = (values: readonly number[]): number => {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : (sorted[Math.floor(sorted.length / 2)] as number);
};

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadBefore = loadAverage();
const timings = new Map<string, FirstLine[]>();
for (let repetition = 0; repetition < repetitions; repetition++) {
  for (const [name, command] of Object.entries(commands)) {
    for (const node of nodes) {
      for (const build of builds) {
        const key = `${name}\t${node}\t${build}`;
        timings.set(key, [...(timings.get(key) ?? []), await firstLine(node, build, command)]);
      }
    }
  }
}
rmSync(scratch, { recursive: true, force: true });
console.log(
  `${repetitions} runs each, interleaved; load average (1, 5, 15 min) ${loadBefore} before, ${loadAverage()} after`,
);
console.log('| command | node | build | first line s (median) | CPU s to it (median) |');
console.log('|---|---|---|---|---|');
for (const [key, runs] of timings) {
  const [name, node, build] = key.split('\t');
  const version = execFileSync(node as string, ['--version'], { encoding: 'utf8' }).trim();
  console.log(
    `| ${name} | ${version} | ${build} | ${median(runs.map((run) => run.wall)).toFixed(2)} | ${format(median(runs.map((run) => run.cpu)))} |`,
  );
}
