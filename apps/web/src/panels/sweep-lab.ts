import {
  classicGridSpec,
  findings,
  learningRateColor,
  type MetricsRecord,
  type RunStatus,
  runCurves,
  stepLossChartSpec,
  summarizeRun,
} from '@contour/metrics-logger';
import { html, nothing } from 'lit';
import type { TopLevelSpec } from 'vega-lite';
import { dataTable } from '../components/data-table.js';
import { errorMessage } from '../components/download.js';
import {
  backendStatus,
  type Parsed,
  parseFraction,
  parseScheduleSpec,
  textField,
} from '../components/form-fields.js';
import { TrainingPanel } from '../components/training-panel.js';
import { describeLoadedData } from '../data/data-source-fields.js';
import '../components/vega-chart.js';
import type { RunLibrary } from '../state/run-library.js';
import type { SweepSettings } from '../state/url-state.js';
import type { DataChoice, TrialInfo, WorkerReply } from '../worker/protocol.js';
import { type RangeTestSuggestionDetail, rateText } from './range-test-panel.js';
import { sweepProgressText } from './sweep-progress.js';
import { sweepStepCount } from './sweep-steps.js';

/** Defaults: softmax regression on 2,000 embedded digits, SGD, three rates a decade apart, 3 epochs. */
export const defaultSweepSettings: SweepSettings = {
  model: 'linear',
  optimizer: { type: 'sgd' },
  schedule: null,
  rates: [0.01, 0.1, 1],
  epochs: 3,
  batchSize: 64,
  trainLimit: 2000,
  validation: 0.2,
  seed: 0,
  backend: 'auto',
};

interface TrialState {
  readonly info: TrialInfo;
  records: MetricsRecord[];
  /** `not run`: the sweep was stopped before this run started. */
  status: RunStatus | 'waiting' | 'not run';
  message: string;
  progress: { epoch: number; batch: number; batches: number; loss: number } | undefined;
}

/** Parses "0.01, 0.1, 1" (commas or spaces); `undefined` unless every entry is a finite number > 0. */
export function parseRates(text: string): number[] | undefined {
  const parts = text.split(/[\s,;]+/).filter((part) => part !== '');
  const rates = parts.map(Number);
  return rates.length > 0 && rates.length <= 64 && rates.every((rate) => Number.isFinite(rate) && rate > 0)
    ? rates
    : undefined;
}

/** The rates field read for {@link textField}. */
function parseRatesField(text: string): Parsed<number[]> {
  const rates = parseRates(text);
  return rates
    ? { value: rates }
    : {
        error: `must be 1 to 64 numbers > 0 separated by commas, e.g. 0.01, 0.1, 1; got ${JSON.stringify(text.trim())}`,
      };
}

function format(value: number | undefined, digits = 4): string {
  if (value === undefined) return '—';
  return Number.isFinite(value) ? value.toPrecision(digits) : String(value);
}

/** Labels of the batch size, seed and backend fields. */
const batchSeedAndBackendLabels = {
  batch: ['Batch size', 'images per step'],
  seed: ['Seed', 'same seed, same run (on the cpu backend)'],
  backend: 'Backend',
} as const;

/**
 * The sweep lab: trains one run per learning rate in a Web Worker with @contour/core's trainer and
 * overlays the runs live (the CLI's `classicGridSpec`: cross entropy | classification error,
 * training solid, validation dashed, NaN marked), with a results table, the backend in use and any
 * fallback. Finished runs go to the Runs panel (and IndexedDB).
 */
export class SweepLab extends TrainingPanel<SweepSettings> {
  static override properties = {
    library: { attribute: false },
    designerSchedule: { attribute: false },
    rangeTestSuggestion: { attribute: false },
    trials: { state: true },
  };
  declare library: RunLibrary | undefined;
  declare designerSchedule: Record<string, unknown> | undefined;
  /** The last range test's auto rate and the rates bracketing it ("Bracket the suggestion"). */
  declare rangeTestSuggestion: RangeTestSuggestionDetail | undefined;
  declare trials: TrialState[];
  #sweepId = '';
  /** Epochs per run of the sweep running now, and when its first step started. */
  #epochs = 1;
  #trainingStarted: number | undefined;
  /** Seconds the backend's warm-up took before the first run (in no run's seconds). */
  #warmUpSeconds: number | undefined;
  #gridSpec: TopLevelSpec | undefined;
  #stepSpec: TopLevelSpec | undefined;

  constructor() {
    super({
      chartMilliseconds: 500,
      idPrefix: 'sweep',
      workerName: 'contour-sweep',
      errorMessage: 'The sweep stopped with an error.',
      describeData: (reply) =>
        `${reply.name}: ${describeLoadedData(reply)}, ${reply.train} training, ${reply.validation} validation (${reply.source}; loaded in ${reply.seconds.toFixed(1)} s)`,
    });
    this.settings = defaultSweepSettings;
    this.trials = [];
  }

  protected override start(data: DataChoice): void {
    const { settings } = this;
    const rates = [...settings.rates];
    const first = rates[0] as number;
    const lr = settings.schedule ? { ...settings.schedule, lr: first } : first;
    this.#sweepId = `web-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`;
    this.trials = [];
    this.#epochs = settings.epochs;
    this.#trainingStarted = undefined;
    this.#warmUpSeconds = undefined;
    this.#gridSpec = undefined;
    this.#stepSpec = undefined;
    this.run.start(
      {
        type: 'sweep',
        sweepId: this.#sweepId,
        data,
        config: {
          data: {
            source: data.kind === 'embedded' ? 'mnist' : 'browser-files',
            validation: settings.validation,
            trainLimit: settings.trainLimit,
          },
          training: {
            model: settings.model,
            optimizer: { ...settings.optimizer, lr },
            loss: 'cross-entropy',
            epochs: settings.epochs,
            batchSize: settings.batchSize,
            seed: settings.seed,
          },
          backend: settings.backend,
        },
        rates,
      },
      { pausable: true },
    );
  }

  protected override onWorkerReply(reply: WorkerReply): void {
    switch (reply.type) {
      case 'trials':
        this.trials = reply.trials.map((info) => ({
          info,
          records: [],
          status: 'waiting',
          message: '',
          progress: undefined,
        }));
        this.run.say(`Training ${reply.trials.length} runs…`);
        break;
      case 'warm-up':
        this.#warmUpSeconds = reply.seconds;
        this.requestUpdate();
        break;
      case 'trial-start':
        // The clock of the time-left estimate starts at the first run's first step.
        this.#trainingStarted ??= performance.now();
        this.#patchTrial(reply.index, { status: 'running' });
        break;
      case 'records': {
        const trial = this.trials[reply.index];
        if (trial) {
          trial.records = [...trial.records, ...reply.records];
          this.redrawCharts(reply.records.some((record) => record.kind === 'epoch'));
          this.requestUpdate();
        }
        break;
      }
      case 'progress': {
        const { index, type: _type, ...progress } = reply;
        this.#patchTrial(index, { progress });
        if (this.run.phase === 'running')
          this.run.say(
            sweepProgressText({
              run: index,
              runs: this.trials.length,
              label: this.trials[index]?.info.label ?? '',
              ...progress,
              epochs: this.#epochs,
              seconds: (performance.now() - (this.#trainingStarted ?? performance.now())) / 1000,
            }),
          );
        break;
      }
      case 'trial-end':
        this.#patchTrial(reply.index, { status: reply.status, message: reply.message ?? '' });
        this.redrawCharts(true);
        void this.#store(reply.index);
        break;
      case 'sweep-end':
        for (const trial of this.trials) if (trial.status === 'waiting') trial.status = 'not run';
        this.run.finish(
          `${reply.stopped ? 'Stopped' : 'Finished'} in ${reply.seconds.toFixed(1)} s (start-up ${reply.startupSeconds.toFixed(1)} s, runs ${(reply.seconds - reply.startupSeconds).toFixed(1)} s). Runs are in the Runs panel.`,
        );
        this.redrawCharts(true);
        break;
      default:
        break;
    }
  }

  #patchTrial(index: number, patch: Partial<TrialState>): void {
    const trial = this.trials[index];
    if (!trial) return;
    Object.assign(trial, patch);
    this.requestUpdate();
  }

  async #store(index: number): Promise<void> {
    const trial = this.trials[index];
    if (!trial || !this.library) return;
    const status = trial.status;
    if (status === 'waiting' || status === 'running' || status === 'not run') return;
    const backend = this.run.backend;
    const start = trial.records.find((record) => record.kind === 'run-start');
    try {
      await this.library.put([
        {
          id: this.library.uniqueId(trial.info.id),
          label: trial.info.label,
          origin: 'browser',
          source: this.#sweepId,
          storedAt: new Date().toISOString(),
          status,
          ...(status === 'failed' && trial.message !== '' ? { statusMessage: trial.message } : {}),
          records: trial.records,
          config: {
            formatVersion: 1,
            runId: trial.info.id,
            createdAt: start?.kind === 'run-start' ? start.time : new Date().toISOString(),
            config: trial.info.config,
            backend: backend
              ? { requested: backend.requested, chosen: backend.name, reason: backend.reason }
              : { requested: this.settings.backend, chosen: 'unknown', reason: '' },
            versions: start?.kind === 'run-start' ? start.versions : {},
          },
          configHash: trial.info.configHash,
          visible: true,
        },
      ]);
    } catch (error) {
      this.run.fail(`Could not save the run: ${errorMessage(error)}`);
    }
  }

  /**
   * How many steps the sweep trains, for reading a schedule against it: the training images (the
   * limit less the validation share, as the loader splits; fewer when the data has fewer) ÷ batch
   * size, rounded up (the last batch is smaller), × epochs.
   */
  #stepsNote(): string {
    const { settings } = this;
    const { trainingImages, stepsPerEpoch, totalSteps } = sweepStepCount(settings);
    return `Each run trains up to ${stepsPerEpoch} steps per epoch × ${settings.epochs} epochs = ${totalSteps} steps (t = 0…${totalSteps - 1}; ${trainingImages} training images ÷ batch ${settings.batchSize}, rounded up; fewer if the data has fewer images). A step-counted schedule longer than that is cut short; one shorter holds its last rate.`;
  }

  /**
   * "Bracket the suggestion": the rates of `contour sweep --lr auto` around the last range test's
   * auto rate (a log grid spanning its usable region), with the model and optimizer it tested.
   */
  #bracketAction() {
    const suggestion = this.rangeTestSuggestion;
    if (!suggestion) return nothing;
    return html`<p class="legend-note" id="sweep-bracket-note">
        The range test's auto rate is ${rateText(suggestion.learningRate)} (<code>${suggestion.model}</code>,
        <code>${JSON.stringify(suggestion.optimizer)}</code>; usable region ${rateText(suggestion.startLearningRate)} →
        ${rateText(suggestion.endLearningRate)}). Bracketing it sweeps ${suggestion.bracket.length} rates on a log grid
        across that region, with that model and optimizer.
      </p>
      <div class="button-row">
        <button type="button" id="sweep-bracket" @click=${() => {
          for (const id of ['sweep-rates', 'sweep-model', 'sweep-optimizer-json']) this.fields.forget(id);
          this.changeSettings({
            rates: [...suggestion.bracket],
            model: suggestion.model,
            optimizer: suggestion.optimizer,
          });
        }}>Bracket the suggestion: ${suggestion.bracket.join(', ')}</button>
      </div>`;
  }

  /** Each run's colour from its rate: the same rate has the same colour in every sweep and panel. */
  #colors(): Record<string, string> {
    return Object.fromEntries(
      this.trials.map((trial) => [trial.info.label, learningRateColor(trial.info.rate)]),
    );
  }

  protected override buildCharts(): void {
    const withEpochs = this.trials.filter((trial) => trial.records.some((record) => record.kind === 'epoch'));
    this.#gridSpec =
      withEpochs.length === 0
        ? undefined
        : classicGridSpec(
            withEpochs.map((trial) => runCurves(trial.info.label, trial.records)),
            {
              title: 'Loss per epoch (training solid, validation dashed)',
              colors: this.#colors(),
              // A run that blew up (losses 1e10 next to 0.5) would flatten the others on a linear axis.
              logY: 'auto',
            },
          );
    const withSteps = this.trials.filter((trial) => trial.records.some((record) => record.kind === 'step'));
    this.#stepSpec =
      withSteps.length === 0
        ? undefined
        : stepLossChartSpec(
            withSteps.map((trial) => ({ label: trial.info.label, records: trial.records })),
            { title: 'Training loss per step (live, log scale)', colors: this.#colors() },
          );
  }

  #resultsTable() {
    if (this.trials.length === 0) return nothing;
    return dataTable({
      id: 'sweep-results',
      caption: 'Results per learning rate',
      hiddenCaption: true,
      columns: [
        'run',
        'status',
        'val error',
        'val CE',
        'train CE',
        'epochs',
        'best val CE (epoch)',
        'diverged at',
        'finding',
        'seconds',
      ],
      rows: this.trials.map((trial) => {
        const summary = summarizeRun(trial.records);
        const best = summary.bestValidationCrossEntropy;
        const progress = trial.progress;
        // The CLI's findings: a run that spiked and sits at chance is "collapsed", not silently finished.
        const [finding] = findings(trial.records).sort((a, b) =>
          a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1,
        );
        const collapsed = finding?.kind === 'collapsed';
        return html`<tr data-run=${trial.info.label}>
          <th scope="row">${trial.info.label}</th>
          <td class=${`status-${collapsed ? 'collapsed' : trial.status.replace(' ', '-')}`} title=${trial.message}>
            ${collapsed && trial.status === 'finished' ? 'collapsed' : trial.status}${
              trial.status === 'running' && progress
                ? html` <progress
                    max=${progress.batches}
                    value=${progress.batch + 1}
                    aria-label=${`${trial.info.label}: epoch ${progress.epoch}, batch ${progress.batch + 1} of ${progress.batches}`}
                  ></progress>`
                : nothing
            }
          </td>
          <td>${summary.final.validation?.classificationError === undefined ? '—' : `${(100 * summary.final.validation.classificationError).toFixed(2)} %`}</td>
          <td>${format(summary.final.validation?.crossEntropy)}</td>
          <td>${format(summary.final.train.crossEntropy)}</td>
          <td>${summary.epochs}</td>
          <td>${best ? `${format(best.value)} (${best.epoch})` : '—'}</td>
          <td>${summary.divergedAtEpoch === undefined ? (collapsed ? `collapsed at epoch ${finding.epoch}` : '—') : `epoch ${summary.divergedAtEpoch}`}</td>
          <td class=${finding ? `finding-${finding.severity}` : nothing} title=${finding?.evidence ?? ''}>${finding ? finding.message : '—'}</td>
          <td>${summary.seconds === undefined ? '—' : summary.seconds.toFixed(1)}</td>
        </tr>`;
      }),
    });
  }

  protected override render() {
    const { settings, run } = this;
    const busy = run.busy;
    const { fields } = this;
    return html`<section class="panel-grid" aria-labelledby="sweep-heading">
      <form class="panel-column" @submit=${this.onSubmit}>
        <h2 id="sweep-heading">Sweep lab</h2>
        <p class="lede">One training run per learning rate, overlaid live. Training runs in a Web Worker with the CLI's trainer.</p>
        <fieldset ?disabled=${busy}>
          <legend>Data</legend>
          ${this.dataFields({
            embeddedLabel: 'Embedded MNIST sample (10,000 real digits, 1.6 MB)',
            dropText:
              'or drop the four files here (train/t10k images and labels, gzipped or not). They are validated in the worker.',
            showIgnored: true,
            limitLabel: 'Training images',
            limitHelp: 'used before the validation split (smaller is faster)',
          })}
          ${textField({
            drafts: fields,
            id: 'sweep-validation',
            setting: 'validation',
            label: 'Validation share',
            kind: 'decimal',
            value: String(settings.validation),
            parse: parseFraction,
            apply: (validation) => this.changeSettings({ validation }),
          })}
        </fieldset>
        <fieldset ?disabled=${busy}>
          <legend>Model and optimizer</legend>
          ${this.modelFields({ model: 'Model', preset: 'Optimizer', json: 'Optimizer spec without its rate (JSON)' })}
          ${textField({
            drafts: fields,
            id: 'sweep-schedule',
            setting: 'schedule',
            label: "Schedule (JSON; its lr is each run's rate) — empty for a constant rate",
            kind: 'multiline',
            value: settings.schedule ? JSON.stringify(settings.schedule) : '',
            parse: parseScheduleSpec,
            apply: (schedule) => this.changeSettings({ schedule }),
          })}
          <p class="legend-note" id="sweep-steps">${this.#stepsNote()}</p>
          ${
            this.designerSchedule
              ? html`<button type="button" @click=${() => {
                  fields.forget('sweep-schedule');
                  this.changeSettings({ schedule: this.designerSchedule ?? null });
                }}>Use the designer's schedule</button>`
              : nothing
          }
        </fieldset>
        <fieldset ?disabled=${busy}>
          <legend>Sweep</legend>
          ${textField({
            drafts: fields,
            id: 'sweep-rates',
            label: 'Learning rates',
            kind: 'decimal',
            help: html`one run each, e.g. <code>0.01, 0.1, 1</code>`,
            value: settings.rates.join(', '),
            parse: parseRatesField,
            apply: (rates) => this.changeSettings({ rates }),
          })}
          ${this.#bracketAction()}
          ${this.integerField('epochs', 'sweep-epochs', 'Epochs', 1, 'full passes over the training images')}
          ${this.batchSeedAndBackend(batchSeedAndBackendLabels)}
        </fieldset>
        ${this.runButtons({ start: 'Start', stop: 'Stop', stopping: 'Stopping after the current step…', pause: true })}
        <p class="error" role="alert" id="sweep-error">${run.errorText}</p>
      </form>
      <div class="panel-column results">
        <p class="status" role="status" id="sweep-status" data-phase=${run.phase}>${run.message}</p>
        ${backendStatus('sweep-backend', run.backend, `Backend: chosen when the sweep starts (${settings.backend}).`)}
        ${run.dataInfo ? html`<p class="legend-note" id="sweep-data">${run.dataInfo}</p>` : nothing}
        ${
          this.#warmUpSeconds === undefined
            ? nothing
            : html`<p class="legend-note" id="sweep-warm-up">
                Warm-up: ${this.#warmUpSeconds.toFixed(1)} s before the first run (one epoch of its config on a batch or two, so
                the backend compiles its kernels); no run's seconds include it, nor the backend's start or the data's loading.
              </p>`
        }
        ${this.#resultsTable()}
        <contour-chart id="sweep-chart" label="Cross entropy and classification error per epoch for each learning rate" .spec=${this.#gridSpec}></contour-chart>
        <contour-chart id="sweep-steps-chart" label="Training loss per step for each learning rate" .spec=${this.#stepSpec}></contour-chart>
      </div>
    </section>`;
  }
}

customElements.define('sweep-lab', SweepLab);
