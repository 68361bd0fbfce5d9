import type { RangeTestPoint, RangeTestResult, SuggestionName } from '@contour/core';
import { rangeTestChartSpec, smoothedLossAt } from '@contour/metrics-logger';
import { html, nothing } from 'lit';
import type { TopLevelSpec } from 'vega-lite';
import { dataTable } from '../components/data-table.js';
import { backendStatus, parsePositiveNumber, textField } from '../components/form-fields.js';
import { TrainingPanel } from '../components/training-panel.js';
import { describeLoadedData } from '../data/data-source-fields.js';
import '../components/vega-chart.js';
import type { RangeTestPanelSettings } from '../state/url-state.js';
import type { DataChoice, RangeTestAuto, WorkerReply } from '../worker/protocol.js';
import { withheldSuggestionsReason } from './range-test-verdict.js';

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
  minimum:
    "a tenth of the rate at the lowest smoothed loss (fastai's rule: at the minimum itself the loss is about to blow up)",
  steep: 'steepest descent of the loss against log rate',
};

/** A rate as the CLI prints it in its train command: 3 significant digits. */
export function rateText(rate: number): string {
  return String(Number.parseFloat(rate.toPrecision(3)));
}

/** Labels of the batch size, seed and backend fields. */
const batchSeedAndBackendLabels = {
  batch: ['Images per batch', 'batch size'],
  seed: ['Random seed', 'batch order and initial weights'],
  backend: 'Compute backend',
} as const;

/** Detail of the `use-learning-rate` event: a rate for the Sweep lab, with the model and optimizer tested. */
export interface UseLearningRateDetail {
  readonly learningRate: number;
  readonly model: string;
  readonly optimizer: Record<string, unknown>;
}

/**
 * Detail of the `range-test-suggestion` event: the auto rule's rate of the last range test and the
 * rates that bracket it, with the model and optimizer tested (the Sweep lab's "bracket" action).
 */
export interface RangeTestSuggestionDetail {
  readonly learningRate: number;
  readonly startLearningRate: number;
  readonly endLearningRate: number;
  readonly bracket: readonly number[];
  readonly model: string;
  readonly optimizer: Record<string, unknown>;
}

/**
 * The learning-rate range test (fastai `lr_find`, Leslie Smith): runs @contour/core's
 * `runRangeTest` — the function `contour find-lr` calls — in the training worker, draws the curve
 * with the CLI's `rangeTestChartSpec` (log-rate axis, every suggestion marked), lists the
 * suggestions and sends the chosen one to the Sweep lab (`use-learning-rate` event).
 */
export class RangeTestPanel extends TrainingPanel<RangeTestPanelSettings> {
  static override properties = {
    points: { state: true },
    result: { state: true },
    auto: { state: true },
    selected: { state: true },
  };
  /** The recorded curve so far (streamed from the worker). */
  declare points: RangeTestPoint[];
  /** The last finished range test, exactly as `runRangeTest` returned it. */
  declare result: RangeTestResult | undefined;
  /** The auto rule (the CLI's `--lr auto`) on the last finished test. */
  declare auto: RangeTestAuto | undefined;
  /** The suggestion drawn as chosen and sent to the Sweep lab. */
  declare selected: SuggestionName;
  #spec: TopLevelSpec | undefined;

  constructor() {
    super({
      chartMilliseconds: 300,
      idPrefix: 'range',
      workerName: 'contour-range-test',
      errorMessage: 'The range test stopped with an error.',
      describeData: (reply) =>
        `${reply.name}: ${describeLoadedData(reply)}, ${reply.train} training (${reply.source}; loaded in ${reply.seconds.toFixed(1)} s)`,
    });
    this.settings = defaultRangeTestPanelSettings;
    this.points = [];
    this.selected = 'valley';
  }

  protected override start(data: DataChoice): void {
    const { settings } = this;
    this.points = [];
    this.result = undefined;
    this.auto = undefined;
    this.#spec = undefined;
    this.run.start({
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

  protected override onWorkerReply(reply: WorkerReply): void {
    switch (reply.type) {
      case 'range-test-points':
        this.points = [...this.points, ...reply.points];
        this.run.say(
          `Sweeping the learning rate: batch ${this.points.length} of ${this.settings.iterations}…`,
        );
        this.redrawCharts();
        break;
      case 'range-test-result': {
        const { result } = reply;
        this.result = result;
        this.auto = reply.auto;
        // The Sweep lab may bracket this rate: only from a test whose suggestions are offered.
        if ('learningRate' in reply.auto && withheldSuggestionsReason(result) === undefined) {
          const detail: RangeTestSuggestionDetail = {
            learningRate: reply.auto.learningRate,
            startLearningRate: reply.auto.startLearningRate,
            endLearningRate: reply.auto.endLearningRate,
            bracket: reply.auto.bracket,
            model: this.settings.model,
            optimizer: this.settings.optimizer,
          };
          this.dispatchEvent(new CustomEvent('range-test-suggestion', { detail, bubbles: true }));
        }
        this.points = [...result.points];
        const stop = result.interrupted ? 'stopped' : `stopped: ${result.stop}`;
        this.run.finish(
          `Finished in ${result.seconds.toFixed(1)} s (${stop} after ${result.points.length} batches; analysed points ${result.trimmed.start}–${result.trimmed.end - 1}).`,
        );
        this.redrawCharts(true);
        break;
      }
      default:
        break;
    }
  }

  /** The CLI's plot: `rangeTestChartSpec` with the same data `contour find-lr` gives it. */
  protected override buildCharts(): void {
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
            suggestions: this.#offered(result),
            selected: this.selected,
          },
          { width: 560 },
        )
      : rangeTestChartSpec({ points: this.points, suggestions: [] }, { width: 560 });
  }

  /** The suggestions to offer: none when the curve is too short or flat to say anything. */
  #offered(result: RangeTestResult) {
    return withheldSuggestionsReason(result) === undefined ? Object.values(result.suggestions) : [];
  }

  #use(name: SuggestionName): void {
    const result = this.result;
    const suggestion = result && this.#offered(result).length > 0 ? result.suggestions[name] : undefined;
    if (!suggestion) return;
    const detail: UseLearningRateDetail = {
      learningRate: Number.parseFloat(suggestion.learningRate.toPrecision(3)),
      model: this.settings.model,
      optimizer: this.settings.optimizer,
    };
    this.dispatchEvent(new CustomEvent('use-learning-rate', { detail, bubbles: true }));
  }

  /** The auto rule's rate with its explanation, and a button sending it to the Sweep lab. */
  #autoBlock() {
    const { auto, result } = this;
    if (!auto || !result || this.#offered(result).length === 0) return nothing;
    if ('problem' in auto) {
      return html`<p class="legend-note" id="range-test-auto">Auto rule: no rate — ${auto.problem}</p>`;
    }
    const rate = Number.parseFloat(auto.learningRate.toPrecision(3));
    return html`<div id="range-test-auto">
      <p class="legend-note">
        Auto rule (what <code>contour train --lr auto</code> applies; there over 3 seeds, here to this one test):
        ${auto.explanation}.
      </p>
      <div class="button-row">
        <button
          type="button"
          id="range-test-auto-use"
          @click=${() => {
            const detail: UseLearningRateDetail = {
              learningRate: rate,
              model: this.settings.model,
              optimizer: this.settings.optimizer,
            };
            this.dispatchEvent(new CustomEvent('use-learning-rate', { detail, bubbles: true }));
          }}
        >
          Auto: use ${rateText(auto.learningRate)} in the Sweep lab
        </button>
      </div>
    </div>`;
  }

  #rateField(id: string, label: string, key: 'startLearningRate' | 'endLearningRate', help: string) {
    return textField({
      drafts: this.fields,
      id,
      label,
      help,
      kind: 'decimal',
      value: String(this.settings[key]),
      parse: parsePositiveNumber,
      apply: (value) => this.changeSettings({ [key]: value }),
    });
  }

  #dataFieldset() {
    return html`<fieldset ?disabled=${this.run.busy}>
      <legend>Data</legend>
      ${this.dataFields({
        embeddedLabel: 'Embedded MNIST sample (10,000 real digits)',
        dropText: 'or drop the four files here; they are validated in the worker.',
        showIgnored: false,
        limitLabel: 'Subset size (images)',
        limitHelp: 'images used before the validation split; the test trains on the training part',
      })}
    </fieldset>`;
  }

  #suggestionTable() {
    const { result } = this;
    if (!result) return nothing;
    const withheld = withheldSuggestionsReason(result);
    if (withheld) return html`<p class="notice" id="range-test-withheld">${withheld}</p>`;
    return dataTable({
      id: 'range-test-suggestions',
      caption: "Suggested learning rates (fastai's definitions)",
      columns: ['suggestion', 'learning rate', 'smoothed loss at that rate', 'how it is chosen'],
      rows: suggestionOrder.map((name) => {
        const suggestion = result.suggestions[name];
        const point = suggestion?.pointLearningRate;
        return html`<tr data-suggestion=${name} data-learning-rate=${suggestion ? String(suggestion.learningRate) : ''}>
          <th scope="row">${name}${name === this.selected ? ' (chosen)' : ''}</th>
          <td>${suggestion ? rateText(suggestion.learningRate) : '—'}</td>
          <td>${suggestion ? smoothedLossAt(result.points, suggestion.learningRate).toPrecision(4) : '—'}</td>
          <td>${
            !suggestion
              ? 'curve too short to decide'
              : point !== undefined && point !== suggestion.learningRate
                ? `${suggestionHelp[name]}: lowest loss ${suggestion.loss.toPrecision(4)} at ${rateText(point)}, ÷ 10 = ${rateText(suggestion.learningRate)}`
                : suggestionHelp[name]
          }</td>
        </tr>`;
      }),
    });
  }

  protected override render() {
    const { result, run } = this;
    const busy = run.busy;
    const chosen = result && this.#offered(result).length > 0 ? result.suggestions[this.selected] : undefined;
    return html`<section class="panel-grid" aria-labelledby="range-test-heading">
      <form class="panel-column" @submit=${this.onSubmit}>
        <h2 id="range-test-heading">Range test</h2>
        <p class="lede">
          The learning-rate range test (Leslie Smith; fastai's <code>lr_find</code>): the rate grows exponentially
          batch by batch while the smoothed loss is recorded; the model is restored afterwards. It runs
          <code>@contour/core</code>'s <code>runRangeTest</code> in the worker, as <code>contour find-lr</code> does.
        </p>
        ${this.#dataFieldset()}
        <fieldset ?disabled=${busy}>
          <legend>Model and optimizer</legend>
          ${this.modelFields({ model: 'Model to test', preset: 'Update rule', json: 'Update rule spec without its rate (JSON)' })}
        </fieldset>
        <fieldset ?disabled=${busy}>
          <legend>Sweep of the rate</legend>
          ${this.#rateField('range-start', 'Start rate', 'startLearningRate', 'first rate, e.g. 1e-7 (fastai) or 1e-5')}
          ${this.#rateField('range-end', 'End rate', 'endLearningRate', 'the rate the sweep heads for, e.g. 10')}
          ${this.integerField('iterations', 'range-iterations', 'Iterations (batches)', 6, 'batches of the sweep (≥ 6; fastai: 100)')}
          ${this.batchSeedAndBackend(batchSeedAndBackendLabels)}
        </fieldset>
        ${this.runButtons({
          start: 'Run range test',
          stop: 'Stop range test',
          stopping: 'Stopping after the current batch (the model is restored)…',
          pause: false,
        })}
        <p class="error" role="alert" id="range-test-error">${run.errorText}</p>
      </form>
      <div class="panel-column results">
        <p class="status" role="status" id="range-test-status" data-phase=${run.phase} data-finished=${result ? 'true' : 'false'}>${run.message}</p>
        ${backendStatus('range-test-backend', run.backend, undefined)}
        ${run.dataInfo ? html`<p class="legend-note" id="range-test-data">${run.dataInfo}</p>` : nothing}
        <contour-chart id="range-test-chart" label="Smoothed loss against the learning rate on a log axis, with the suggested rates marked" .spec=${this.#spec}></contour-chart>
        ${this.#suggestionTable()}
        ${
          result && this.#offered(result).length > 0
            ? html`<div class="field">
                <label for="range-suggestion">Suggestion to use</label>
                <select id="range-suggestion" @change=${(event: Event) => {
                  this.selected = (event.target as HTMLSelectElement).value as SuggestionName;
                  this.redrawCharts(true);
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
        ${this.#autoBlock()}
      </div>
    </section>`;
  }
}

customElements.define('range-test-panel', RangeTestPanel);
