import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { type DataKind, dataChoiceOf, dataSourceFields } from '../data/data-source-fields.js';
import { assignIdxFiles, type IdxAssignment } from '../data/idx-files.js';
import type { DataChoice, WorkerReply } from '../worker/protocol.js';
import {
  type BackendChoiceName,
  backendField,
  FieldDrafts,
  invalidFieldMessage,
  optimizerFields,
  parseInteger,
  parseModel,
  textField,
} from './form-fields.js';
import { LabRunController, type LabRunOptions } from './lab-run-controller.js';
import { LightElement } from './light-element.js';

/** The settings every training panel has (the sweep lab's and the range test's share these). */
export interface TrainingPanelSettings {
  readonly model: string;
  readonly optimizer: Record<string, unknown>;
  readonly batchSize: number;
  readonly trainLimit: number;
  readonly seed: number;
  readonly backend: BackendChoiceName;
}

/** What a training panel says about itself to the shared parts. */
export interface TrainingPanelOptions extends Omit<LabRunOptions, 'onReply'> {
  /** Prefix of the panel's element ids (`sweep`, `range`). */
  readonly idPrefix: string;
  /** Shortest time between two chart rebuilds while records stream in. */
  readonly chartMilliseconds: number;
}

/**
 * What the sweep lab and the range test share: their settings (changed through `changeSettings`,
 * announced with `settings-change`), the data choice, the worker and phase
 * ({@link LabRunController}), the typed text and invalid fields ({@link FieldDrafts}), and the
 * fields both forms have (data, model, optimizer, integers, backend). A panel adds its own fields,
 * what it sends the worker and what it does with the replies.
 */
export abstract class TrainingPanel<Settings extends TrainingPanelSettings> extends LightElement {
  static override properties: PropertyDeclarations = {
    settings: { attribute: false },
    dataKind: { state: true },
    userFiles: { state: true },
  };
  declare settings: Settings;
  declare dataKind: DataKind;
  declare userFiles: IdxAssignment<File> | undefined;
  /** Worker, phase, status, backend and data line. */
  readonly run: LabRunController;
  /** Typed text and invalid fields of the form. */
  protected readonly fields = new FieldDrafts(this);
  readonly #options: TrainingPanelOptions;
  #ownChange = false;
  #chartTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: TrainingPanelOptions) {
    super();
    this.#options = options;
    this.dataKind = 'embedded';
    this.run = new LabRunController(this, {
      ...options,
      onReply: (reply) => {
        // A spec error that names a setting is shown at its field too.
        if (reply.type === 'error') {
          if (reply.field !== undefined) this.fields.rejectSetting(reply.field, reply.message);
        } else this.onWorkerReply(reply);
      },
    });
  }

  /** The worker's replies other than status, backend, data and error. */
  protected abstract onWorkerReply(reply: WorkerReply): void;

  /** Sends the panel's work to the worker (every field valid, the data chosen). */
  protected abstract start(data: DataChoice): void;

  /** Rebuilds the panel's chart specs from what it has received so far. */
  protected abstract buildCharts(): void;

  /** The form's submit: starts unless busy, an invalid field or missing files say why not. */
  protected readonly onSubmit = (event: Event): void => {
    event.preventDefault();
    if (this.run.busy) return;
    const data = this.startingData();
    if (data) this.start(data);
  };

  /**
   * Rebuilds the charts at once (`now`), or at most once per `chartMilliseconds` while records
   * stream in, so a fast worker does not re-render Vega on every message.
   */
  protected redrawCharts(now = false): void {
    if (this.#chartTimer !== undefined && !now) return;
    clearTimeout(this.#chartTimer);
    this.#chartTimer = setTimeout(
      () => {
        this.#chartTimer = undefined;
        this.buildCharts();
        this.requestUpdate();
      },
      now ? 0 : this.#options.chartMilliseconds,
    );
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Settings replaced from outside (URL, storage, another panel): the fields show them.
    if (changed.has('settings') && !this.#ownChange) this.fields.clear();
    this.#ownChange = false;
  }

  /** Applies a change of settings and announces it (`settings-change`, for the URL and storage). */
  protected changeSettings(changes: Partial<Settings>): void {
    this.#ownChange = true;
    this.settings = { ...this.settings, ...changes };
    this.dispatchEvent(new CustomEvent('settings-change', { detail: this.settings, bubbles: true }));
  }

  /**
   * The data to send with a start, or undefined after showing why not: an invalid field (focused,
   * named in the error line) or missing IDX files.
   */
  startingData(): DataChoice | undefined {
    const invalid = invalidFieldMessage(this.fields, this);
    if (invalid) {
      this.run.fail(invalid);
      return undefined;
    }
    const data = dataChoiceOf(this.dataKind, this.userFiles);
    if (typeof data === 'string') {
      this.run.fail(data);
      return undefined;
    }
    return data;
  }

  /** An integer setting as a form field (≥ `minimum`). */
  protected integerField(
    key:
      | 'batchSize'
      | 'trainLimit'
      | 'seed'
      | { [K in keyof Settings]: Settings[K] extends number ? K : never }[keyof Settings],
    id: string,
    label: string,
    minimum: number,
    help: string,
  ): TemplateResult {
    return textField({
      drafts: this.fields,
      id,
      label,
      help,
      kind: 'number',
      setting: String(key),
      value: String(this.settings[key as keyof Settings]),
      parse: parseInteger(minimum),
      apply: (value) => this.changeSettings({ [key]: value } as Partial<Settings>),
    });
  }

  /** The data source (embedded sample or IDX files) and the subset size. */
  protected dataFields(options: {
    readonly embeddedLabel: string;
    readonly dropText: string;
    readonly showIgnored: boolean;
    readonly limitLabel: string;
    readonly limitHelp: string;
  }): TemplateResult {
    const prefix = this.#options.idPrefix;
    return html`${dataSourceFields({
      idPrefix: prefix === 'sweep' ? '' : `${prefix}-`,
      dataKind: this.dataKind,
      userFiles: this.userFiles,
      embeddedLabel: options.embeddedLabel,
      dropText: options.dropText,
      showIgnored: options.showIgnored,
      onKind: (kind) => {
        this.dataKind = kind;
      },
      onFiles: (list) => {
        if (!list || list.length === 0) return;
        this.userFiles = assignIdxFiles([...list]);
        this.dataKind = 'files';
      },
    })}
    ${this.integerField('trainLimit', `${prefix}-train-limit`, options.limitLabel, 1, options.limitHelp)}`;
  }

  /** The model and the optimizer (preset menu + JSON spec without its rate). */
  protected modelFields(labels: {
    readonly model: string;
    readonly preset: string;
    readonly json: string;
  }): TemplateResult {
    const prefix = this.#options.idPrefix;
    return html`${textField({
      drafts: this.fields,
      id: `${prefix}-model`,
      label: labels.model,
      setting: 'model',
      help: html`<code>linear</code> (softmax regression) or <code>mlp:128,64</code>`,
      value: this.settings.model,
      parse: parseModel,
      apply: (model) => this.changeSettings({ model } as Partial<Settings>),
    })}
    ${optimizerFields({
      drafts: this.fields,
      idPrefix: prefix,
      presetLabel: labels.preset,
      jsonLabel: labels.json,
      optimizer: this.settings.optimizer,
      apply: (optimizer) => this.changeSettings({ optimizer } as Partial<Settings>),
    })}`;
  }

  /** Batch size, seed and backend: the fields that close both forms' run settings. */
  protected batchSeedAndBackend(labels: {
    readonly batch: readonly [label: string, help: string];
    readonly seed: readonly [label: string, help: string];
    readonly backend: string;
  }): TemplateResult {
    const prefix = this.#options.idPrefix;
    return html`${this.integerField('batchSize', `${prefix}-batch`, labels.batch[0], 1, labels.batch[1])}
      ${this.integerField('seed', `${prefix}-seed`, labels.seed[0], 0, labels.seed[1])}
      ${backendField(`${prefix}-backend-choice`, labels.backend, this.settings.backend, (backend) =>
        this.changeSettings({ backend } as Partial<Settings>),
      )}`;
  }

  /** Start, Pause/Resume (when the work can pause) and Stop. */
  protected runButtons(labels: {
    readonly start: string;
    readonly stop: string;
    /** Status line while stopping. */
    readonly stopping: string;
    readonly pause: boolean;
  }): TemplateResult {
    const { run } = this;
    const busy = run.busy;
    return html`<div class="button-row">
      <button type="submit" class="primary" ?disabled=${busy}>${labels.start}</button>
      ${
        labels.pause
          ? html`<button type="button" ?disabled=${!busy || run.phase === 'stopping' || !run.pausable} title=${run.pausable || !busy ? '' : 'Pause needs cross-origin isolation (SharedArrayBuffer)'} @click=${() => run.togglePause()}>
              ${run.phase === 'paused' ? 'Resume' : 'Pause'}
            </button>`
          : nothing
      }
      <button type="button" ?disabled=${!busy || run.phase === 'stopping'} @click=${() => run.stop(labels.stopping)}>${labels.stop}</button>
    </div>
    <p class="status status-beside-start" aria-hidden="true">${busy || run.message !== 'Ready.' ? run.message : ''}</p>`;
  }
}
