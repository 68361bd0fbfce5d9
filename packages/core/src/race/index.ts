export {
  type ContourLines,
  type ContourOptions,
  type ContourSegment,
  contourLines,
} from './contour-lines.js';
export { labelOf, type RaceOptions, type RaceResult, type Racer, type RaceTrajectory, race } from './race.js';
export { type RaceAnimationOptions, raceAnimationHtml } from './race-animation-html.js';
export { type RaceChartOptions, raceChartSpec } from './race-chart-spec.js';
export { racePalette } from './race-palette.js';
export { type RacePresetName, racePreset, racePresetNames } from './race-presets.js';
export { RaceSpecError } from './race-spec-error.js';
export {
  createSurface,
  type Point,
  type Surface,
  type SurfaceName,
  type SurfaceOptions,
  surfaceNames,
} from './surfaces.js';
