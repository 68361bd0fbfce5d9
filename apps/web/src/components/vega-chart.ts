import { html, nothing, type PropertyValues } from 'lit';
import { parse, View } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { compile, type TopLevelSpec } from 'vega-lite';
import { LightElement } from './light-element.js';

/**
 * Compiles a Vega-Lite spec (the same specs the CLI renders to SVG/PNG) and renders it live as SVG.
 * Expressions run through `vega-interpreter` (`ast: true`), so no `eval`/`new Function` is needed
 * under the app's Content-Security-Policy. `patch` may add Vega signals (e.g. a click handler).
 */
export async function renderVegaLite(
  container: HTMLElement,
  spec: TopLevelSpec,
  patch?: (vegaSpec: ReturnType<typeof compile>['spec']) => void,
): Promise<View> {
  const vegaSpec = compile(spec).spec;
  patch?.(vegaSpec);
  const runtime = parse(vegaSpec, undefined, { ast: true });
  const view = new View(runtime, { expr: expressionInterpreter, renderer: 'svg', container, hover: true });
  await view.runAsync();
  return view;
}

/** Most rows a chart's data table lists (a per-step chart can hold thousands). */
export const maximumTableRows = 500;

/** Every inline data set of a Vega-Lite spec (top level, layers, concatenations), in order. */
export function inlineRows(spec: unknown): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const { data, layer, vconcat, hconcat, concat } = node as Record<string, unknown>;
    const values = (data as { values?: unknown } | undefined)?.values;
    if (Array.isArray(values))
      for (const row of values) if (row && typeof row === 'object') rows.push(row as Record<string, unknown>);
    for (const children of [layer, vconcat, hconcat, concat])
      if (Array.isArray(children)) children.forEach(visit);
  };
  visit(spec);
  return rows;
}

function cellText(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  if (value === null || value === undefined) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * `<contour-chart>`: renders its `spec` property; `view` is the live Vega view (tests read its
 * data). The SVG is labelled with `label`, and a collapsed "Data of this chart" table (built only
 * when opened) is the chart's text alternative.
 */
export class VegaChart extends LightElement {
  static override properties = {
    spec: { attribute: false },
    label: { type: String },
  };
  declare spec: TopLevelSpec | undefined;
  declare label: string;
  /** The Vega view of the last rendered spec. */
  view: View | undefined;
  /** Optional patch of the compiled Vega spec, applied before parsing. */
  patch: ((vegaSpec: ReturnType<typeof compile>['spec']) => void) | undefined;
  #rendering: Promise<void> = Promise.resolve();

  constructor() {
    super();
    this.label = 'chart';
  }

  protected override render() {
    return html`<figure class="chart">
      <div class="chart-canvas" role="img" aria-label=${this.label}></div>
      ${
        this.spec
          ? html`<details class="chart-data" @toggle=${() => this.requestUpdate()}>
              <summary>Data of this chart</summary>
              ${this.#table()}
            </details>`
          : nothing
      }
    </figure>`;
  }

  /** The chart's data as a table, when its details are open. */
  #table() {
    const details = this.querySelector<HTMLDetailsElement>('details.chart-data');
    if (!details?.open) return nothing;
    const rows = inlineRows(this.spec);
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    const shown = rows.slice(0, maximumTableRows);
    return html`<div class="table-scroll">
      <table class="data-table">
        <caption>${this.label}${rows.length > shown.length ? ` (first ${shown.length} of ${rows.length} rows)` : ''}</caption>
        <thead><tr>${columns.map((column) => html`<th scope="col">${column}</th>`)}</tr></thead>
        <tbody>${shown.map((row) => html`<tr>${columns.map((column) => html`<td>${cellText(row[column])}</td>`)}</tr>`)}</tbody>
      </table>
    </div>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('spec')) this.#rendering = this.#rendering.then(() => this.#draw());
  }

  /** Resolves when the latest spec is drawn. */
  async drawn(): Promise<void> {
    await this.updateComplete;
    await this.#rendering;
  }

  async #draw(): Promise<void> {
    const container = this.querySelector<HTMLElement>('.chart-canvas');
    if (!container) return;
    this.view?.finalize();
    this.view = undefined;
    container.replaceChildren();
    if (!this.spec) return;
    this.view = await renderVegaLite(container, this.spec, this.patch);
    // The labelled container (role img) is the chart for assistive technology, with the data table
    // beside it; Vega's own ARIA tree (unnamed groups of marks) is hidden from it.
    container.querySelector('svg')?.setAttribute('aria-hidden', 'true');
    this.dispatchEvent(new CustomEvent('chart-rendered', { bubbles: true }));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.view?.finalize();
    this.view = undefined;
  }
}

customElements.define('contour-chart', VegaChart);

declare global {
  interface HTMLElementTagNameMap {
    'contour-chart': VegaChart;
  }
}
