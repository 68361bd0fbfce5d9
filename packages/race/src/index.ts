/**
 * @contour/race — optimizer races on classic 2-D loss surfaces: every `@contour/optimizers` rule
 * stepping on the same analytic surface, their trajectories, contour lines, a self-contained HTML
 * replay, and the data `@contour/metrics-logger`'s `raceChartSpec` draws. Browser-safe; needs only
 * the optimizers and tfjs-core.
 *
 * @packageDocumentation
 */
export {
  type ContourLines,
  type ContourOptions,
  type ContourPolyline,
  type ContourSegment,
  contourLines,
} from './contour-lines.js';
export { labelOf, type RaceOptions, type RaceResult, type RaceTrajectory, race } from './race.js';
export { type RaceAnimationOptions, raceAnimationHtml } from './race-animation-html.js';
export { raceChartData } from './race-chart-data.js';
export * from './spec.js';
