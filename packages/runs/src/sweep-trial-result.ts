import type { SweepTrial } from '@contour/core';
import type { RunStatus, RunSummary } from '@contour/metrics-logger';

/**
 * One row of a sweep's results. Its own module so the sweep runner and the vectorised trials it
 * delegates to both use it without importing each other.
 */
export interface SweepTrialResult {
  readonly trial: SweepTrial;
  readonly directory: string;
  readonly status: RunStatus;
  readonly summary: RunSummary | undefined;
  /** True when an earlier valid result was reused instead of training again. */
  readonly reused: boolean;
  /** Why it failed, when it did. */
  readonly error?: string;
}
