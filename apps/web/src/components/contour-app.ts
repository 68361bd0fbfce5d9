import { html, type TemplateResult } from 'lit';
import { defaultRaceSettings } from '../panels/optimizer-race.js';
import {
  defaultRangeTestPanelSettings,
  type RangeTestSuggestionDetail,
  type UseLearningRateDetail,
} from '../panels/range-test-panel.js';
import { defaultScheduleSettings } from '../panels/schedule-designer.js';
import { defaultSweepSettings } from '../panels/sweep-lab.js';
import { sweepStepCount } from '../panels/sweep-steps.js';
import { AppStore } from '../state/app-store.js';
import { RunLibrary } from '../state/run-library.js';
import {
  decodeSharedState,
  encodeSharedState,
  type PanelName,
  panelNames,
  type SharedState,
} from '../state/url-state.js';
import { LightElement } from './light-element.js';
import '../panels/runs-panel.js';

const panelTitles: Readonly<Record<PanelName, string>> = {
  sweep: 'Sweep lab',
  schedules: 'Schedule designer',
  race: 'Optimizer race',
  'range-test': 'Range test',
  runs: 'Runs',
};

/**
 * `<contour-app>`: the shell. Tabs for the panels (all stay mounted, so a sweep keeps running
 * while another tab is open), the shareable state in the URL fragment, and the last state of every
 * panel saved to IndexedDB so a reload brings it back (the URL wins when it carries settings).
 */
export class ContourApp extends LightElement {
  static override properties = {
    state: { state: true },
    storageNotice: { state: true },
    rangeTestSuggestion: { state: true },
  };
  declare state: SharedState;
  declare storageNotice: string;
  /** The last range test's auto rate and its bracket, for the Sweep lab (this session only). */
  declare rangeTestSuggestion: RangeTestSuggestionDetail | undefined;
  readonly library = new RunLibrary();
  #store: AppStore | undefined;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.state = decodeSharedState(location.hash) ?? { panel: 'sweep' };
    this.storageNotice = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#restore();
    addEventListener('hashchange', this.#onHashChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.#onHashChange);
  }

  readonly #onHashChange = () => {
    const decoded = decodeSharedState(location.hash);
    if (decoded && encodeSharedState(decoded) !== encodeSharedState(this.state))
      this.state = { ...this.state, ...decoded };
  };

  async #restore(): Promise<void> {
    try {
      this.#store = await AppStore.open();
      await this.library.attach(this.#store);
      const fromUrl = decodeSharedState(location.hash);
      const saved = await this.#store.loadSettings();
      if (saved) {
        const carriesSettings = fromUrl !== undefined && Object.keys(fromUrl).length > 1;
        this.state = carriesSettings ? { ...saved, ...fromUrl } : { ...saved, ...(fromUrl ?? {}) };
      }
    } catch (error) {
      this.storageNotice = `Runs and settings will not survive a reload: IndexedDB is unavailable (${error instanceof Error ? error.message : String(error)}).`;
    }
    document.documentElement.dataset.ready = 'true';
  }

  #setState(state: SharedState): void {
    this.state = state;
    history.replaceState(null, '', `#${encodeSharedState(state)}`);
    clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(
      () => void this.#store?.saveSettings(this.state).catch(() => undefined),
      300,
    );
  }

  /** The range test's "use in the Sweep lab": one run at that rate, with the model and optimizer tested. */
  #useLearningRate(detail: UseLearningRateDetail): void {
    const sweep = this.state.sweep ?? defaultSweepSettings;
    this.#setState({
      ...this.state,
      panel: 'sweep',
      sweep: { ...sweep, model: detail.model, optimizer: detail.optimizer, rates: [detail.learningRate] },
    });
  }

  /** The designer's "Use in the Sweep lab": its schedule drives every run's rate (its lr is each run's rate). */
  #useSchedule(spec: Record<string, unknown>): void {
    const sweep = this.state.sweep ?? defaultSweepSettings;
    this.#setState({ ...this.state, panel: 'sweep', sweep: { ...sweep, schedule: spec } });
  }

  #select(panel: PanelName, focus = false): void {
    this.#setState({ ...this.state, panel });
    if (focus) void this.updateComplete.then(() => this.querySelector<HTMLElement>(`#tab-${panel}`)?.focus());
  }

  #onTabKey(event: KeyboardEvent): void {
    const index = panelNames.indexOf(this.state.panel);
    const moves: Record<string, number> = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: panelNames.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const panel = panelNames[(target + panelNames.length) % panelNames.length] as PanelName;
    this.#select(panel, true);
  }

  #panel(name: PanelName, content: TemplateResult): TemplateResult {
    return html`<div
      id=${`panel-${name}`}
      role="tabpanel"
      aria-labelledby=${`tab-${name}`}
      tabindex="0"
      ?hidden=${this.state.panel !== name}
    >
      ${content}
    </div>`;
  }

  protected override render() {
    const { panel } = this.state;
    return html`<header class="app-header">
        <div class="brand">
          <h1>Contour</h1>
          <p>the learning-rate lab · same training core as the <code>contour</code> CLI</p>
        </div>
        <nav aria-label="Panels">
          <div role="tablist" aria-label="Contour panels" @keydown=${(event: KeyboardEvent) => this.#onTabKey(event)}>
            ${panelNames.map(
              (name) => html`<button
                type="button"
                role="tab"
                id=${`tab-${name}`}
                aria-controls=${`panel-${name}`}
                aria-selected=${name === panel ? 'true' : 'false'}
                tabindex=${name === panel ? '0' : '-1'}
                @click=${() => this.#select(name)}
              >
                ${panelTitles[name]}
              </button>`,
            )}
          </div>
        </nav>
      </header>
      ${this.storageNotice ? html`<p class="notice" role="status">${this.storageNotice}</p>` : ''}
      <main>
        ${this.#panel(
          'sweep',
          html`<sweep-lab
            .library=${this.library}
            .designerSchedule=${this.state.schedule?.spec}
            .rangeTestSuggestion=${this.rangeTestSuggestion}
            .settings=${this.state.sweep ?? defaultSweepSettings}
            @settings-change=${(event: CustomEvent) => this.#setState({ ...this.state, sweep: event.detail })}
          ></sweep-lab>`,
        )}
        ${this.#panel(
          'schedules',
          html`<schedule-designer
            .settings=${this.state.schedule ?? defaultScheduleSettings}
            .sweepLength=${{ ...sweepStepCount(this.state.sweep ?? defaultSweepSettings), epochs: (this.state.sweep ?? defaultSweepSettings).epochs }}
            @settings-change=${(event: CustomEvent) => this.#setState({ ...this.state, schedule: event.detail })}
            @use-schedule=${(event: CustomEvent<Record<string, unknown>>) => this.#useSchedule(event.detail)}
          ></schedule-designer>`,
        )}
        ${this.#panel(
          'race',
          html`<optimizer-race
            ?active=${panel === 'race'}
            .settings=${this.state.race ?? defaultRaceSettings}
            @settings-change=${(event: CustomEvent) => this.#setState({ ...this.state, race: event.detail })}
          ></optimizer-race>`,
        )}
        ${this.#panel(
          'range-test',
          html`<range-test-panel
            .settings=${this.state.rangeTest ?? defaultRangeTestPanelSettings}
            @settings-change=${(event: CustomEvent) => this.#setState({ ...this.state, rangeTest: event.detail })}
            @use-learning-rate=${(event: CustomEvent<UseLearningRateDetail>) => this.#useLearningRate(event.detail)}
            @range-test-suggestion=${(event: CustomEvent<RangeTestSuggestionDetail>) => {
              this.rangeTestSuggestion = event.detail;
            }}
          ></range-test-panel>`,
        )}
        ${this.#panel('runs', html`<runs-panel .library=${this.library}></runs-panel>`)}
      </main>
      <footer class="app-footer">
        <p>
          Training runs in a Web Worker on TensorFlow.js. Share this configuration: copy the address bar.
          ${crossOriginIsolated ? 'Cross-origin isolated: pausing a sweep is available.' : 'Not cross-origin isolated (no COOP/COEP headers): pausing a sweep is unavailable.'}
        </p>
      </footer>`;
  }
}

customElements.define('contour-app', ContourApp);
