import { html, type PropertyValues } from 'lit';
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

/** `<contour-chart>`: renders its `spec` property; `view` is the live Vega view (tests read its data). */
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
    return html`<figure class="chart" role="img" aria-label=${this.label}><div class="chart-canvas"></div></figure>`;
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
