import type { BackendSelection } from '@contour/backends';
import { createScheduleFromJson } from '@contour/schedules';
import {
  html,
  nothing,
  type ReactiveController,
  type ReactiveControllerHost,
  type TemplateResult,
} from 'lit';

/** A field's text read as a value, or a one-line message saying what the field allows. */
export type Parsed<T> = { readonly value: T } | { readonly error: string };

/** A field whose text does not parse: its element id, its label and what is wrong. */
export interface InvalidField {
  readonly id: string;
  readonly label: string;
  readonly message: string;
}

/**
 * The text typed into a form's fields and the fields that do not parse, as a Lit reactive
 * controller. A field keeps what was typed (`0.` while typing `0.05`, or broken JSON) instead of
 * snapping back to the last valid setting, and an invalid field is listed until it is fixed, so
 * Start can refuse with the field's name instead of running the last valid value.
 */
export class FieldDrafts implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #texts = new Map<string, string>();
  readonly #invalid = new Map<string, InvalidField>();
  readonly #bySetting = new Map<string, { readonly id: string; readonly label: string }>();

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {}

  /** What the field shows: the typed text, else the setting's own text. */
  text(id: string, setting: string): string {
    return this.#texts.get(id) ?? setting;
  }

  /** What is wrong with the field, if anything. */
  error(id: string): string | undefined {
    return this.#invalid.get(id)?.message;
  }

  /** Reads typed text: applies the value when it parses, else marks the field invalid. */
  input<T>(
    id: string,
    label: string,
    text: string,
    parse: (text: string) => Parsed<T>,
    apply: (value: T) => void,
  ): void {
    this.#texts.set(id, text);
    const parsed = parse(text);
    if ('error' in parsed) this.#invalid.set(id, { id, label, message: parsed.error });
    else {
      this.#invalid.delete(id);
      apply(parsed.value);
    }
    this.#host.requestUpdate();
  }

  /** Records which field shows a setting (done as the field renders). */
  describe(setting: string, id: string, label: string): void {
    this.#bySetting.set(setting, { id, label });
  }

  /**
   * Marks the field of a setting invalid from outside (the worker rejected the optimizer spec);
   * false when no field shows that setting.
   */
  rejectSetting(setting: string, message: string): boolean {
    const field = this.#bySetting.get(setting);
    if (!field) return false;
    this.#invalid.set(field.id, { ...field, message });
    this.#host.requestUpdate();
    return true;
  }

  /** Forgets one field's text and error (its setting was replaced, e.g. by a preset). */
  forget(id: string): void {
    this.#texts.delete(id);
    this.#invalid.delete(id);
    this.#host.requestUpdate();
  }

  /** Forgets every typed text (settings replaced from outside: URL, range test, storage). */
  clear(): void {
    this.#texts.clear();
    this.#invalid.clear();
    this.#host.requestUpdate();
  }

  /** The first invalid field in form order (the order the fields were marked), if any. */
  firstInvalid(): InvalidField | undefined {
    return this.#invalid.values().next().value;
  }
}

/**
 * Refuses to start while a field is invalid: focuses the field and returns a one-line message
 * naming it (`Fix "Schedule": …`), or returns undefined when every field parses.
 */
export function invalidFieldMessage(drafts: FieldDrafts, root: ParentNode): string | undefined {
  const invalid = drafts.firstInvalid();
  if (!invalid) return undefined;
  root.querySelector<HTMLElement>(`#${invalid.id}`)?.focus();
  return `Fix "${invalid.label}" before starting: ${invalid.message}`;
}

/** Options of {@link textField}. */
export interface TextFieldOptions<T> {
  readonly drafts: FieldDrafts;
  readonly id: string;
  readonly label: string;
  /** The setting the field edits (`batchSize`, `optimizer`…): worker errors naming it land here. */
  readonly setting?: string;
  /** The current setting as text (shown unless something else was typed). */
  readonly value: string;
  readonly parse: (text: string) => Parsed<T>;
  readonly apply: (value: T) => void;
  readonly help?: TemplateResult | string;
  readonly kind?: 'text' | 'number' | 'decimal' | 'json' | 'multiline';
  readonly disabled?: boolean;
}

/**
 * A labelled input whose text is parsed on every keystroke: a valid value is applied at once, an
 * invalid one is kept as typed and shown with an inline error naming the field (`aria-invalid`,
 * described by the error).
 */
export function textField<T>(options: TextFieldOptions<T>): TemplateResult {
  const { drafts, id, label, help } = options;
  if (options.setting) drafts.describe(options.setting, id, label);
  const text = drafts.text(id, options.value);
  const error = drafts.error(id);
  const describedBy = [help === undefined ? '' : `${id}-help`, error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  const onInput = (event: Event) =>
    drafts.input(id, label, (event.target as HTMLInputElement).value, options.parse, options.apply);
  const kind = options.kind ?? 'text';
  const control =
    kind === 'multiline'
      ? html`<textarea
          id=${id}
          rows="3"
          spellcheck="false"
          .value=${text}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${describedBy || nothing}
          @input=${onInput}
        ></textarea>`
      : html`<input
          id=${id}
          type=${kind === 'number' ? 'number' : 'text'}
          class=${kind === 'json' ? 'wide' : nothing}
          inputmode=${kind === 'decimal' ? 'decimal' : nothing}
          step=${kind === 'number' ? '1' : nothing}
          spellcheck="false"
          .value=${text}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${describedBy || nothing}
          ?disabled=${options.disabled ?? false}
          @input=${onInput}
        />`;
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${control}
    ${help === undefined ? nothing : html`<small id=${`${id}-help`}>${help}</small>`}
    ${error ? html`<small class="field-error" id=${`${id}-error`}>${label}: ${error}</small>` : nothing}
  </div>`;
}

/** An integer ≥ `minimum` (and ≤ `maximum` when given). */
export function parseInteger(minimum: number, maximum?: number): (text: string) => Parsed<number> {
  const allowed =
    maximum === undefined ? `an integer ≥ ${minimum}` : `an integer from ${minimum} to ${maximum}`;
  return (text) => {
    const value = Number(text.trim());
    return text.trim() !== '' &&
      Number.isInteger(value) &&
      value >= minimum &&
      (maximum === undefined || value <= maximum)
      ? { value }
      : { error: `must be ${allowed}; got ${text.trim() === '' ? 'nothing' : JSON.stringify(text.trim())}` };
  };
}

/** A finite number > 0 (a learning rate). */
export function parsePositiveNumber(text: string): Parsed<number> {
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(value) && value > 0
    ? { value }
    : {
        error: `must be a number > 0, e.g. 1e-5; got ${text.trim() === '' ? 'nothing' : JSON.stringify(text.trim())}`,
      };
}

/** A number in [0, 1) (a validation share). */
export function parseFraction(text: string): Parsed<number> {
  const value = Number(text.trim());
  return text.trim() !== '' && value >= 0 && value < 1
    ? { value }
    : {
        error: `must be a fraction in [0, 1), e.g. 0.2; got ${text.trim() === '' ? 'nothing' : JSON.stringify(text.trim())}`,
      };
}

/** `linear` or `mlp:<sizes>` (the CLI's model form); the worker checks the sizes in full. */
export function parseModel(text: string): Parsed<string> {
  const value = text.trim();
  return /^(linear|mlp:\s*\d+(\s*,\s*\d+)*)$/.test(value)
    ? { value }
    : { error: `must be linear or mlp:<sizes>, e.g. mlp:128,64; got ${JSON.stringify(value)}` };
}

function parseJsonObject(text: string): Parsed<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  return value && typeof value === 'object' && !Array.isArray(value)
    ? { value: value as Record<string, unknown> }
    : { error: 'must be a JSON object, e.g. {"type": "sgd"}' };
}

/**
 * An optimizer spec without its rate: a JSON object with a string `type`. Its fields are checked
 * by @contour/optimizers in the worker (kept off the main thread with tfjs), which names the field.
 */
export function parseOptimizerSpec(text: string): Parsed<Record<string, unknown>> {
  const parsed = parseJsonObject(text);
  if ('error' in parsed) return parsed;
  return typeof parsed.value.type === 'string'
    ? parsed
    : { error: 'needs a "type", e.g. {"type": "sgd", "momentum": 0.9}' };
}

/**
 * A schedule spec (its `lr` is each run's rate) or empty text for none (`null`): checked in full
 * with @contour/schedules, so the error names the schedule's own field.
 */
export function parseScheduleSpec(text: string): Parsed<Record<string, unknown> | null> {
  if (text.trim() === '') return { value: null };
  const parsed = parseJsonObject(text);
  if ('error' in parsed) return parsed;
  try {
    createScheduleFromJson({
      ...parsed.value,
      lr: typeof parsed.value.lr === 'number' ? parsed.value.lr : 0.1,
    });
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  return parsed;
}

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

/** Options of {@link optimizerFields}. */
export interface OptimizerFieldsOptions {
  readonly drafts: FieldDrafts;
  /** Ids: `${idPrefix}-optimizer` (presets) and `${idPrefix}-optimizer-json`. */
  readonly idPrefix: string;
  readonly presetLabel: string;
  readonly jsonLabel: string;
  readonly optimizer: Record<string, unknown>;
  readonly apply: (optimizer: Record<string, unknown>) => void;
}

/** A preset menu and the optimizer spec as JSON (without its rate), kept in step. */
export function optimizerFields(options: OptimizerFieldsOptions): TemplateResult {
  const { drafts, idPrefix } = options;
  const optimizerJson = JSON.stringify(options.optimizer);
  const presetIndex = optimizerPresets.findIndex((preset) => JSON.stringify(preset.spec) === optimizerJson);
  const jsonId = `${idPrefix}-optimizer-json`;
  return html`<div class="field">
      <label for=${`${idPrefix}-optimizer`}>${options.presetLabel}</label>
      <select id=${`${idPrefix}-optimizer`} @change=${(event: Event) => {
        const preset = optimizerPresets[Number((event.target as HTMLSelectElement).value)];
        if (preset) {
          drafts.forget(jsonId);
          options.apply(preset.spec);
        }
      }}>
        ${presetIndex < 0 ? html`<option selected value="-1">custom (JSON below)</option>` : nothing}
        ${optimizerPresets.map((preset, index) => html`<option value=${index} ?selected=${index === presetIndex}>${preset.label}</option>`)}
      </select>
    </div>
    ${textField({
      drafts,
      id: jsonId,
      label: options.jsonLabel,
      setting: 'optimizer',
      value: optimizerJson,
      parse: parseOptimizerSpec,
      apply: options.apply,
      kind: 'json',
    })}`;
}

/** The compute backends a panel offers. */
export const backendChoices = ['auto', 'webgl', 'wasm', 'cpu'] as const;
export type BackendChoiceName = (typeof backendChoices)[number];

/** A labelled backend menu. */
export function backendField(
  id: string,
  label: string,
  value: BackendChoiceName,
  apply: (backend: BackendChoiceName) => void,
): TemplateResult {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <select id=${id} @change=${(event: Event) => apply((event.target as HTMLSelectElement).value as BackendChoiceName)}>
      ${backendChoices.map((name) => html`<option value=${name} ?selected=${value === name}>${name}</option>`)}
    </select>
  </div>`;
}

/** The backend `selectBackend` chose, any fallback and why each failed attempt was refused. */
export function backendStatus(id: string, backend: BackendSelection | undefined, before: string | undefined) {
  if (!backend) return before === undefined ? nothing : html`<p class="status" id=${id}>${before}</p>`;
  const failed = backend.attempts.filter((attempt) => !attempt.usable);
  return html`<div id=${id}>
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
