import { surfaceNames } from '@contour/race';
import { html, nothing } from 'lit';
import type { View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
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
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  protected override willUpdate(): void {
    // Race whenever the settings differ from the last race (first show, URL, edits, clicks).
    const key = JSON.stringify(this.settings);
    if (key !== this.#requested && this.active) {
      this.#requested = key;
      this.#race();
    }
  }

  #update(changes: Partial<RaceSettings>): void {
    this.settings = { ...this.settings, ...changes };
    this.dispatchEvent(new CustomEvent('settings-change', { detail: this.settings, bubbles: true }));
  }

  #race(): void {
    this.busy = true;
    this.errorText = '';
    this.#worker ??= new LabWorker((reply) => this.#onReply(reply), 'contour-race');
    this.#worker.send({
      type: 'race',
      surface: this.settings.surface,
      start: this.settings.start,
      steps: this.settings.steps,
    });
  }

  #onReply(reply: WorkerReply): void {
    if (reply.type === 'error') {
      this.busy = false;
      this.errorText = reply.message;
      return;
    }
    if (reply.type !== 'race-result') return;
    this.busy = false;
    this.result = reply.result;
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
    return html`<div class="field">
      <label for=${`race-start-${name}`}>Start ${name}</label>
      <input
        id=${`race-start-${name}`}
        type="number"
        step="0.1"
        .value=${start ? String(start[axis]) : ''}
        @change=${(event: Event) => {
          const value = Number((event.target as HTMLInputElement).value);
          const current = this.settings.start ?? this.result?.start ?? [0, 0];
          if (!Number.isFinite(value)) return;
          const next: [number, number] = axis === 0 ? [value, current[1]] : [current[0], value];
          this.#update({ start: next });
        }}
      />
    </div>`;
  }

  protected override render() {
    const { settings, result } = this;
    const view = () => this.querySelector<VegaChart>('#race-chart')?.view;
    return html`<section class="panel-grid" aria-labelledby="race-heading">
      <div class="panel-column">
        <h2 id="race-heading">Optimizer race</h2>
        <p class="lede">
          SGD, momentum, Nesterov, Adagrad, Adadelta, RMSprop and Adam from one start point on a 2-D surface, with
          the same update rules as training. Click the map to start somewhere else.
        </p>
        <div class="field">
          <label for="race-surface">Surface</label>
          <select id="race-surface" @change=${(event: Event) => this.#update({ surface: (event.target as HTMLSelectElement).value, start: null })}>
            ${surfaceNames.map((name) => html`<option value=${name} ?selected=${name === settings.surface}>${name}</option>`)}
          </select>
          ${result ? html`<small>${result.formula}</small>` : nothing}
        </div>
        <div class="field">
          <label for="race-steps">Steps</label>
          <input id="race-steps" type="number" min="1" max="5000" .value=${String(settings.steps)} @change=${(
            event: Event,
          ) => {
            const steps = Number((event.target as HTMLInputElement).value);
            if (Number.isInteger(steps) && steps >= 1 && steps <= 5000) this.#update({ steps });
          }} />
        </div>
        <div class="controls-row">${this.#startField(0)}${this.#startField(1)}</div>
        <div class="button-row">
          <button type="button" ?disabled=${settings.start === null} @click=${() => this.#update({ start: null })}>Classic start</button>
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
      </div>
      <div class="panel-column">
        <p class="status" role="status" id="race-status" data-busy=${this.busy ? 'true' : 'false'}>
          ${this.busy ? 'Racing…' : result ? `${result.surface} from (${result.start.join(', ')}), ${result.steps} steps` : ''}
        </p>
        <contour-chart
          id="race-chart"
          class="race-canvas"
          label="Contour map of the surface with each optimizer's trajectory"
          .spec=${this.#spec}
          @chart-rendered=${() => this.#onRendered()}
        ></contour-chart>
        ${
          result
            ? html`<div class="table-scroll">
                <table class="data-table" id="race-results">
                  <caption class="visually-hidden">Where each optimizer ended</caption>
                  <thead>
                    <tr><th scope="col">optimizer</th><th scope="col">final f</th><th scope="col">distance to minimum</th><th scope="col">diverged at step</th></tr>
                  </thead>
                  <tbody>
                    ${result.trajectories.map(
                      (trajectory) => html`<tr>
                        <th scope="row">${trajectory.label}</th>
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
