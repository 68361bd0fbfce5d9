import type { BackendSelection } from '@contour/backends';
import {
  classicGridSpec,
  type MetricsRecord,
  type RunStatus,
  runCurves,
  summarizeRun,
} from '@contour/metrics-logger';
import { html, nothing, type PropertyValues } from 'lit';
import type { TopLevelSpec } from 'vega-lite';
import { errorMessage } from '../components/download.js';
import { LightElement } from '../components/light-element.js';
import '../components/vega-chart.js';
import { dataChoiceOf, dataSourceFields } from '../data/data-source-fields.js';
import { assignIdxFiles, type IdxAssignment } from '../data/idx-files.js';
import type { RunLibrary } from '../state/run-library.js';
import type { SweepSettings } from '../state/url-state.js';
import { LabWorker } from '../worker/lab-client.js';
import { controlState, type TrialInfo, type WorkerReply } from '../worker/protocol.js';

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

/** Optimizer presets of the form (any spec can be typed as JSON). */
export const optimizerPresets: ReadonlyArray<{
  readonly label: string;
  readonly spec: Record<string, unknown>;
}> = [
  { label: 'SGD', spec: { type: 'sgd' } },
  { label: 'SGD + momentum 0.9', spec: { type: 'sgd', momentum: 0.9 } },
  { label: 'Nesterov 0.9', spec: { type: 'sgd', momentum: 0.9, nesterov: true } },
  { label: 'Adagrad', spec: { type: 'adagrad' } },
  { label: 'Adadelta', spec: { type: 'adadelta' } },
  { label: 'RMSprop', spec: { type: 'rmsprop' } },
  { label: 'Adam', spec: { type: 'adam' } },
  { label: 'AdamW', spec: { type: 'adamw' } },
  { label: 'Rprop', spec: { type: 'rprop' } },
  { label: 'Per-weight gains', spec: { type: 'localGains' } },
];

type Phase = 'idle' | 'running' | 'paused' | 'stopping';

interface TrialState {
  readonly info: TrialInfo;
  records: MetricsRecord[];
  status: RunStatus | 'waiting';
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

function format(value: number | undefined, digits = 4): string {
  if (value === undefined) return '—';
  return Number.isFinite(value) ? value.toPrecision(digits) : String(value);
}

/**
 * The sweep lab: trains one run per learning rate in a Web Worker with @contour/core's trainer and
 * overlays the runs live (the CLI's `classicGridSpec`: cross entropy | classification error,
 * training solid, validation dashed, NaN marked), with a results table, the backend in use and any
 * fallback. Finished runs go to the Runs panel (and IndexedDB).
 */
export class SweepLab extends LightElement {
  static override properties = {
    settings: { attribute: false },
    library: { attribute: false },
    designerSchedule: { attribute: false },
    phase: { state: true },
    message: { state: true },
    errorText: { state: true },
    backend: { state: true },
    dataInfo: { state: true },
    dataKind: { state: true },
    userFiles: { state: true },
    ratesText: { state: true },
    optimizerText: { state: true },
    scheduleText: { state: true },
    trials: { state: true },
  };
  declare settings: SweepSettings;
  declare library: RunLibrary | undefined;
  declare designerSchedule: Record<string, unknown> | undefined;
  declare phase: Phase;
  declare message: string;
  declare errorText: string;
  declare backend: BackendSelection | undefined;
  declare dataInfo: string;
  declare dataKind: 'embedded' | 'files';
  declare userFiles: IdxAssignment<File> | undefined;
  declare ratesText: string | undefined;
  declare optimizerText: string | undefined;
  declare scheduleText: string | undefined;
  declare trials: TrialState[];
  #worker: LabWorker | undefined;
  #control: Int32Array | undefined;
  #sweepId = '';
  #chartTimer: ReturnType<typeof setTimeout> | undefined;
  #gridSpec: TopLevelSpec | undefined;
  #stepSpec: TopLevelSpec | undefined;

  constructor() {
    super();
    this.settings = defaultSweepSettings;
    this.phase = 'idle';
    this.message = 'Ready.';
    this.errorText = '';
    this.dataInfo = '';
    this.dataKind = 'embedded';
    this.trials = [];
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Settings replaced from outside (the range test's rate, the URL): drop typed text that no
    // longer matches them, so the fields show the new settings.
    if (!changed.has('settings')) return;
    const typedRates = this.ratesText === undefined ? undefined : parseRates(this.ratesText);
    if (typedRates && JSON.stringify(typedRates) !== JSON.stringify(this.settings.rates))
      this.ratesText = undefined;
    if (this.optimizerText !== undefined) {
      try {
        if (JSON.stringify(JSON.parse(this.optimizerText)) !== JSON.stringify(this.settings.optimizer))
          this.optimizerText = undefined;
      } catch {
        // Still being typed.
      }
    }
  }

  #update(changes: Partial<SweepSettings>): void {
    this.settings = { ...this.settings, ...changes };
    this.dispatchEvent(new CustomEvent('settings-change', { detail: this.settings, bubbles: true }));
  }

  #numberField(
    id: string,
    label: string,
    key: 'epochs' | 'batchSize' | 'trainLimit' | 'seed',
    min: number,
    help: string,
  ) {
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <input
        id=${id}
        type="number"
        min=${min}
        step="1"
        .value=${String(this.settings[key])}
        aria-describedby=${`${id}-help`}
        ?disabled=${this.phase !== 'idle'}
        @input=${(event: Event) => {
          const value = Number((event.target as HTMLInputElement).value);
          if (Number.isInteger(value) && value >= min) this.#update({ [key]: value });
        }}
      />
      <small id=${`${id}-help`}>${help}</small>
    </div>`;
  }

  #onFiles(list: FileList | null | undefined): void {
    if (!list || list.length === 0) return;
    this.userFiles = assignIdxFiles([...list]);
    this.dataKind = 'files';
  }

  #start(): void {
    const rates = parseRates(this.ratesText ?? this.settings.rates.join(', '));
    if (!rates) {
      this.errorText = 'Rates must be one or more numbers > 0, e.g. 0.01, 0.1, 1';
      return;
    }
    const data = dataChoiceOf(this.dataKind, this.userFiles);
    if (typeof data === 'string') {
      this.errorText = data;
      return;
    }
    this.errorText = '';
    const { settings } = this;
    const first = rates[0] as number;
    const lr = settings.schedule ? { ...settings.schedule, lr: first } : first;
    this.#sweepId = `web-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`;
    const shared = globalThis.crossOriginIsolated ? new SharedArrayBuffer(4) : undefined;
    this.#control = shared ? new Int32Array(shared) : undefined;
    this.trials = [];
    this.backend = undefined;
    this.dataInfo = '';
    this.#gridSpec = undefined;
    this.#stepSpec = undefined;
    this.phase = 'running';
    this.#worker ??= new LabWorker((reply) => this.#onReply(reply), 'contour-sweep');
    this.#worker.send({
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
      ...(shared ? { control: shared } : {}),
    });
  }

  #togglePause(): void {
    const control = this.#control;
    if (!control) return;
    const next = this.phase === 'paused' ? controlState.running : controlState.paused;
    Atomics.store(control, 0, next);
    Atomics.notify(control, 0);
    this.phase = next === controlState.paused ? 'paused' : 'running';
    this.message = this.phase === 'paused' ? 'Paused (the worker waits after its current step).' : 'Resumed.';
  }

  #stop(): void {
    if (this.#control) {
      Atomics.store(this.#control, 0, controlState.stopping);
      Atomics.notify(this.#control, 0);
    }
    this.#worker?.send({ type: 'stop' });
    this.phase = 'stopping';
    this.message = 'Stopping after the current step…';
  }

  #onReply(reply: WorkerReply): void {
    switch (reply.type) {
      case 'status':
        this.message = reply.message;
        break;
      case 'backend':
        this.backend = reply.selection;
        break;
      case 'data':
        this.dataInfo = `${reply.name}: ${reply.train} training, ${reply.validation} validation images (${reply.source}; loaded in ${reply.seconds.toFixed(1)} s)`;
        break;
      case 'trials':
        this.trials = reply.trials.map((info) => ({
          info,
          records: [],
          status: 'waiting',
          message: '',
          progress: undefined,
        }));
        this.message = `Training ${reply.trials.length} runs…`;
        break;
      case 'trial-start':
        this.#patchTrial(reply.index, { status: 'running' });
        break;
      case 'records': {
        const trial = this.trials[reply.index];
        if (trial) {
          trial.records = [...trial.records, ...reply.records];
          this.#scheduleCharts(reply.records.some((record) => record.kind === 'epoch'));
          this.requestUpdate();
        }
        break;
      }
      case 'progress': {
        const { index, type: _type, ...progress } = reply;
        this.#patchTrial(index, { progress });
        break;
      }
      case 'trial-end':
        this.#patchTrial(reply.index, { status: reply.status, message: reply.message ?? '' });
        this.#scheduleCharts(true);
        void this.#store(reply.index);
        break;
      case 'sweep-end':
        this.phase = 'idle';
        this.message = `${reply.stopped ? 'Stopped' : 'Finished'} in ${reply.seconds.toFixed(1)} s. Runs are in the Runs panel.`;
        this.#scheduleCharts(true);
        break;
      case 'error':
        this.phase = 'idle';
        this.errorText = reply.message;
        this.message = 'The sweep stopped with an error.';
        break;
      case 'race-result':
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
    if (!trial || !this.library || trial.status === 'waiting' || trial.status === 'running') return;
    const backend = this.backend;
    const start = trial.records.find((record) => record.kind === 'run-start');
    try {
      await this.library.put([
        {
          id: this.library.uniqueId(trial.info.id),
          label: trial.info.label,
          origin: 'browser',
          source: this.#sweepId,
          storedAt: new Date().toISOString(),
          status: trial.status,
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
      this.errorText = `Could not save the run: ${errorMessage(error)}`;
    }
  }

  #scheduleCharts(now: boolean): void {
    if (this.#chartTimer !== undefined && !now) return;
    clearTimeout(this.#chartTimer);
    this.#chartTimer = setTimeout(
      () => {
        this.#chartTimer = undefined;
        this.#buildCharts();
        this.requestUpdate();
      },
      now ? 0 : 500,
    );
  }

  #buildCharts(): void {
    const withEpochs = this.trials.filter((trial) => trial.records.some((record) => record.kind === 'epoch'));
    this.#gridSpec =
      withEpochs.length === 0
        ? undefined
        : classicGridSpec(
            withEpochs.map((trial) => runCurves(trial.info.label, trial.records)),
            { title: 'Loss per epoch (training solid, validation dashed)' },
          );
    const steps = this.trials.flatMap((trial) =>
      trial.records.flatMap((record) =>
        record.kind === 'step' && Number.isFinite(record.loss)
          ? [{ run: trial.info.label, step: record.step, loss: record.loss }]
          : [],
      ),
    );
    this.#stepSpec =
      steps.length === 0
        ? undefined
        : ({
            $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
            title: 'Training loss per step (live)',
            width: 420,
            height: 200,
            background: 'white',
            data: { values: steps },
            mark: { type: 'line', strokeWidth: 1.5 },
            encoding: {
              x: { field: 'step', type: 'quantitative', title: 'step' },
              y: {
                field: 'loss',
                type: 'quantitative',
                title: 'batch cross entropy',
                scale: { zero: false },
              },
              color: {
                field: 'run',
                type: 'nominal',
                title: 'run',
                sort: this.trials.map((trial) => trial.info.label),
              },
            },
          } as TopLevelSpec);
  }

  #resultsTable() {
    if (this.trials.length === 0) return nothing;
    return html`<div class="table-scroll">
      <table class="data-table" id="sweep-results">
        <caption class="visually-hidden">Results per learning rate</caption>
        <thead>
          <tr>
            <th scope="col">run</th>
            <th scope="col">status</th>
            <th scope="col">epochs</th>
            <th scope="col">train CE</th>
            <th scope="col">val CE</th>
            <th scope="col">val error</th>
            <th scope="col">best val CE (epoch)</th>
            <th scope="col">diverged at</th>
            <th scope="col">seconds</th>
          </tr>
        </thead>
        <tbody>
          ${this.trials.map((trial) => {
            const summary = summarizeRun(trial.records);
            const best = summary.bestValidationCrossEntropy;
            const progress = trial.progress;
            return html`<tr data-run=${trial.info.label}>
              <th scope="row">${trial.info.label}</th>
              <td class=${`status-${trial.status}`} title=${trial.message}>
                ${trial.status}${
                  trial.status === 'running' && progress
                    ? html` <progress
                        max=${progress.batches}
                        value=${progress.batch + 1}
                        aria-label=${`${trial.info.label}: epoch ${progress.epoch}, batch ${progress.batch + 1} of ${progress.batches}`}
                      ></progress>`
                    : nothing
                }
              </td>
              <td>${summary.epochs}</td>
              <td>${format(summary.final.train.crossEntropy)}</td>
              <td>${format(summary.final.validation?.crossEntropy)}</td>
              <td>${summary.final.validation?.classificationError === undefined ? '—' : `${(100 * summary.final.validation.classificationError).toFixed(2)} %`}</td>
              <td>${best ? `${format(best.value)} (${best.epoch})` : '—'}</td>
              <td>${summary.divergedAtEpoch === undefined ? '—' : `epoch ${summary.divergedAtEpoch}`}</td>
              <td>${summary.seconds === undefined ? '—' : summary.seconds.toFixed(1)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
  }

  #backendLine() {
    const backend = this.backend;
    if (!backend)
      return html`<p class="status" id="sweep-backend">Backend: chosen when the sweep starts (${this.settings.backend}).</p>`;
    const failed = backend.attempts.filter((attempt) => !attempt.usable);
    return html`<div id="sweep-backend">
      <p>
        Backend: <span class="backend-badge" data-backend=${backend.name}>${backend.name}</span>
        ${backend.fellBack ? html`<strong class="error">fell back from ${backend.requested}</strong>` : nothing}
        <small>${backend.reason}</small>
      </p>
      ${
        failed.length > 0
          ? html`<ul class="legend-note">
              ${failed.map((attempt) => html`<li>${attempt.name}: ${attempt.reason}</li>`)}
            </ul>`
          : nothing
      }
    </div>`;
  }

  protected override render() {
    const { settings } = this;
    const busy = this.phase !== 'idle';
    const optimizerJson = JSON.stringify(settings.optimizer);
    const presetIndex = optimizerPresets.findIndex((preset) => JSON.stringify(preset.spec) === optimizerJson);
    return html`<section class="panel-grid" aria-labelledby="sweep-heading">
      <form class="panel-column" @submit=${(event: Event) => {
        event.preventDefault();
        if (!busy) this.#start();
      }}>
        <h2 id="sweep-heading">Sweep lab</h2>
        <p class="lede">One training run per learning rate, overlaid live. Training runs in a Web Worker with the CLI's trainer.</p>
        <fieldset ?disabled=${busy}>
          <legend>Data</legend>
          ${dataSourceFields({
            idPrefix: '',
            dataKind: this.dataKind,
            userFiles: this.userFiles,
            embeddedLabel: 'Embedded MNIST sample (10,000 real digits, 1.6 MB)',
            dropText:
              'or drop the four files here (train/t10k images and labels, gzipped or not). They are validated in the worker.',
            showIgnored: true,
            onKind: (kind) => {
              this.dataKind = kind;
            },
            onFiles: (files) => this.#onFiles(files),
          })}
          ${this.#numberField('sweep-train-limit', 'Training images', 'trainLimit', 1, 'used before the validation split (smaller is faster)')}
          <div class="field">
            <label for="sweep-validation">Validation share</label>
            <input id="sweep-validation" type="number" min="0" max="0.9" step="0.05" .value=${String(settings.validation)} @input=${(
              event: Event,
            ) => {
              const value = Number((event.target as HTMLInputElement).value);
              if (value >= 0 && value < 1) this.#update({ validation: value });
            }} />
          </div>
        </fieldset>
        <fieldset ?disabled=${busy}>
          <legend>Model and optimizer</legend>
          <div class="field">
            <label for="sweep-model">Model</label>
            <input id="sweep-model" type="text" .value=${settings.model} aria-describedby="sweep-model-help" @input=${(event: Event) => this.#update({ model: (event.target as HTMLInputElement).value.trim() })} />
            <small id="sweep-model-help"><code>linear</code> (softmax regression) or <code>mlp:128,64</code></small>
          </div>
          <div class="field">
            <label for="sweep-optimizer">Optimizer</label>
            <select id="sweep-optimizer" @change=${(event: Event) => {
              const preset = optimizerPresets[Number((event.target as HTMLSelectElement).value)];
              if (preset) {
                this.optimizerText = undefined;
                this.#update({ optimizer: preset.spec });
              }
            }}>
              ${presetIndex < 0 ? html`<option selected value="-1">custom (JSON below)</option>` : nothing}
              ${optimizerPresets.map((preset, index) => html`<option value=${index} ?selected=${index === presetIndex}>${preset.label}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="sweep-optimizer-json">Optimizer spec without its rate (JSON)</label>
            <input id="sweep-optimizer-json" type="text" class="wide" spellcheck="false" .value=${this.optimizerText ?? optimizerJson} @input=${(
              event: Event,
            ) => {
              const text = (event.target as HTMLInputElement).value;
              this.optimizerText = text;
              try {
                const value = JSON.parse(text) as unknown;
                if (
                  value &&
                  typeof value === 'object' &&
                  !Array.isArray(value) &&
                  typeof (value as { type?: unknown }).type === 'string'
                ) {
                  this.#update({ optimizer: value as Record<string, unknown> });
                }
              } catch {
                // Kept as typed until it parses.
              }
            }} />
          </div>
          <div class="field">
            <label for="sweep-schedule">Schedule (JSON; its lr is each run's rate) — empty for a constant rate</label>
            <textarea id="sweep-schedule" rows="3" spellcheck="false" .value=${this.scheduleText ?? (settings.schedule ? JSON.stringify(settings.schedule) : '')} @input=${(
              event: Event,
            ) => {
              const text = (event.target as HTMLTextAreaElement).value;
              this.scheduleText = text;
              if (text.trim() === '') {
                this.#update({ schedule: null });
                return;
              }
              try {
                const value = JSON.parse(text) as unknown;
                if (value && typeof value === 'object' && !Array.isArray(value))
                  this.#update({ schedule: value as Record<string, unknown> });
              } catch {
                // Kept as typed until it parses.
              }
            }}></textarea>
            ${
              this.designerSchedule
                ? html`<button type="button" @click=${() => {
                    this.scheduleText = undefined;
                    this.#update({ schedule: this.designerSchedule ?? null });
                  }}>Use the designer's schedule</button>`
                : nothing
            }
          </div>
        </fieldset>
        <fieldset ?disabled=${busy}>
          <legend>Sweep</legend>
          <div class="field">
            <label for="sweep-rates">Learning rates</label>
            <input id="sweep-rates" type="text" inputmode="decimal" .value=${this.ratesText ?? settings.rates.join(', ')} aria-describedby="sweep-rates-help" @input=${(
              event: Event,
            ) => {
              const text = (event.target as HTMLInputElement).value;
              this.ratesText = text;
              const rates = parseRates(text);
              if (rates) this.#update({ rates });
            }} />
            <small id="sweep-rates-help">one run each, e.g. <code>0.01, 0.1, 1</code></small>
          </div>
          ${this.#numberField('sweep-epochs', 'Epochs', 'epochs', 1, 'full passes over the training images')}
          ${this.#numberField('sweep-batch', 'Batch size', 'batchSize', 1, 'images per step')}
          ${this.#numberField('sweep-seed', 'Seed', 'seed', 0, 'same seed, same run (on the cpu backend)')}
          <div class="field">
            <label for="sweep-backend-choice">Backend</label>
            <select id="sweep-backend-choice" @change=${(event: Event) => this.#update({ backend: (event.target as HTMLSelectElement).value as SweepSettings['backend'] })}>
              ${(['auto', 'webgl', 'wasm', 'cpu'] as const).map((name) => html`<option value=${name} ?selected=${settings.backend === name}>${name}</option>`)}
            </select>
          </div>
        </fieldset>
        <div class="button-row">
          <button type="submit" class="primary" ?disabled=${busy}>Start</button>
          <button type="button" ?disabled=${!busy || this.phase === 'stopping' || !this.#control} title=${this.#control || !busy ? '' : 'Pause needs cross-origin isolation (SharedArrayBuffer)'} @click=${() => this.#togglePause()}>
            ${this.phase === 'paused' ? 'Resume' : 'Pause'}
          </button>
          <button type="button" ?disabled=${!busy || this.phase === 'stopping'} @click=${() => this.#stop()}>Stop</button>
        </div>
        <p class="error" role="alert" id="sweep-error">${this.errorText}</p>
      </form>
      <div class="panel-column">
        <p class="status" role="status" id="sweep-status" data-phase=${this.phase}>${this.message}</p>
        ${this.#backendLine()}
        ${this.dataInfo ? html`<p class="legend-note" id="sweep-data">${this.dataInfo}</p>` : nothing}
        ${this.#resultsTable()}
        <contour-chart id="sweep-chart" label="Cross entropy and classification error per epoch for each learning rate" .spec=${this.#gridSpec}></contour-chart>
        <contour-chart id="sweep-steps-chart" label="Training loss per step for each learning rate" .spec=${this.#stepSpec}></contour-chart>
      </div>
    </section>`;
  }
}

customElements.define('sweep-lab', SweepLab);
