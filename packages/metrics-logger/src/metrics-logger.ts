import type { MetricsRecord, MetricsSink } from './records.js';

/** Keeps every record in memory (tests, the web app, reports built in-process). */
export class MemorySink implements MetricsSink {
  readonly records: MetricsRecord[] = [];
  write(record: MetricsRecord): void {
    this.records.push(record);
  }
}

/**
 * Fans records out to several sinks and flushes them at the end of every epoch and on events and
 * finish, so an interrupted run loses at most the steps of the current epoch.
 */
export class MetricsLogger {
  readonly #sinks: MetricsSink[];

  constructor(sinks: readonly MetricsSink[]) {
    this.#sinks = [...sinks];
  }

  /** Writes a record to every sink; flushes on epoch, event, run-start and finish records. */
  log(record: MetricsRecord): void {
    for (const sink of this.#sinks) sink.write(record);
    if (record.kind !== 'step') this.flush();
  }

  flush(): void {
    for (const sink of this.#sinks) sink.flush?.();
  }

  /** Flushes and closes every sink, even when one fails (e.g. a full disk); rethrows the first error. */
  close(): void {
    let failure: { error: unknown } | undefined;
    for (const sink of this.#sinks) {
      try {
        sink.flush?.();
        sink.close?.();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
