import { scheduleChartSpec } from '@contour/metrics-logger';
import { createScheduleRegistry, type Schedule, sampleSchedule } from '@contour/schedules';
import { html, nothing, type PropertyValues } from 'lit';
import { downloadFile, errorMessage } from '../components/download.js';
import { LightElement } from '../components/light-element.js';
import '../components/vega-chart.js';
import '../schedules/schedule-editor.js';
import { scheduleTemplate } from '../schedules/schedule-templates.js';
import type { ScheduleDesignerSettings } from '../state/url-state.js';
import type { SweepStepCount } from './sweep-steps.js';

/**
 * Steps each run of the Sweep lab's default sweep trains (2,000 images, 20 % held out, batch 64:
 * 25 steps per epoch × 3 epochs), so the designer's default schedule covers exactly those runs.
 */
const defaultSweepSteps = 75;

/** Defaults of the designer: linear warmup (8 steps) into cosine annealing (67), the sweep's 75 steps. */
export const defaultScheduleSettings: ScheduleDesignerSettings = {
  spec: scheduleTemplate('warmup', defaultSweepSteps),
  steps: defaultSweepSteps,
  logScale: false,
};

/** How long the Sweep lab's runs are (its `sweepStepCount` and epochs). */
export interface SweepLength extends SweepStepCount {
  readonly epochs: number;
}

const maximumSteps = 20_000;

/**
 * The schedule designer: compose any schedule (built-ins, `expr`, combinators) in a form or as JSON,
 * plotted live with the CLI's `scheduleChartSpec`; import and export the JSON spec the CLI accepts
 * (`contour schedule <spec>`).
 */
export class ScheduleDesigner extends LightElement {
  static override properties = {
    settings: { attribute: false },
    sweepLength: { attribute: false },
    jsonText: { state: true },
    jsonError: { state: true },
  };
  declare settings: ScheduleDesignerSettings;
  /** The Sweep lab's run length: the schedule "Use in the Sweep lab" sends drives that many steps. */
  declare sweepLength: SweepLength | undefined;
  declare jsonText: string;
  declare jsonError: string;
  readonly registry = createScheduleRegistry();
  #schedule: Schedule | undefined;
  #specError = '';
  #rates: number[] = [];

  constructor() {
    super();
    this.settings = defaultScheduleSettings;
    this.jsonText = JSON.stringify(defaultScheduleSettings.spec, null, 2);
    this.jsonError = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('settings')) {
      const previous = changed.get('settings') as ScheduleDesignerSettings | undefined;
      const specText = JSON.stringify(this.settings.spec);
      if (previous === undefined || JSON.stringify(previous.spec) !== specText) {
        // Keep the user's own JSON text (formatting, half-typed edits) when it is the source.
        if (specText !== this.#specFromJson) this.jsonText = JSON.stringify(this.settings.spec, null, 2);
      }
      this.#evaluate();
    }
  }

  /** The spec (as JSON text) last read from the JSON field. */
  #specFromJson = '';

  #evaluate(): void {
    try {
      this.#schedule = this.registry.create(this.settings.spec);
      this.#rates = sampleSchedule(this.#schedule, this.settings.steps);
      this.#specError = '';
    } catch (error) {
      this.#schedule = undefined;
      this.#rates = [];
      this.#specError = errorMessage(error);
    }
  }

  #update(changes: Partial<ScheduleDesignerSettings>): void {
    this.settings = { ...this.settings, ...changes };
    this.dispatchEvent(new CustomEvent('settings-change', { detail: this.settings, bubbles: true }));
  }

  #onJsonInput(text: string): void {
    this.jsonText = text;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.jsonError = `Not valid JSON: ${errorMessage(error)}`;
      return;
    }
    if (
      typeof value !== 'object' ||
      value === null ||
      Array.isArray(value) ||
      typeof (value as { type?: unknown }).type !== 'string'
    ) {
      this.jsonError =
        'A schedule spec is a JSON object with a "type", e.g. {"type": "cosine", "lr": 0.1, "tMax": 100}';
      return;
    }
    this.jsonError = '';
    this.#specFromJson = JSON.stringify(value);
    this.#update({ spec: value as Record<string, unknown> });
  }

  async #import(file: File | undefined): Promise<void> {
    if (!file) return;
    if (file.size > 1_000_000) {
      this.jsonError = `${file.name}: a schedule spec is at most 1 MB; got ${file.size} bytes`;
      return;
    }
    this.#onJsonInput(await file.text());
  }

  #export(): void {
    const spec = this.#schedule?.spec ?? this.settings.spec;
    downloadFile(
      `schedule-${String(spec.type).replace(/[^A-Za-z0-9_-]/g, '-')}.json`,
      `${JSON.stringify(spec, null, 2)}\n`,
      'application/json',
    );
  }

  #chartSpec() {
    const schedule = this.#schedule;
    if (!schedule) return undefined;
    return scheduleChartSpec([{ label: schedule.type, rates: this.#rates }], {
      unit: schedule.unit,
      logScale: this.settings.logScale,
      title: `${schedule.type}: learning rate per ${schedule.unit}`,
      width: 560,
      height: 280,
    });
  }

  /** The Sweep lab's run length beside the plot, and a button to plot exactly that many steps. */
  #sweepNote() {
    const sweep = this.sweepLength;
    if (!sweep) return nothing;
    const same = sweep.totalSteps === this.settings.steps;
    return html`<p class="legend-note" id="schedule-sweep-steps">
      The Sweep lab's runs train ${sweep.totalSteps} steps each (${sweep.stepsPerEpoch} per epoch × ${sweep.epochs}
      ${sweep.epochs === 1 ? 'epoch' : 'epochs'}): "Use in the Sweep lab" drives t = 0…${sweep.totalSteps - 1} with this
      schedule${
        same
          ? ', the steps plotted here.'
          : html`; this plot shows ${this.settings.steps}.
            <button type="button" id="schedule-plot-sweep" @click=${() => this.#update({ steps: sweep.totalSteps })}>
              Plot the Sweep lab's ${sweep.totalSteps} steps
            </button>`
      }
    </p>`;
  }

  protected override render() {
    const schedule = this.#schedule;
    const rates = this.#rates;
    const finite = rates.filter(Number.isFinite);
    const cli = schedule
      ? `contour schedule '${JSON.stringify(schedule.spec)}' --steps ${this.settings.steps}`
      : '';
    const tableRows =
      rates.length <= 12
        ? rates.map((_, t) => t)
        : [
            0,
            1,
            2,
            ...[0.25, 0.5, 0.75].map((share) => Math.round(share * (rates.length - 1))),
            rates.length - 1,
          ];
    return html`<section class="panel-grid" aria-labelledby="schedule-heading">
      <div class="panel-column">
        <h2 id="schedule-heading">Schedule designer</h2>
        <p class="lede">
          Compose a learning-rate schedule: pick a type, fill its parameters (members of <code>warmup</code>,
          <code>sequential</code> and <code>chain</code> inherit <code>lr</code> when left empty), or edit the JSON.
          The plot updates as you type.
        </p>
        <schedule-editor
          .registry=${this.registry}
          .spec=${this.settings.spec}
          .steps=${this.settings.steps}
          @spec-change=${(event: CustomEvent<Record<string, unknown>>) => this.#update({ spec: event.detail })}
        ></schedule-editor>
        <div class="field">
          <label for="schedule-json">Spec JSON (what <code>contour schedule</code> accepts)</label>
          <textarea
            id="schedule-json"
            rows="10"
            spellcheck="false"
            aria-invalid=${this.jsonError ? 'true' : 'false'}
            aria-describedby="schedule-json-error"
            .value=${this.jsonText}
            @input=${(event: Event) => this.#onJsonInput((event.target as HTMLTextAreaElement).value)}
          ></textarea>
          <p id="schedule-json-error" class="error" role="alert">${this.jsonError}</p>
        </div>
        <div class="button-row">
          <label class="button" for="schedule-import">Import JSON…</label>
          <input
            id="schedule-import"
            class="visually-hidden"
            type="file"
            accept=".json,application/json"
            @change=${(event: Event) => this.#import((event.target as HTMLInputElement).files?.[0])}
          />
          <button
            type="button"
            id="schedule-use"
            ?disabled=${!schedule || this.jsonError !== ''}
            @click=${() =>
              this.dispatchEvent(
                new CustomEvent('use-schedule', { detail: this.settings.spec, bubbles: true }),
              )}
          >
            Use in the Sweep lab
          </button>
          <button type="button" ?disabled=${!schedule || this.jsonError !== ''} title=${this.jsonError ? 'Fix the JSON first: the export would be the last valid schedule' : ''} @click=${() => this.#export()}>Export JSON</button>
        </div>
      </div>
      <div class="panel-column results">
        <div class="controls-row">
          <div class="field">
            <label for="schedule-steps">Steps to plot</label>
            <input
              id="schedule-steps"
              type="number"
              min="1"
              max=${maximumSteps}
              .value=${String(this.settings.steps)}
              @input=${(event: Event) => {
                const steps = Number((event.target as HTMLInputElement).value);
                if (Number.isInteger(steps) && steps >= 1 && steps <= maximumSteps) this.#update({ steps });
              }}
            />
          </div>
          <div class="field field-inline">
            <input
              id="schedule-log"
              type="checkbox"
              .checked=${this.settings.logScale}
              @change=${(event: Event) => this.#update({ logScale: (event.target as HTMLInputElement).checked })}
            />
            <label for="schedule-log">Log-scaled rate axis</label>
          </div>
        </div>
        ${this.#sweepNote()}
        <p id="schedule-status" class=${this.#specError ? 'error' : 'status'} role="status">
          ${
            this.#specError
              ? this.#specError
              : schedule
                ? `${schedule.type}: ${rates.length} ${schedule.unit}s, from ${rates[0]?.toPrecision(4)} to ${rates.at(-1)?.toPrecision(4)}, max ${Math.max(...finite).toPrecision(4)}${schedule.stateful ? ' (stateful: plotted without metrics, so the rate never drops)' : ''}`
                : ''
          }
        </p>
        ${
          this.jsonError && schedule
            ? html`<p class="notice" id="schedule-stale">
                Stale: the JSON box has an error, so the plot, the values and the CLI line below still show the last
                valid schedule. Fix the JSON to update them.
              </p>`
            : nothing
        }
        <contour-chart id="schedule-chart" class=${this.jsonError ? 'stale' : nothing} label="Learning rate per step of the designed schedule" .spec=${this.#chartSpec()}></contour-chart>
        ${
          schedule
            ? html`<details>
                <summary>Values</summary>
                <table class="data-table">
                  <thead><tr><th scope="col">t</th><th scope="col">learning rate</th></tr></thead>
                  <tbody>
                    ${tableRows.map((t) => html`<tr><td>${t}</td><td>${rates[t]?.toPrecision(6)}</td></tr>`)}
                  </tbody>
                </table>
              </details>
              <p class="cli-hint">CLI: <code>${cli}</code></p>`
            : nothing
        }
      </div>
    </section>`;
  }
}

customElements.define('schedule-designer', ScheduleDesigner);

declare global {
  interface HTMLElementTagNameMap {
    'schedule-designer': ScheduleDesigner;
  }
}
