import { surfaceNames } from '@contour/race';
import { html, nothing } from 'lit';
import type { View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import {
  FieldDrafts,
  type Parsed,
  parseInteger,
  parsePositiveNumber,
  textField,
} from '../components/form-fields.js';
import { LightElement } from '../components/light-element.js';
import '../components/vega-chart.js';
import type { VegaChart } from '../components/vega-chart.js';
import type { RaceSettings } from '../state/url-state.js';
import { LabWorker } from '../worker/lab-client.js';
import type { RaceSummary, WorkerReply } from '../worker/protocol.js';

/** Defaults: the classic race on Beale's function from its classic start, 300 steps. */
export const defaultRaceSettings: RaceSettings = { surface: 'beale', start: null, steps: 300 };

/** Frames per second of the animation and its length in seconds (at most). */
const animationSeconds = 5;

/** Most steps the panel races (the worker's race takes up to 100,000; the animation stays short). */
const maximumSteps = 5000;

/** Milliseconds to wait after an edit before racing (typing `300` races once, not at 3 and 30). */
const raceDelay = 200;

/** A finite number (a coordinate). */
function parseCoordinate(text: string): Parsed<number> {
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(value)
    ? { value }
    : { error: `must be a number; got ${text.trim() === '' ? 'nothing' : JSON.stringify(text.trim())}` };
}

/** `(4.5, 1)`: a point as the status line writes it. */
function formatPoint(point: readonly [number, number]): string {
  return `(${point.join(', ')})`;
}

/**
 * Adds the animation to `raceChartSpec`'s picture: a `frame` parameter, trajectories drawn up to
 * it and a dot at each racer's current point. The spec is otherwise the CLI's, unchanged.
 */
export function animatedRaceSpec(spec: Record<string, unknown>, steps: number): TopLevelSpec {
  const layers = [...((spec.layer as Array<Record<string, unknown>>) ?? [])];
  const trajectories = layers[1];
  if (trajectories) {
    layers[1] = { ...trajectories, transform: [{ filter: 'datum.step <= frame' }] };
    const encoding = trajectories.encoding as Record<string, unknown>;
    layers.push({
      data: trajectories.data,
      transform: [{ filter: 'datum.step == min(frame, maxStep)' }],
      mark: { type: 'point', filled: true, size: 90, stroke: 'white', strokeWidth: 1, clip: true },
      encoding: { x: encoding.x, y: encoding.y, color: { ...(encoding.color as object), legend: null } },
    });
  }
  return {
    ...spec,
    params: [
      { name: 'frame', value: steps },
      { name: 'maxStep', value: steps },
    ],
    layer: layers,
  } as unknown as TopLevelSpec;
}

/**
 * The optimizer race: the classic optimizers (the `classic-race` preset of @contour/core) on a 2-D
 * surface, drawn with the CLI's `raceChartSpec` (contour lines, trajectories, start, minima) and
 * animated step by step. Click the map (or type coordinates) to start from another point. The race
 * runs in a worker with the same optimizers as training.
 */
export class OptimizerRace extends LightElement {
  static override properties = {
    settings: { attribute: false },
    active: { type: Boolean },
    result: { state: true },
    busy: { state: true },
    errorText: { state: true },
    frame: { state: true },
    playing: { state: true },
  };
  declare settings: RaceSettings;
  /** True while the panel is shown: races run only then (the worker starts on first show). */
  declare active: boolean;
  declare result: RaceSummary | undefined;
  declare busy: boolean;
  declare errorText: string;
  declare frame: number;
  declare playing: boolean;
  #spec: TopLevelSpec | undefined;
  #worker: LabWorker | undefined;
  #animation: number | undefined;
  #requested = '';
  #raceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Races sent to the worker and not answered yet (only the last answer is shown). */
  #racesInFlight = 0;
  readonly #drafts = new FieldDrafts(this);

  constructor() {
    super();
    this.settings = defaultRaceSettings;
    this.active = false;
    this.busy = false;
    this.errorText = '';
    this.frame = 0;
    this.playing = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopAnimation();
    clearTimeout(this.#raceTimer);
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  protected override willUpdate(): void {
    // Race whenever the settings differ from the last race (first show, URL, edits, clicks).
    const key = JSON.stringify(this.settings);
    if (key !== this.#requested && this.active) {
      const first = this.#requested === '';
      this.#requested = key;
      this.busy = true;
      clearTimeout(this.#raceTimer);
      this.#raceTimer = first ? undefined : setTimeout(() => this.#race(), raceDelay);
      if (first) this.#race();
    }
  }

  #update(changes: Partial<RaceSettings>): void {
    this.settings = { ...this.settings, ...changes };
    this.dispatchEvent(new CustomEvent('settings-change', { detail: this.settings, bubbles: true }));
  }

  #race(): void {
    this.#raceTimer = undefined;
    this.#racesInFlight += 1;
    this.busy = true;
    this.errorText = '';
    this.#worker ??= new LabWorker((reply) => this.#onReply(reply), 'contour-race');
    this.#worker.send({
      type: 'race',
      surface: this.settings.surface,
      start: this.settings.start,
      steps: this.settings.steps,
      ...(this.settings.rates ? { rates: this.settings.rates } : {}),
    });
  }

  #onReply(reply: WorkerReply): void {
    if (reply.type === 'error' || reply.type === 'race-result') this.#racesInFlight -= 1;
    // A newer edit is waiting for its race: keep showing "Racing…" until that one comes back.
    if (this.#racesInFlight > 0 || this.#raceTimer !== undefined) return;
    if (reply.type === 'error') {
      this.busy = false;
      this.errorText = reply.message;
      return;
    }
    if (reply.type !== 'race-result') return;
    this.busy = false;
    this.result = reply.result;
    if (reply.result.requestedStart) {
      // The start lay off the map and the race started from the nearest point of its edge: the
      // fields and the URL take that point, so what is shown is what ran.
      this.#drafts.forget('race-start-x');
      this.#drafts.forget('race-start-y');
      const settings = { ...this.settings, start: reply.result.start };
      this.#requested = JSON.stringify(settings);
      this.#update(settings);
    }
    this.#spec = animatedRaceSpec(reply.spec, reply.result.steps);
    this.frame = 0;
    const chart = this.querySelector<VegaChart>('#race-chart');
    if (chart) chart.patch = (vegaSpec) => this.#addClickSignal(vegaSpec);
    this.requestUpdate();
  }

  /** Adds a Vega signal holding the data coordinates of the last click on the map. */
  #addClickSignal(vegaSpec: { signals?: unknown[] }): void {
    vegaSpec.signals = [
      ...(vegaSpec.signals ?? []),
      {
        name: 'picked',
        value: null,
        on: [{ events: 'click', update: "[invert('x', x()), invert('y', y())]" }],
      },
    ];
  }

  #onRendered(): void {
    const view = this.querySelector<VegaChart>('#race-chart')?.view;
    if (!view) return;
    view.addSignalListener('picked', (_name, value) => this.#pick(value as [number, number] | null));
    const reduceMotion = matchMedia('(prefers-reduced-motion: reduce)').matches;
    if (reduceMotion) void this.#showFrame(view, this.result?.steps ?? 0);
    else this.#play(view, 0);
  }

  #pick(point: [number, number] | null): void {
    const domain = this.result?.domain;
    if (!point || !domain || !point.every(Number.isFinite)) return;
    const [x, y] = point;
    if (x < domain.x[0] || x > domain.x[1] || y < domain.y[0] || y > domain.y[1]) return;
    this.#drafts.forget('race-start-x');
    this.#drafts.forget('race-start-y');
    this.#update({ start: [Number(x.toPrecision(4)), Number(y.toPrecision(4))] });
  }

  async #showFrame(view: View, frame: number): Promise<void> {
    this.frame = frame;
    view.signal('frame', frame);
    await view.runAsync();
  }

  #play(view: View, from: number): void {
    this.#stopAnimation();
    const steps = this.result?.steps ?? 0;
    const started = performance.now();
    this.playing = true;
    const tick = async (now: number) => {
      const frame = Math.min(steps, from + Math.round(((now - started) / 1000 / animationSeconds) * steps));
      await this.#showFrame(view, frame);
      if (frame < steps && this.playing) this.#animation = requestAnimationFrame(tick);
      else this.playing = false;
    };
    this.#animation = requestAnimationFrame(tick);
  }

  #stopAnimation(): void {
    if (this.#animation !== undefined) cancelAnimationFrame(this.#animation);
    this.#animation = undefined;
    this.playing = false;
  }

  #startField(axis: 0 | 1) {
    const name = axis === 0 ? 'x' : 'y';
    const start = this.settings.start ?? this.result?.start;
    const domain = this.result?.surface === this.settings.surface ? this.result.domain : undefined;
    const range = domain ? domain[name] : undefined;
    return textField({
      drafts: this.#drafts,
      id: `race-start-${name}`,
      label: `Start ${name}`,
      value: start ? String(start[axis]) : '',
      parse: parseCoordinate,
      apply: (value) => {
        const current = this.settings.start ?? this.result?.start ?? [0, 0];
        this.#update({ start: axis === 0 ? [value, current[1]] : [current[0], value] });
      },
      kind: 'decimal',
      ...(range ? { help: `map: ${range[0]} to ${range[1]}` } : {}),
    });
  }

  #resetStartAndRates(changes: Partial<RaceSettings>): void {
    for (const id of ['race-start-x', 'race-start-y']) this.#drafts.forget(id);
    for (const trajectory of this.result?.trajectories ?? [])
      this.#drafts.forget(this.#rateId(trajectory.label));
    const { rates: _rates, ...settings } = this.settings;
    this.settings = { ...settings, start: null, ...changes };
    this.dispatchEvent(new CustomEvent('settings-change', { detail: this.settings, bubbles: true }));
  }

  #rateId(label: string): string {
    return `race-rate-${label.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  }

  /** A racer's learning rate as an editable cell (its label is read by screen readers only). */
  #rateCell(label: string, learningRate: number) {
    const id = this.#rateId(label);
    const fieldLabel = `Learning rate of ${label}`;
    const error = this.#drafts.error(id);
    return html`<td>
      <label class="visually-hidden" for=${id}>${fieldLabel}</label>
      <input
        id=${id}
        class="rate-input"
        type="text"
        inputmode="decimal"
        spellcheck="false"
        .value=${this.#drafts.text(id, String(learningRate))}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${error ? `${id}-error` : nothing}
        @input=${(event: Event) =>
          this.#drafts.input(
            id,
            fieldLabel,
            (event.target as HTMLInputElement).value,
            parsePositiveNumber,
            (rate) => this.#update({ rates: { ...this.settings.rates, [label]: rate } }),
          )}
      />
      ${error ? html`<small class="field-error" id=${`${id}-error`}>${fieldLabel}: ${error}</small>` : nothing}
    </td>`;
  }

  protected override render() {
    const { settings, result } = this;
    const view = () => this.querySelector<VegaChart>('#race-chart')?.view;
    const invalid = this.#drafts.firstInvalid();
    return html`<section class="panel-grid" aria-labelledby="race-heading">
      <div class="panel-column">
        <h2 id="race-heading">Optimizer race</h2>
        <p class="lede">
          SGD, momentum, Nesterov, Adagrad, Adadelta, RMSprop and Adam from one start point on a 2-D surface, with
          the same update rules as training, each at the learning rate in the table (edit one to race again). Click the map
          or type a start to start somewhere else.
        </p>
        <div class="field">
          <label for="race-surface">Surface</label>
          <select id="race-surface" @change=${(event: Event) => this.#resetStartAndRates({ surface: (event.target as HTMLSelectElement).value })}>
            ${surfaceNames.map((name) => html`<option value=${name} ?selected=${name === settings.surface}>${name}</option>`)}
          </select>
          ${result ? html`<small>${result.formula}</small>` : nothing}
        </div>
        ${textField({
          drafts: this.#drafts,
          id: 'race-steps',
          label: 'Steps',
          value: String(settings.steps),
          parse: parseInteger(1, maximumSteps),
          apply: (steps) => this.#update({ steps }),
          kind: 'number',
        })}
        <div class="controls-row">${this.#startField(0)}${this.#startField(1)}</div>
        <div class="button-row">
          <button type="button" ?disabled=${settings.start === null} @click=${() => {
            this.#drafts.forget('race-start-x');
            this.#drafts.forget('race-start-y');
            this.#update({ start: null });
          }}>Classic start</button>
          <button type="button" ?disabled=${settings.rates === undefined} @click=${() => this.#resetStartAndRates({ start: settings.start })}>Preset rates</button>
          <button type="button" ?disabled=${!result} @click=${() => {
            const current = view();
            if (!current) return;
            if (this.playing) this.#stopAnimation();
            else this.#play(current, this.frame >= (result?.steps ?? 0) ? 0 : this.frame);
          }}>${this.playing ? 'Pause animation' : 'Play animation'}</button>
        </div>
        <div class="field">
          <label for="race-frame">Step shown</label>
          <input id="race-frame" type="range" min="0" max=${result?.steps ?? 0} .value=${String(this.frame)} @input=${(
            event: Event,
          ) => {
            const current = view();
            this.#stopAnimation();
            if (current) void this.#showFrame(current, Number((event.target as HTMLInputElement).value));
          }} />
          <small>${this.frame} / ${result?.steps ?? 0}</small>
        </div>
        <p class="error" role="alert" id="race-error">${this.errorText}</p>
        ${
          result?.requestedStart
            ? html`<p class="notice" id="race-notice" role="status">
                Start ${formatPoint(result.requestedStart)} is outside the map of ${result.surface} (x from
                ${result.domain.x[0]} to ${result.domain.x[1]}, y from ${result.domain.y[0]} to ${result.domain.y[1]}):
                the race starts from ${formatPoint(result.start)}, the nearest point on its edge.
              </p>`
            : nothing
        }
      </div>
      <div class="panel-column">
        <p class="status" role="status" id="race-status" data-busy=${this.busy ? 'true' : 'false'}>
          ${this.busy ? 'Racing…' : result ? `${result.surface} from (${result.start.join(', ')}), ${result.steps} steps` : ''}
        </p>
        ${
          invalid && result
            ? html`<p class="notice" id="race-stale">
                Stale: "${invalid.label}" has an error, so the map and the table still show the last valid race. Fix it to
                race again.
              </p>`
            : nothing
        }
        <contour-chart
          id="race-chart"
          class=${invalid ? 'race-canvas stale' : 'race-canvas'}
          label="Contour map of the surface with each optimizer's trajectory"
          .spec=${this.#spec}
          @chart-rendered=${() => this.#onRendered()}
        ></contour-chart>
        ${
          result
            ? html`<div class="table-scroll">
                <table class="data-table" id="race-results">
                  <caption>Each optimizer's learning rate (edit one to race again) and where it ended</caption>
                  <thead>
                    <tr><th scope="col">optimizer</th><th scope="col">learning rate</th><th scope="col">final f</th><th scope="col">distance to minimum</th><th scope="col">diverged at step</th></tr>
                  </thead>
                  <tbody>
                    ${result.trajectories.map(
                      (trajectory) => html`<tr>
                        <th scope="row">${trajectory.label}</th>
                        ${this.#rateCell(trajectory.label, trajectory.learningRate)}
                        <td>${Number.isFinite(trajectory.finalValue) ? trajectory.finalValue.toPrecision(4) : String(trajectory.finalValue)}</td>
                        <td>${trajectory.finalDistanceToMinimum === null ? '—' : trajectory.finalDistanceToMinimum.toPrecision(3)}</td>
                        <td>${trajectory.divergedAtStep ?? '—'}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
            : nothing
        }
      </div>
    </section>`;
  }
}

customElements.define('optimizer-race', OptimizerRace);
