/**
 * `@contour/race/spec` — what a race's options accept, without the race itself: the surface names
 * and the surfaces (plain float64 functions), the preset names and their racers, the `Racer` type
 * and `RaceSpecError`. Loads no TensorFlow.js, so a program can list and check a race's options
 * before it loads tfjs (the `contour race` CLI does, for its `--help` and its usage errors); the
 * main entry re-exports all of it.
 *
 * @packageDocumentation
 */
export { type RacePresetName, racePreset, racePresetNames } from './race-presets.js';
export { RaceSpecError } from './race-spec-error.js';
export type { Racer } from './racer.js';
export {
  clampToDomain,
  createSurface,
  type Point,
  type Surface,
  type SurfaceName,
  type SurfaceOptions,
  surfaceNames,
} from './surfaces.js';
