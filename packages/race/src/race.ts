import { createOptimizer } from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import { RaceSpecError } from './race-spec-error.js';
import type { Racer } from './racer.js';
import {
  createSurface,
  type Point,
  type Surface,
  type SurfaceName,
  type SurfaceOptions,
} from './surfaces.js';

/** Options of `race`. */
export interface RaceOptions {
  /** A built-in surface name or a Surface object (`createSurface(name)` checks a name read at run time). */
  readonly surface: SurfaceName | Surface;
  /** Options of a named surface (quadratic's condition number). */
  readonly surfaceOptions?: SurfaceOptions;
  /** Start point (default: the surface's classic start). */
  readonly start?: Point;
  /** Steps per racer, 1..100000. */
  readonly steps: number;
  readonly racers: readonly Racer[];
}

/** One racer's path. */
export interface RaceTrajectory {
  readonly label: string;
  /** The optimizer spec with every default filled in. */
  readonly spec: unknown;
  /** steps + 1 points, the start first (float32 values as numbers). */
  readonly points: ReadonlyArray<[number, number]>;
  /** f at every point (float64). */
  readonly values: readonly number[];
  /**
   * The step at which the run diverged (a non-finite gradient or point), or null. From there on
   * the last finite point is repeated so the path keeps steps + 1 points.
   */
  readonly divergedAtStep: number | null;
  /** Distance from the last point to the nearest minimum (null for surfaces without one). */
  readonly finalDistanceToMinimum: number | null;
}

/** What `race` returns. */
export interface RaceResult {
  readonly surface: Surface;
  readonly start: Point;
  readonly steps: number;
  readonly trajectories: readonly RaceTrajectory[];
}

const maximumSteps = 100_000;

/** A short label from a spec: `type` plus its fields, e.g. `sgd lr=0.01 momentum=0.9`. */
export function labelOf(spec: unknown): string {
  if (typeof spec !== 'object' || spec === null) return String(spec);
  const { type, ...fields } = spec as Record<string, unknown>;
  const parts = Object.entries(fields).map(
    ([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
  );
  return [String(type), ...parts].join(' ');
}

function checkStart(start: unknown): Point {
  if (
    !Array.isArray(start) ||
    start.length !== 2 ||
    !start.every((coordinate) => typeof coordinate === 'number' && Number.isFinite(coordinate))
  ) {
    throw new RaceSpecError('start', 'two finite numbers [x, y]', start);
  }
  return [start[0] as number, start[1] as number];
}

/**
 * Races optimizers on a 2-D surface: each racer starts from the same point and takes `steps`
 * steps of its optimizer — the same `@contour/optimizers` implementation used for training, on a
 * float32 tfjs variable of shape [2] — with the surface's analytic gradient at the current point
 * (computed in float64, passed as a float32 tensor). Runs on the active tfjs backend, leak-free.
 *
 * @throws RaceSpecError for a bad surface, start, step count, racer list or label;
 *   OptimizerSpecError (from @contour/optimizers) for an invalid optimizer spec.
 */
export function race(options: RaceOptions): RaceResult {
  const surface =
    typeof options.surface === 'string'
      ? createSurface(options.surface, options.surfaceOptions)
      : options.surface;
  const start = options.start === undefined ? surface.defaultStart : checkStart(options.start);
  const steps = options.steps;
  if (!Number.isInteger(steps) || steps < 1 || steps > maximumSteps) {
    throw new RaceSpecError('steps', `an integer in [1, ${maximumSteps}]`, steps);
  }
  if (!Array.isArray(options.racers) || options.racers.length === 0) {
    throw new RaceSpecError('racers', 'a non-empty list of optimizer specs', options.racers);
  }
  const optimizers = options.racers.map((racer) => createOptimizer(racer.spec));
  const labels: string[] = [];
  options.racers.forEach((racer, index) => {
    if (racer.label !== undefined && (typeof racer.label !== 'string' || racer.label.trim() === '')) {
      throw new RaceSpecError(`racers[${index}].label`, 'a non-empty string', racer.label);
    }
    const base = racer.label ?? labelOf(racer.spec);
    let label = base;
    for (let copy = 2; labels.includes(label); copy += 1) label = `${base} #${copy}`;
    labels.push(label);
  });
  try {
    const trajectories = optimizers.map((optimizer, index) => {
      const initial = tf.tensor1d(start as [number, number], 'float32');
      const variable = tf.variable(initial, true);
      initial.dispose();
      try {
        const points: Array<[number, number]> = [readPoint(variable)];
        let divergedAtStep: number | null = null;
        for (let step = 0; step < steps; step += 1) {
          const current = points[points.length - 1] as [number, number];
          if (divergedAtStep === null) {
            const gradient = tf.tensor1d(surface.gradient(current[0], current[1]), 'float32');
            const report = optimizer.applyGradients({ point: gradient }, { point: variable });
            gradient.dispose();
            const next = readPoint(variable);
            if (report.status !== 'applied' || !next.every(Number.isFinite)) {
              divergedAtStep = step;
            } else {
              points.push(next);
              continue;
            }
          }
          points.push(current);
        }
        const last = points[points.length - 1] as [number, number];
        const distances = surface.minima.map(([x, y]) => Math.hypot(last[0] - x, last[1] - y));
        return {
          label: labels[index] as string,
          spec: optimizer.spec,
          points,
          values: points.map(([x, y]) => surface.value(x, y)),
          divergedAtStep,
          finalDistanceToMinimum: distances.length === 0 ? null : Math.min(...distances),
        };
      } finally {
        variable.dispose();
      }
    });
    return { surface, start, steps, trajectories };
  } finally {
    for (const optimizer of optimizers) optimizer.dispose();
  }
}

function readPoint(variable: tf.Variable): [number, number] {
  const data = variable.dataSync();
  return [data[0] as number, data[1] as number];
}
