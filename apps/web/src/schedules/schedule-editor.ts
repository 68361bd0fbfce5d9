import type { ParameterDescriptor, ScheduleRegistry } from '@contour/schedules';
import { html, nothing, type TemplateResult } from 'lit';
import { LightElement } from '../components/light-element.js';
import { scheduleTemplate, templateSteps } from './schedule-templates.js';

type Spec = Record<string, unknown>;
let nextEditorId = 0;

/** Text of a parameter value in a form field. */
export function formatParameter(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => String(item)).join(', ');
  return String(value);
}

/**
 * Reads a form field: '' omits the parameter; numbers (and comma-separated number lists for list
 * parameters) become numbers; anything else is kept as typed so the registry's validation names
 * the field and what it allows.
 */
export function parseParameter(kind: ParameterDescriptor['kind'], text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (kind === 'number') {
    const value = Number(trimmed);
    return Number.isFinite(value) ? value : trimmed;
  }
  if (kind === 'numbers') {
    const parts = trimmed.split(/[\s,]+/).filter((part) => part !== '');
    const values = parts.map(Number);
    return values.every(Number.isFinite) ? values : trimmed;
  }
  return trimmed;
}

/**
 * The spec with `t` counted in `unit`, its members too: members must count like their parent, so
 * an exported spec (every member's `unit` written out) can switch between steps and epochs.
 */
export function withUnit(spec: Spec, unit: string): Spec {
  const member = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value) && 'unit' in value
      ? withUnit(value as Spec, unit)
      : memberOf(value);
  const memberOf = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value) ? withMembers(value as Spec) : value;
  const withMembers = (node: Spec): Spec => {
    const next: Spec = { ...node };
    if (next.schedule !== undefined) next.schedule = member(next.schedule);
    if (Array.isArray(next.schedules)) next.schedules = next.schedules.map(member);
    return next;
  };
  return { ...withMembers(spec), unit };
}

/** A spec for a new combinator member: the type's template without its rate (members inherit it). */
function memberTemplate(type: string, steps: number): Spec {
  const { lr: _lr, ...rest } = scheduleTemplate(type, steps);
  return rest;
}

/**
 * `<schedule-editor>`: a form for one schedule spec, generated from the registry's parameter
 * descriptors. Combinator members (`schedule`, `schedules`) get nested editors, so any composition
 * can be built. Emits `spec-change` with the new spec on every edit.
 */
export class ScheduleEditor extends LightElement {
  static override properties = {
    spec: { attribute: false },
    registry: { attribute: false },
    member: { type: Boolean },
    heading: { type: String },
    steps: { type: Number },
  };
  declare spec: Spec;
  declare registry: ScheduleRegistry;
  /** True for members of combinators: their `lr` may be left empty (inherited). */
  declare member: boolean;
  declare heading: string;
  /** Steps the designer plots: a type picked here starts from its template rescaled to them. */
  declare steps: number;
  /** Text typed into fields, kept while it still parses to the spec's value (e.g. `0.`). */
  readonly #drafts = new Map<string, string>();
  readonly #id = `schedule-editor-${nextEditorId++}`;

  constructor() {
    super();
    this.spec = { type: 'constant', lr: 0.1 };
    this.member = false;
    this.heading = 'Schedule';
    this.steps = templateSteps;
  }

  #emit(spec: Spec): void {
    this.spec = spec;
    this.dispatchEvent(new CustomEvent('spec-change', { detail: spec, bubbles: false }));
  }

  #set(name: string, value: unknown): void {
    const next: Spec = { ...this.spec };
    if (value === undefined) delete next[name];
    else next[name] = value;
    this.#emit(next);
  }

  #changeType(type: string): void {
    this.#drafts.clear();
    const next = this.member ? memberTemplate(type, this.steps) : scheduleTemplate(type, this.steps);
    if (!this.member && this.spec.unit !== undefined) next.unit = this.spec.unit;
    this.#emit(next);
  }

  #text(name: string): string {
    const draft = this.#drafts.get(name);
    const kind = this.#descriptor(name)?.kind ?? 'string';
    if (
      draft !== undefined &&
      JSON.stringify(parseParameter(kind, draft)) === JSON.stringify(this.spec[name])
    ) {
      return draft;
    }
    return formatParameter(this.spec[name]);
  }

  #descriptor(name: string): ParameterDescriptor | undefined {
    if (!this.registry?.has(String(this.spec.type))) return undefined;
    return this.registry.definition(String(this.spec.type)).parameters[name];
  }

  #field(name: string, descriptor: ParameterDescriptor): TemplateResult {
    const id = `${this.#id}-${name}`;
    const hint =
      'default' in descriptor && descriptor.default !== undefined
        ? `default ${formatParameter(descriptor.default)}`
        : '';
    const label = html`<label for=${id}>${name}</label>`;
    const help = html`<small id=${`${id}-help`}>${descriptor.description}${hint ? ` (${hint})` : ''}</small>`;
    switch (descriptor.kind) {
      case 'boolean':
        return html`<div class="field field-inline">
          <input
            id=${id}
            type="checkbox"
            .checked=${(this.spec[name] ?? descriptor.default ?? false) === true}
            aria-describedby=${`${id}-help`}
            @change=${(event: Event) => this.#set(name, (event.target as HTMLInputElement).checked)}
          />${label}${help}
        </div>`;
      case 'choice':
        return html`<div class="field">
          ${label}
          <select
            id=${id}
            aria-describedby=${`${id}-help`}
            @change=${(event: Event) => this.#set(name, (event.target as HTMLSelectElement).value || undefined)}
          >
            <option value="" ?selected=${this.spec[name] === undefined}>
              ${descriptor.default === undefined ? '(choose)' : `(default: ${descriptor.default})`}
            </option>
            ${descriptor.choices.map(
              (choice) =>
                html`<option value=${choice} ?selected=${this.spec[name] === choice}>${choice}</option>`,
            )}
          </select>
          ${help}
        </div>`;
      case 'schedule': {
        const memberSpec = this.spec[name] as Spec | undefined;
        return html`<fieldset class="member">
          <legend>${name}</legend>
          ${help}
          ${
            memberSpec === undefined
              ? html`<button type="button" @click=${() => this.#set(name, memberTemplate('cosine', this.steps))}>Add ${name}</button>`
              : html`<schedule-editor
                    .registry=${this.registry}
                    .spec=${memberSpec}
                    .steps=${this.steps}
                    member
                    heading=${name}
                    @spec-change=${(event: CustomEvent<Spec>) => this.#set(name, event.detail)}
                  ></schedule-editor>
                  ${
                    descriptor.optional
                      ? html`<button type="button" @click=${() => this.#set(name, undefined)}>Remove ${name}</button>`
                      : nothing
                  }`
          }
        </fieldset>`;
      }
      case 'schedules': {
        const members = Array.isArray(this.spec[name]) ? (this.spec[name] as Spec[]) : [];
        const replace = (index: number, value: Spec | undefined) => {
          const next = members.flatMap((item, position) =>
            position === index ? (value === undefined ? [] : [value]) : [item],
          );
          this.#set(name, next);
        };
        return html`<fieldset class="member">
          <legend>${name}</legend>
          ${help}
          <ol class="members">
            ${members.map(
              (memberSpec, index) => html`<li>
                <schedule-editor
                  .registry=${this.registry}
                  .spec=${memberSpec}
                  .steps=${this.steps}
                  member
                  heading=${`${name}[${index}]`}
                  @spec-change=${(event: CustomEvent<Spec>) => replace(index, event.detail)}
                ></schedule-editor>
                <button type="button" @click=${() => replace(index, undefined)}>Remove ${name}[${index}]</button>
              </li>`,
            )}
          </ol>
          <button type="button" @click=${() => this.#set(name, [...members, memberTemplate('constant', this.steps)])}>
            Add a member to ${name}
          </button>
        </fieldset>`;
      }
      default:
        return html`<div class="field">
          ${label}
          <input
            id=${id}
            type="text"
            spellcheck="false"
            autocomplete="off"
            class=${descriptor.kind === 'string' ? 'wide' : ''}
            inputmode=${descriptor.kind === 'number' ? 'decimal' : 'text'}
            placeholder=${this.member && name === 'lr' ? 'inherited' : descriptor.optional ? 'optional' : ''}
            aria-describedby=${`${id}-help`}
            .value=${this.#text(name)}
            @input=${(event: Event) => {
              const text = (event.target as HTMLInputElement).value;
              this.#drafts.set(name, text);
              this.#set(name, parseParameter(descriptor.kind, text));
            }}
          />
          ${help}
        </div>`;
    }
  }

  protected override render() {
    const registry = this.registry;
    if (!registry) return nothing;
    const type = String(this.spec.type ?? '');
    const known = registry.has(type);
    const info = registry.list().find((entry) => entry.type === type);
    const parameters = known ? Object.entries(registry.definition(type).parameters) : [];
    return html`<div class="schedule-editor" role="group" aria-label=${this.heading}>
      <div class="field">
        <label for=${`${this.#id}-type`}>${this.member ? `${this.heading} type` : 'Schedule type'}</label>
        <select id=${`${this.#id}-type`} @change=${(event: Event) => this.#changeType((event.target as HTMLSelectElement).value)}>
          ${known ? nothing : html`<option value=${type} selected>${type || '(choose)'}</option>`}
          ${registry.types().map((name) => html`<option value=${name} ?selected=${name === type}>${name}</option>`)}
        </select>
        ${info ? html`<small>${info.description}${info.reference ? ` — ${info.reference}` : ''}</small>` : nothing}
      </div>
      ${
        this.member
          ? nothing
          : html`<div class="field">
              <label for=${`${this.#id}-unit`}>t counts</label>
              <select
                id=${`${this.#id}-unit`}
                @change=${(event: Event) => this.#emit(withUnit(this.spec, (event.target as HTMLSelectElement).value))}
              >
                <option value="step" ?selected=${this.spec.unit !== 'epoch'}>steps (batches)</option>
                <option value="epoch" ?selected=${this.spec.unit === 'epoch'}>epochs</option>
              </select>
            </div>`
      }
      <div class="parameters">${parameters.map(([name, descriptor]) => this.#field(name, descriptor))}</div>
    </div>`;
  }
}

customElements.define('schedule-editor', ScheduleEditor);

declare global {
  interface HTMLElementTagNameMap {
    'schedule-editor': ScheduleEditor;
  }
}
