/**
 * @contour/metrics-logger — the records every Contour run writes (`metrics.jsonl`), sinks,
 * analysis helpers and the Vega-Lite chart specs shared by the CLI and the web app. No tfjs.
 * Node-only sinks live in `@contour/metrics-logger/node`.
 *
 * @packageDocumentation
 */
export {
  bestEpoch,
  convergenceEpoch,
  divergenceEpoch,
  type EpochValue,
  epochRecords,
  type MetricName,
  metricSeries,
  type Oscillation,
  oscillation,
  overfittingGap,
  type RunState,
  type RunSummary,
  type SplitName,
  summarizeRun,
} from './analysis.js';
export {
  type LossAndRateChartOptions,
  learningRatePoints,
  lossAndRateChartSpec,
  type RatePoint,
  type RunCurvesWithRates,
} from './charts/loss-and-rate-chart.js';
export {
  type ClassicGridOptions,
  classicGridSpec,
  type LossChartOptions,
  lossCurvesChartSpec,
  type RunCurves,
  runCurves,
} from './charts/loss-curves-chart.js';
export {
  type RaceChartData,
  type RaceChartOptions,
  type RaceChartPoint,
  raceChartSpec,
} from './charts/race-chart.js';
export { racePalette } from './charts/race-palette.js';
export {
  type HalvingChartAttempt,
  halvingChartSpec,
  type RangeTestChartData,
  type RangeTestChartOptions,
  rangeTestChartSpec,
  smoothedLossAt,
  suggestionLabel,
} from './charts/range-test-chart.js';
export { learningRateColor, rateColorPalette } from './charts/rate-colors.js';
export {
  type ScheduleChartOptions,
  type ScheduleSeries,
  scheduleChartSpec,
} from './charts/schedule-chart.js';
export {
  type StepLossChartOptions,
  type StepLossSeries,
  stepLossChartSpec,
  stepLossClip,
} from './charts/step-loss-chart.js';
export {
  type UpdateRatioChartOptions,
  updateRatioChartSpec,
} from './charts/update-ratio-chart.js';
export { epochsToCsv } from './csv.js';
export {
  classCountOf,
  defaultFindingThresholds,
  type Finding,
  type FindingKind,
  type FindingThresholds,
  findings,
} from './findings.js';
export { formatMetric } from './format-metric.js';
export {
  MetricsFormatError,
  type ParsedMetrics,
  parseMetricsJsonl,
  parseRecord,
  serializeRecord,
} from './jsonl.js';
export { MemorySink, MetricsLogger } from './metrics-logger.js';
export {
  type AutoLearningRateRecord,
  type EpochRecord,
  type EventRecord,
  type FinishRecord,
  type JsonValue,
  type MetricsRecord,
  type MetricsSink,
  metricsFormatVersion,
  type RangeTestRecord,
  type RunEventKind,
  type RunStartRecord,
  type RunStatus,
  type SplitMetrics,
  type StepRecord,
} from './records.js';
export { largestFloat32, recordProblem } from './validate-record.js';
