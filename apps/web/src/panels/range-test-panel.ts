import type { BackendSelection } from '@contour/backends';
import type { RangeTestPoint, RangeTestResult, SuggestionName } from '@contour/core';
import { rangeTestChartSpec } from '@contour/metrics-logger';
import { html, nothing, type PropertyValues } from 'lit';
import type { TopLevelSpec } from 'vega-lite';
import { LightElement } from '../components/light-element.js';
import '../components/vega-chart.js';
import { dataChoiceOf, dataSourceFields } from '../data/data-source-fields.js';
import { assignIdxFiles, type IdxAssignment } from '../data/idx-files.js';
import type { RangeTestPanelSettings } from '../state/url-state.js';
import { LabWorker } from '../worker/lab-client.js';
import type { WorkerReply } from '../worker/protocol.js';
import { optimizerPresets } from './sweep-lab.js';

/**
 * Defaults: softmax regression on 2,000 embedded digits, SGD, the rate swept from 1e-5 to 10 over
 * 100 batches (fastai's `lr_find` iterations; its 1e-7 start wastes a third of a short test on a
 * flat curve).
 */
export const defaultRangeTestPanelSettings: RangeTestPanelSettings = {
  model: 'linear',
  optimizer: { type: 'sgd' },
  startLearningRate: 1e-5,
  endLearningRate: 10,
  iterations: 100,
  batchSize: 64,
  trainLimit: 2000,
  seed: 0,
  backend: 'auto',
};

/**
 * The suggestions in the order the table lists them (the order of `suggestionNames` in
 * @contour/core; the main thread imports only its types so that no tfjs code lands here).
 */
const suggestionOrder: readonly SuggestionName[] = ['valley', 'slide', 'minimum', 'steep'];

/** What each suggestion means (fastai's definitions, as implemented by @contour/core). */
const suggestionHelp: Readonly<Record<SuggestionName, string>> = {
  valley: 'two-thirds down the first half of the longest decreasing run (default)',
  slide: 'interval slide rule on the loss gradient',
  minimum: 'rate at the lowest smoothed loss ÷ 10',
  steep: 'steepest descent of the loss against log rate',
};

/** A rate as the CLI prints it in its train command: 3 significant digits. */
export function rateText(rate: number): string {
  return String(Number.parseFloat(rate.toPrecision(3)));
}

type Phase = 'idle' | 'running' | 'stopping';

/** Detail of the `use-learning-rate` event: a rate for the Sweep lab, with the model and optimizer tested. */
export interface UseLearningRateDetail {
  readonly learningRate: number;
  readonly model: string;
  readonly optimizer: Record<string, unknown>;
}

/**
 * The learning-rate range test (fastai `lr_find`, Leslie Smith): runs @contour/core's
 * `runRangeTest` — the function `contour find-lr` calls — in the training worker, draws the curve
 * with the CLI's `rangeTestChartSpec` (log-rate axis, every suggestion marked), lists the
 * suggestions and sends the chosen one to the Sweep lab (`use-learning-rate` event).
 */
export class RangeTestPanel extends LightElement {
  static override properties = {
    settings: { attribute: false },
    phase: { state: true },
    message: { state: true },
    errorText: { state: true },
    backend: { state: true },
    dataInfo: { state: true },
    dataKind: { state: true },
    userFiles: { state: true },
    optimizerText: { state: true },
    points: { state: true },
    result: { state: true },
    selected: { state: true },
  };
  declare settings: RangeTestPanelSettings;
  declare phase: Phase;
  declare message: string;
  declare errorText: string;
  declare backend: BackendSelection | undefined;
  declare dataInfo: string;
  declare dataKind: 'embedded' | 'files';
  declare userFiles: IdxAssignment<File> | undefined;
  declare optimizerText: string | undefined;
  /** The recorded curve so far (streamed from the worker). */
  declare points: RangeTestPoint[];
  /** The last finished range test, exactly as `runRangeTest` returned it. */
  declare result: RangeTestResult | undefined;
  /** The suggestion drawn as chosen and sent to the Sweep lab. */
  declare selected: SuggestionName;
  #worker: LabWorker | undefined;
  #chartTimer: ReturnType<typeof setTimeout> | undefined;
  #spec: TopLevelSpec | undefined;

  constructor() {
    super();
    this.settings = defaultRangeTestPanelSettings;
    this.phase = 'idle';
    this.message = 'Ready.';
    this.errorText = '';
    this.dataInfo = '';
    this.dataKind = 'embedded';
    this.points = [];
    this.selected = 'valley';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Settings replaced from outside (URL, IndexedDB): drop a typed spec that no longer matches.
    if (changed.has('settings') && this.optimizerText !== undefined) {
      try {
        if (JSON.stringify(JSON.parse(this.optimizerText)) !== JSON.stringify(this.settings.optimizer))
          this.optimizerText = undefined;
      } catch {
        // Still being typed.
      }
    }
  }

  #update(changes: Partial<RangeTestPanelSettings>): void {
    this.settings = { ...this.settings, ...changes };
    this.dispatchEvent(new CustomEvent('settings-change', { detail: this.settings, bubbles: true }));
  }

  #onFiles(list: FileList | null | undefined): void {
    if (!list || list.length === 0) return;
    this.userFiles = assignIdxFiles([...list]);
    this.dataKind = 'files';
  }

  #start(): void {
    const data = dataChoiceOf(this.dataKind, this.userFiles);
    if (typeof data === 'string') {
      this.errorText = data;
      return;
    }
    const { settings } = this;
    this.errorText = '';
    this.points = [];
    this.result = undefined;
    this.backend = undefined;
    this.dataInfo = '';
    this.#spec = undefined;
    this.phase = 'running';
    this.message = 'Starting…';
    this.#worker ??= new LabWorker((reply) => this.#onReply(reply), 'contour-range-test');
    this.#worker.send({
      type: 'range-test',
      data,
      config: {
        data: {
          source: data.kind === 'embedded' ? 'mnist' : 'browser-files',
          trainLimit: settings.trainLimit,
        },
        training: {
          model: settings.model,
          // The test replaces the rate every step; the spec needs one to be valid.
          optimizer: { ...settings.optimizer, lr: settings.startLearningRate },
          loss: 'cross-entropy',
          batchSize: settings.batchSize,
          seed: settings.seed,
        },
        backend: settings.backend,
      },
      settings: {
        startLearningRate: settings.startLearningRate,
        endLearningRate: settings.endLearningRate,
        iterations: settings.iterations,
      },
    });
  }

  #stop(): void {
    this.#worker?.send({ type: 'stop' });
    this.phase = 'stopping';
    this.message = 'Stopping after the current batch (the model is restored)…';
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
        this.dataInfo = `${reply.name}: ${reply.train} training images (${reply.source}; loaded in ${reply.seconds.toFixed(1)} s)`;
        break;
      case 'range-test-points':
        this.points = [...this.points, ...reply.points];
        this.message = `Sweeping the learning rate: batch ${this.points.length} of ${this.settings.iterations}…`;
        this.#scheduleChart();
        break;
      case 'range-test-result': {
        const { result } = reply;
        this.result = result;
        this.points = [...result.points];
        this.phase = 'idle';
        const stop = result.interrupted ? 'stopped' : `stopped: ${result.stop}`;
        this.message = `Finished in ${result.seconds.toFixed(1)} s (${stop} after ${result.points.length} batches; analysed points ${result.trimmed.start}–${result.trimmed.end - 1}).`;
        this.#scheduleChart(true);
        break;
      }
      case 'error':
        this.phase = 'idle';
        this.errorText = reply.message;
        this.message = 'The range test stopped with an error.';
        break;
      default:
        break;
    }
  }

  #scheduleChart(now = false): void {
    if (this.#chartTimer !== undefined && !now) return;
    clearTimeout(this.#chartTimer);
    this.#chartTimer = setTimeout(
      () => {
        this.#chartTimer = undefined;
        this.#buildChart();
        this.requestUpdate();
      },
      now ? 0 : 300,
    );
  }

  /** The CLI's plot: `rangeTestChartSpec` with the same data `contour find-lr` gives it. */
  #buildChart(): void {
    const { result } = this;
    if (this.points.length === 0) {
      this.#spec = undefined;
      return;
    }
    this.#spec = result
      ? rangeTestChartSpec(
          {
            points: result.points,
            trimmed: result.trimmed,
            suggestions: Object.values(result.suggestions),
            selected: this.selected,
          },
          { width: 560 },
        )
      : rangeTestChartSpec({ points: this.points, suggestions: [] }, { width: 560 });
  }

  #use(name: SuggestionName): void {
    const suggestion = this.result?.suggestions[name];
    if (!suggestion) return;
    const detail: UseLearningRateDetail = {
      learningRate: Number.parseFloat(suggestion.learningRate.toPrecision(3)),
      model: this.settings.model,
      optimizer: this.settings.optimizer,
    };
    this.dispatchEvent(new CustomEvent('use-learning-rate', { detail, bubbles: true }));
  }

  #numberField(
    id: string,
    label: string,
    key: 'iterations' | 'batchSize' | 'trainLimit' | 'seed',
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
        @input=${(event: Event) => {
          const value = Number((event.target as HTMLInputElement).value);
          if (Number.isInteger(value) && value >= min) this.#update({ [key]: value });
        }}
      />
      <small id=${`${id}-help`}>${help}</small>
    </div>`;
  }

  #rateField(id: string, label: string, key: 'startLearningRate' | 'endLearningRate', help: string) {
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <input
        id=${id}
        type="text"
        inputmode="decimal"
        spellcheck="false"
        .value=${String(this.settings[key])}
        aria-describedby=${`${id}-help`}
        @input=${(event: Event) => {
          const text = (event.target as HTMLInputElement).value.trim();
          const value = Number(text);
          if (text !== '' && Number.isFinite(value) && value > 0) this.#update({ [key]: value });
        }}
      />
      <small id=${`${id}-help`}>${help}</small>
    </div>`;
  }

  #dataFieldset() {
    return html`<fieldset ?disabled=${this.phase !== 'idle'}>
      <legend>Data</legend>
      ${dataSourceFields({
        idPrefix: 'range-',
        dataKind: this.dataKind,
        userFiles: this.userFiles,
        embeddedLabel: 'Embedded MNIST sample (10,000 real digits)',
        dropText: 'or drop the four files here; they are validated in the worker.',
        showIgnored: false,
        onKind: (kind) => {
          this.dataKind = kind;
        },
        onFiles: (files) => this.#onFiles(files),
      })}
      ${this.#numberField('range-train-limit', 'Subset size (images)', 'trainLimit', 1, 'images used before the validation split; the test trains on the training part')}
    </fieldset>`;
  }

  #suggestionTable() {
    const { result } = this;
    if (!result) return nothing;
    return html`<div class="table-scroll">
      <table class="data-table" id="range-test-suggestions">
        <caption>Suggested learning rates (fastai's definitions)</caption>
        <thead>
          <tr>
            <th scope="col">suggestion</th>
            <th scope="col">learning rate</th>
            <th scope="col">smoothed loss</th>
            <th scope="col">meaning</th>
          </tr>
        </thead>
        <tbody>
          ${suggestionOrder.map((name) => {
            const suggestion = result.suggestions[name];
            return html`<tr data-suggestion=${name} data-learning-rate=${suggestion ? String(suggestion.learningRate) : ''}>
              <th scope="row">${name}${name === this.selected ? ' (chosen)' : ''}</th>
              <td>${suggestion ? rateText(suggestion.learningRate) : '—'}</td>
              <td>${suggestion ? suggestion.loss.toPrecision(4) : '—'}</td>
              <td>${suggestion ? suggestionHelp[name] : 'curve too short to decide'}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
  }

  #backendLine() {
    const backend = this.backend;
    if (!backend) return nothing;
    const failed = backend.attempts.filter((attempt) => !attempt.usable);
    return html`<div id="range-test-backend">
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
    const { settings, result } = this;
    const busy = this.phase !== 'idle';
    const optimizerJson = JSON.stringify(settings.optimizer);
    const presetIndex = optimizerPresets.findIndex((preset) => JSON.stringify(preset.spec) === optimizerJson);
    const chosen = result?.suggestions[this.selected];
    return html`<section class="panel-grid" aria-labelledby="range-test-heading">
      <form class="panel-column" @submit=${(event: Event) => {
        event.preventDefault();
        if (!busy) this.#start();
      }}>
        <h2 id="range-test-heading">Range test</h2>
        <p class="lede">
          The learning-rate range test (Leslie Smith; fastai's <code>lr_find</code>): the rate grows exponentially
          batch by batch while the smoothed loss is recorded; the model is restored afterwards. It runs
          <code>@contour/core</code>'s <code>runRangeTest</code> in the worker, as <code>contour find-lr</code> does.
        </p>
        ${this.#dataFieldset()}
          <fieldset ?disabled=${busy}>
            <legend>Model and optimizer</legend>
            <div class="field">
              <label for="range-model">Model to test</label>
              <input id="range-model" type="text" .value=${settings.model} aria-describedby="range-model-help" @input=${(event: Event) => this.#update({ model: (event.target as HTMLInputElement).value.trim() })} />
              <small id="range-model-help"><code>linear</code> (softmax regression) or <code>mlp:128,64</code></small>
            </div>
            <div class="field">
              <label for="range-optimizer">Update rule</label>
              <select id="range-optimizer" @change=${(event: Event) => {
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
              <label for="range-optimizer-json">Update rule spec without its rate (JSON)</label>
              <input id="range-optimizer-json" type="text" class="wide" spellcheck="false" .value=${this.optimizerText ?? optimizerJson} @input=${(
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
                  )
                    this.#update({ optimizer: value as Record<string, unknown> });
                } catch {
                  // Kept as typed until it parses.
                }
              }} />
            </div>
          </fieldset>
          <fieldset ?disabled=${busy}>
            <legend>Sweep of the rate</legend>
            ${this.#rateField('range-start', 'Start rate', 'startLearningRate', 'first rate, e.g. 1e-7 (fastai) or 1e-5')}
            ${this.#rateField('range-end', 'End rate', 'endLearningRate', 'the rate the sweep heads for, e.g. 10')}
            ${this.#numberField('range-iterations', 'Iterations (batches)', 'iterations', 6, 'batches of the sweep (≥ 6; fastai: 100)')}
            ${this.#numberField('range-batch', 'Images per batch', 'batchSize', 1, 'batch size')}
            ${this.#numberField('range-seed', 'Random seed', 'seed', 0, 'batch order and initial weights')}
            <div class="field">
              <label for="range-backend-choice">Compute backend</label>
              <select id="range-backend-choice" @change=${(event: Event) => this.#update({ backend: (event.target as HTMLSelectElement).value as RangeTestPanelSettings['backend'] })}>
                ${(['auto', 'webgl', 'wasm', 'cpu'] as const).map((name) => html`<option value=${name} ?selected=${settings.backend === name}>${name}</option>`)}
              </select>
            </div>
          </fieldset>
        <div class="button-row">
          <button type="submit" class="primary" ?disabled=${busy}>Run range test</button>
          <button type="button" ?disabled=${this.phase !== 'running'} @click=${() => this.#stop()}>Stop range test</button>
        </div>
        <p class="error" role="alert" id="range-test-error">${this.errorText}</p>
      </form>
      <div class="panel-column">
        <p class="status" role="status" id="range-test-status" data-phase=${this.phase} data-finished=${result ? 'true' : 'false'}>${this.message}</p>
        ${this.#backendLine()}
        ${this.dataInfo ? html`<p class="legend-note" id="range-test-data">${this.dataInfo}</p>` : nothing}
        <contour-chart id="range-test-chart" label="Smoothed loss against the learning rate on a log axis, with the suggested rates marked" .spec=${this.#spec}></contour-chart>
        ${this.#suggestionTable()}
        ${
          result
            ? html`<div class="field">
                <label for="range-suggestion">Suggestion to use</label>
                <select id="range-suggestion" @change=${(event: Event) => {
                  this.selected = (event.target as HTMLSelectElement).value as SuggestionName;
                  this.#scheduleChart(true);
                }}>
                  ${suggestionOrder.map((name) => html`<option value=${name} ?selected=${name === this.selected} ?disabled=${!result.suggestions[name]}>${name}</option>`)}
                </select>
              </div>
              <div class="button-row">
                <button type="button" id="range-test-use" ?disabled=${!chosen} @click=${() => this.#use(this.selected)}>
                  ${chosen ? `Use ${rateText(chosen.learningRate)} in the Sweep lab` : 'No suggestion to use'}
                </button>
              </div>`
            : nothing
        }
      </div>
    </section>`;
  }
}

customElements.define('range-test-panel', RangeTestPanel);
