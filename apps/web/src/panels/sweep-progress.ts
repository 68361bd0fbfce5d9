/** Where a sweep stands: which run of how many, where in it, and the time left. */
export interface SweepProgress {
  /** 0-based index of the run training now, and how many runs the sweep has. */
  readonly run: number;
  readonly runs: number;
  readonly label: string;
  /** 1-based epoch, 0-based batch, batches per epoch, epochs per run. */
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  readonly epochs: number;
  /** Seconds since the first run's first step (data loading and backend start-up excluded). */
  readonly seconds: number;
}

/**
 * The status line of a running sweep: "Training run 2 of 5 (lr=0.1): epoch 1 of 3, batch 12 of 25
 * — about 14 s left", the time left from the pace so far (batches done per second), or no estimate
 * before the first batch is done.
 */
export function sweepProgressText(progress: SweepProgress): string {
  const perRun = progress.epochs * progress.batches;
  const done = progress.run * perRun + (progress.epoch - 1) * progress.batches + progress.batch + 1;
  const total = progress.runs * perRun;
  const left = done > 0 && progress.seconds > 0 ? (progress.seconds * (total - done)) / done : undefined;
  const where = `Training run ${progress.run + 1} of ${progress.runs} (${progress.label}): epoch ${progress.epoch} of ${progress.epochs}, batch ${progress.batch + 1} of ${progress.batches}`;
  if (left === undefined) return `${where}…`;
  const time = left < 90 ? `${Math.max(1, Math.round(left))} s` : `${Math.round(left / 60)} min`;
  return `${where} — about ${time} left`;
}
