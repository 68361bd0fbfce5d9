import type { TrialJobData, TrialJobProgress, TrialJobResult } from './trial-job.js';

/** A queue worker's request to its child process: train these jobs' trials, stacked when they can be. */
export interface StackedTrainRequest {
  readonly type: 'train';
  readonly jobs: ReadonlyArray<{ readonly id: string; readonly data: TrialJobData }>;
}

/** The child's answers: per trial its progress and then its result or error; `end` last. */
export type StackedTrainReply =
  | { readonly type: 'progress'; readonly jobId: string; readonly progress: TrialJobProgress }
  | { readonly type: 'result'; readonly jobId: string; readonly result: TrialJobResult }
  /** `final`: the trial fails for good (its config); otherwise another attempt may pass. */
  | { readonly type: 'error'; readonly jobId: string; readonly message: string; readonly final: boolean }
  | { readonly type: 'end' };
