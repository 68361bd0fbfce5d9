import type { RaceChartData } from '@contour/metrics-logger';
import { type ContourOptions, contourLines } from './contour-lines.js';
import type { RaceResult } from './race.js';

/**
 * The plain data `@contour/metrics-logger`'s `raceChartSpec` draws: the race result plus the
 * surface's contour lines (computed here, where the surface's function lives).
 *
 * @example
 * const spec = raceChartSpec(raceChartData(race({ surface: 'beale', steps: 300, racers })));
 */
export function raceChartData(result: RaceResult, options: ContourOptions = {}): RaceChartData {
  return {
    surface: result.surface,
    start: result.start,
    steps: result.steps,
    trajectories: result.trajectories,
    contours: contourLines(result.surface, options),
  };
}
