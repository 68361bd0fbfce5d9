import { SingleBar } from 'cli-progress';
import { summarizeRun } from '../analysis.js';
import { findings } from '../findings.js';
import { formatMetric } from '../format-metric.js';
import type { EpochRecord, MetricsRecord, MetricsSink, SplitMetrics } from '../records.js';

function formatSplit(name: string, metrics: SplitMetrics | undefined): string {
  if (!metrics) return '';
  const parts = [
    `${name} ce ${formatMetric(metrics.crossEntropy)}`,
    `err ${formatMetric(metrics.classificationError)}`,
  ];
  if (metrics.loss !== undefined) parts.push(`loss ${formatMetric(metrics.loss)}`);
  return parts.join(' ');
}

/** One line per epoch: what the console shows and what the web app's log panel shows. */
export function describeEpoch(record: EpochRecord): string {
  return [
    `epoch ${record.epoch}`,
    formatSplit('train', record.train),
    formatSplit('val', record.validation),
    `lr ${formatMetric(record.learningRate)}`,
    `${record.seconds.toFixed(2)}s`,
  ]
    .filter((part) => part !== '')
    .join(' | ');
}

/** The line a run-start record prints: `run <id> started: N epochs`. */
function runStartLine(runId: string, epochs: number | undefined): string {
  return `run ${runId} started${epochs ? `: ${epochs} epochs` : ''}`;
}

/** Options of the console sink. */
export interface ConsoleSinkOptions {
  /** Where lines go (default stderr, so stdout stays clean for `--json`). */
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Prefix of every line, e.g. the trial label of a sweep. */
  readonly label?: string;
  /** Show a progress bar per epoch (default: when the stream is a terminal). */
  readonly progressBar?: boolean;
}

/**
 * Prints a progress bar per epoch (cli-progress), one line per epoch and per event, and a summary
 * at the end of the run followed by one `finding: …` line per automatic finding (see `findings`).
 */
export class ConsoleSink implements MetricsSink {
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #prefix: string;
  readonly #records: MetricsRecord[] = [];
  readonly #useBar: boolean;
  #bar: SingleBar | undefined;
  #batchesPerEpoch = 0;
  /** The start line printed ahead of its run-start record (see announceRunStart). */
  #announced: string | undefined;

  constructor(options: ConsoleSinkOptions = {}) {
    this.#stream = options.stream ?? process.stderr;
    this.#prefix = options.label ? `[${options.label}] ` : '';
    this.#useBar = options.progressBar ?? this.#stream.isTTY === true;
  }

  #line(text: string): void {
    this.#stopBar();
    this.#stream.write(`${this.#prefix}${text}\n`);
  }

  #stopBar(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }

  /**
   * Prints the line the run's run-start record prints (`run <id> started: N epochs`) now, for a
   * program that knows the run id and epochs before the run starts (the `contour` CLI, before it
   * loads TensorFlow.js and the data). The record's own line is then not printed again when it says
   * the same.
   */
  announceRunStart(runId: string, epochs?: number): void {
    this.#announced = runStartLine(runId, epochs);
    this.#line(this.#announced);
  }

  write(record: MetricsRecord): void {
    this.#records.push(record);
    switch (record.kind) {
      case 'run-start':
        this.#batchesPerEpoch = record.batchesPerEpoch ?? 0;
        if (runStartLine(record.runId, record.epochs) !== this.#announced)
          this.#line(runStartLine(record.runId, record.epochs));
        this.#announced = undefined;
        break;
      case 'step':
        if (!this.#useBar || this.#batchesPerEpoch === 0) break;
        if (!this.#bar) {
          this.#bar = new SingleBar({
            stream: this.#stream as NodeJS.WriteStream,
            format: `${this.#prefix}epoch ${record.epoch} [{bar}] {value}/{total} | loss {loss} | lr {lr}`,
            hideCursor: true,
            clearOnComplete: true,
          });
          this.#bar.start(this.#batchesPerEpoch, 0, { loss: '—', lr: '—' });
        }
        this.#bar.update(((record.step % this.#batchesPerEpoch) + 1) as number, {
          loss: formatMetric(record.loss),
          lr: formatMetric(record.learningRate),
        });
        break;
      case 'epoch':
        this.#line(describeEpoch(record));
        break;
      case 'event':
        this.#line(`${record.event}: ${record.message}`);
        break;
      case 'finish': {
        const summary = summarizeRun(this.#records);
        const best = summary.bestValidationCrossEntropy;
        const parts = [
          `${record.status} after ${record.epochs} epochs (${record.steps} steps, ${record.seconds.toFixed(1)}s)`,
          best ? `best val ce ${formatMetric(best.value)} at epoch ${best.epoch}` : '',
          summary.bestValidationError
            ? `best val err ${formatMetric(summary.bestValidationError.value)}`
            : '',
          summary.divergedAtEpoch !== undefined ? `diverged at epoch ${summary.divergedAtEpoch}` : '',
          summary.overfitGap !== undefined ? `overfit gap ${formatMetric(summary.overfitGap)}` : '',
        ];
        this.#line(parts.filter((part) => part !== '').join(' | '));
        for (const finding of findings(this.#records))
          this.#line(`finding: ${finding.message} (${finding.evidence})`);
        break;
      }
    }
  }

  close(): void {
    this.#stopBar();
  }
}
