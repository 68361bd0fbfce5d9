export {
  type AutoLearningRate,
  type AutoRuleSettings,
  autoScheduleSpec,
  autoSweepLearningRates,
  type CurveChoice,
  chooseCurveLearningRate,
  chooseLearningRate,
  defaultAutoRuleSettings,
  findUsableRegion,
  type UsableRegion,
} from './auto-learning-rate.js';
export {
  applyAutoLearningRate,
  autoLearningRateRecords,
  defaultAutoSeeds,
  type FindAutoLearningRateOptions,
  type FoundAutoLearningRate,
  findAutoLearningRate,
  RangeTestInterruptedError,
} from './find-auto-learning-rate.js';
export {
  type FindLearningRateOptions,
  findLearningRateOnDataset,
  type LearningRateTrainingConfig,
} from './find-learning-rate-on-dataset.js';
export {
  type HalvingAttempt,
  type HalvingSearchOptions,
  type HalvingSearchResult,
  type HalvingVerdict,
  judgeHalvingAttempt,
  runHalvingSearch,
} from './halving-search.js';
export {
  defaultRangeTestSettings,
  type RangeTestCurve,
  type RangeTestPoint,
  RangeTestRecorder,
  type RangeTestSettings,
  type RangeTestStop,
  rangeTestLearningRate,
  resolveRangeTestSettings,
} from './range-test-recorder.js';
export { type RangeTestResult, type RunRangeTestOptions, runRangeTest } from './run-range-test.js';
export {
  type LearningRateSuggestion,
  numpyGradient,
  type SuggestionName,
  suggestionNames,
  suggestLearningRates,
  suggestMinimum,
  suggestSlide,
  suggestSteep,
  suggestValley,
  type TrimmedCurve,
  trimRangeTestCurve,
} from './suggest-learning-rates.js';
export { type TrainingStepOutcome, trainingStep } from './training-step.js';
