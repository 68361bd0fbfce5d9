/**
 * @contour/schedules/testing — the conformance suite the built-in schedules pass, for plugin
 * authors to run on their own schedules with any test runner.
 *
 * @packageDocumentation
 */
export { builtInConformanceExamples } from './built-in-examples.js';
export {
  type ConformanceCheck,
  type ConformanceExample,
  type ConformanceOptions,
  describeScheduleConformance,
  scheduleConformanceChecks,
  type TestRunner,
} from './conformance.js';
