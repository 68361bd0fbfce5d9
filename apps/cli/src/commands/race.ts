import { join } from 'node:path';
import { raceChartSpec } from '@contour/metrics-logger';
import { makeDirectory, writeFileAtomic } from '@contour/metrics-logger/node';
import type { RaceOptions, RaceResult } from '@contour/race';
import { type Racer, racePreset, racePresetNames, type SurfaceName, surfaceNames } from '@contour/race/spec';
import type { Command } from 'commander';
import type { TopLevelSpec } from 'vega-lite';
import { compactTable } from '../compact-table.js';
import { readJsonInput } from '../json-input.js';
import { renderChart } from '../render-chart.js';
import { parseNumberList, parsePositiveInteger, UsageError, userPath } from '../usage-error.js';

interface RaceCommandOptions {
  surface: string;
  from?: string;
  steps: string;
  optimizer: string[];
  preset?: string;
  conditionNumber?: string;
  rotation?: string;
  json?: boolean;
  out?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Errors from @contour/core and @contour/optimizers that mean bad input (exit 2). */
const inputErrorNames = new Set(['RaceSpecError', 'OptimizerSpecError', 'UnknownOptimizerTypeError']);

/** Reads one `--optimizer` value: a JSON optimizer spec (with an optional "label") or @file.json. */
export function readRacer(text: string, index: number): Racer {
  const parsed = readJsonInput(`--optimizer #${index + 1}`, text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--optimizer #${index + 1} must be a JSON object like {"type":"sgd","lr":0.01}`);
  }
  const { label, ...spec } = parsed as Record<string, unknown>;
  if (label !== undefined && (typeof label !== 'string' || label.trim() === '')) {
    throw new UsageError(`--optimizer #${index + 1}: "label" must be a non-empty string`);
  }
  // Checked field by field when the race builds its optimizers (OptimizerSpecError: exit 2).
  const optimizerSpec = spec as unknown as Racer['spec'];
  return label === undefined ? { spec: optimizerSpec } : { label: label as string, spec: optimizerSpec };
}

function parseStart(text: string): [number, number] {
  const values = parseNumberList('--from', text);
  if (values.length !== 2 || !values.every(Number.isFinite)) {
    throw new UsageError(`--from must be two finite numbers "x,y"; got "${text}"`);
  }
  return [values[0] as number, values[1] as number];
}

function parseFiniteNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`${flag} must be a finite number; got "${text}"`);
  return value;
}

/** `{"<label>": [[x, y], ...]}`: what `--json` prints. */
export function trajectoriesJson(result: RaceResult): Record<string, Array<[number, number]>> {
  return Object.fromEntries(
    result.trajectories.map((trajectory) => [trajectory.label, [...trajectory.points]]),
  );
}

/**
 * The race the flags ask for; a bad flag is a UsageError. Checked with `@contour/race/spec` alone,
 * so a usage error is printed before tfjs loads.
 */
function raceOptions(options: RaceCommandOptions): RaceOptions {
  if (!surfaceNames.includes(options.surface as (typeof surfaceNames)[number])) {
    throw new UsageError(`--surface must be one of ${surfaceNames.join(', ')}; got "${options.surface}"`);
  }
  if (
    options.preset !== undefined &&
    !racePresetNames.includes(options.preset as (typeof racePresetNames)[number])
  ) {
    throw new UsageError(`--preset must be one of ${racePresetNames.join(', ')}; got "${options.preset}"`);
  }
  const steps = parsePositiveInteger('--steps', options.steps);
  const racers = [
    ...(options.preset === undefined ? [] : racePreset(options.preset, options.surface)),
    ...options.optimizer.map(readRacer),
  ];
  if (racers.length === 0) {
    throw new UsageError(
      `race needs --optimizer '<spec>' (repeatable) or --preset ${racePresetNames.join('|')}`,
    );
  }
  if (
    options.surface !== 'quadratic' &&
    (options.conditionNumber !== undefined || options.rotation !== undefined)
  ) {
    throw new UsageError('--condition-number and --rotation apply to --surface quadratic only');
  }
  const surfaceOptions = {
    ...(options.conditionNumber === undefined
      ? {}
      : { conditionNumber: parseFiniteNumber('--condition-number', options.conditionNumber) }),
    ...(options.rotation === undefined
      ? {}
      : { rotationDegrees: parseFiniteNumber('--rotation', options.rotation) }),
  };
  return {
    surface: options.surface as SurfaceName,
    surfaceOptions,
    ...(options.from === undefined ? {} : { start: parseStart(options.from) }),
    steps,
    racers,
  };
}

/** Runs the race on the cpu backend; tfjs and the optimizers load here, after the flags are checked. */
async function runRace(options: RaceOptions): Promise<RaceResult> {
  const [{ useCpuBackend }, { race }] = await Promise.all([
    import('@contour/backend-cpu'),
    import('@contour/race'),
  ]);
  await useCpuBackend();
  try {
    return race(options);
  } catch (error) {
    if (error instanceof Error && inputErrorNames.has(error.name)) throw new UsageError(error.message);
    throw error;
  }
}

async function writeOutputs(result: RaceResult, directory: string): Promise<string[]> {
  const { raceAnimationHtml, raceChartData } = await import('@contour/race');
  makeDirectory(directory);
  const base = join(directory, `race-${result.surface.name}`);
  const written = await renderChart(raceChartSpec(raceChartData(result)) as unknown as TopLevelSpec, base, [
    'svg',
    'png',
  ]);
  writeFileAtomic(`${base}.html`, raceAnimationHtml(result));
  writeFileAtomic(`${base}.json`, `${JSON.stringify(trajectoriesJson(result))}\n`);
  return [...written, `${base}.html`, `${base}.json`];
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || (magnitude > 0 && magnitude < 1e-4)) return value.toExponential(4);
  return Number.parseFloat(value.toPrecision(5)).toString();
}

/**
 * `contour race`: races optimizers from the same start on a 2-D surface (the same
 * @contour/optimizers implementations as training, float32 tensors on the cpu backend) and writes
 * a contour map with the paths (SVG, PNG), an animated HTML replay and the trajectories (JSON).
 */
export function registerRaceCommand(program: Command): void {
  program
    .command('race')
    .description('race optimizers on a 2-D loss surface: contour map with every path, animated replay, JSON')
    .option('--surface <name>', `surface: ${surfaceNames.join(', ')}`, 'beale')
    .option('--from <x,y>', "start point (default: the surface's classic start, beale 1,1.5)")
    .option('--steps <n>', 'steps per optimizer', '300')
    .option(
      '--optimizer <spec>',
      'optimizer spec as JSON with an optional "label", or @file.json (repeatable), e.g. \'{"type":"adam","lr":0.1}\'',
      collect,
      [],
    )
    .option('--preset <name>', `add a preset field of racers: ${racePresetNames.join(', ')}`)
    .option('--condition-number <k>', 'quadratic: condition number κ ≥ 1 of the valley (default 10)')
    .option('--rotation <degrees>', 'quadratic: rotation of the valley (default 0)')
    .option('--json', 'print {"<label>": [[x, y], ...]} (steps + 1 points each, the start first)')
    .option('--out <dir>', 'directory for race-<surface>.svg/.png/.html/.json (default out/race)')
    .action(async (options: RaceCommandOptions) => {
      const result = await runRace(raceOptions(options));
      for (const trajectory of result.trajectories) {
        if (trajectory.divergedAtStep !== null) {
          console.error(
            `${trajectory.label}: diverged at step ${trajectory.divergedAtStep} (last finite point held)`,
          );
        }
      }
      if (options.json) {
        console.log(JSON.stringify(trajectoriesJson(result)));
        if (options.out === undefined) return;
      }
      const written = await writeOutputs(result, userPath(options.out ?? 'out/race'));
      if (options.json) return;
      const table = compactTable(['optimizer', 'final x', 'final y', 'f', 'distance to minimum']);
      for (const trajectory of result.trajectories) {
        const [x, y] = trajectory.points[trajectory.points.length - 1] as [number, number];
        table.push([
          trajectory.label,
          formatNumber(x),
          formatNumber(y),
          formatNumber(trajectory.values[trajectory.values.length - 1] as number),
          trajectory.finalDistanceToMinimum === null ? '—' : formatNumber(trajectory.finalDistanceToMinimum),
        ]);
      }
      console.log(
        `${result.surface.name}: ${result.surface.formula}; ${result.steps} steps from (${result.start.join(', ')})`,
      );
      console.log(table.toString());
      for (const path of written) console.error(`wrote ${path}`);
    });
}
