/**
 * The shareable part of the app's state, carried in the URL's fragment
 * (`#panel=schedules&state=<base64url JSON>`): which panel is open and each panel's settings.
 * Fragments never reach the server. Decoding is defensive: anything malformed is dropped, never
 * thrown, and the panels validate their settings again through the packages when applying them.
 */

/** The app's panels, in tab order. */
export const panelNames = ['sweep', 'schedules', 'race', 'range-test', 'runs'] as const;
export type PanelName = (typeof panelNames)[number];

/** Settings of the schedule designer. */
export interface ScheduleDesignerSettings {
  readonly spec: Record<string, unknown>;
  readonly steps: number;
  readonly logScale: boolean;
}

/** Settings of the sweep lab (everything but the user's own files). */
export interface SweepSettings {
  /** `linear` or `mlp:<sizes>` (the CLI's model form). */
  readonly model: string;
  /** Optimizer spec without its rate (the rates come from `rates`), e.g. `{"type":"sgd","momentum":0.9}`. */
  readonly optimizer: Record<string, unknown>;
  /** Schedule applied to every rate (its `lr` is the trial's rate), or null for a constant rate. */
  readonly schedule: Record<string, unknown> | null;
  readonly rates: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  /** Training images used (before the validation split). */
  readonly trainLimit: number;
  readonly validation: number;
  readonly seed: number;
  readonly backend: 'auto' | 'webgl' | 'wasm' | 'cpu';
}

/** Settings of the range-test panel (everything but the user's own files). */
export interface RangeTestPanelSettings {
  /** `linear` or `mlp:<sizes>`. */
  readonly model: string;
  /** Optimizer spec without its rate (the test sweeps it), e.g. `{"type":"sgd","momentum":0.9}`. */
  readonly optimizer: Record<string, unknown>;
  readonly startLearningRate: number;
  readonly endLearningRate: number;
  /** Batches of the sweep (≥ 6). */
  readonly iterations: number;
  readonly batchSize: number;
  /** Training images used (before the validation split). */
  readonly trainLimit: number;
  readonly seed: number;
  readonly backend: 'auto' | 'webgl' | 'wasm' | 'cpu';
}

/** Settings of the optimizer race. */
export interface RaceSettings {
  readonly surface: string;
  readonly start: readonly [number, number] | null;
  readonly steps: number;
  /** Learning rates set per racer (by label), replacing the preset's; absent: the preset's. */
  readonly rates?: Readonly<Record<string, number>>;
}

/** Everything the URL can carry. */
export interface SharedState {
  readonly panel: PanelName;
  readonly schedule?: ScheduleDesignerSettings;
  readonly sweep?: SweepSettings;
  readonly race?: RaceSettings;
  readonly rangeTest?: RangeTestPanelSettings;
}

/** Version tag of the encoded state; bumped on incompatible changes. */
export const urlStateVersion = 1;
/** Longest `state` parameter accepted (characters), so a pasted URL cannot blow up memory. */
export const maximumEncodedLength = 16_384;

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(encoded: string): string {
  const base64 = encoded.replaceAll('-', '+').replaceAll('_', '/');
  const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
  const bytes = Uint8Array.from(binary, (character) => character.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);
const isPositiveInteger = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 1_000_000;

function readScheduleSettings(value: unknown): ScheduleDesignerSettings | undefined {
  if (!isRecord(value) || !isRecord(value.spec) || typeof value.spec.type !== 'string') return undefined;
  if (!isPositiveInteger(value.steps) || (value.steps as number) > 100_000) return undefined;
  return { spec: value.spec, steps: value.steps as number, logScale: value.logScale === true };
}

const backends = ['auto', 'webgl', 'wasm', 'cpu'] as const;

function readSweepSettings(value: unknown): SweepSettings | undefined {
  if (!isRecord(value)) return undefined;
  const { model, optimizer, schedule, rates, epochs, batchSize, trainLimit, validation, seed, backend } =
    value;
  if (typeof model !== 'string' || !isRecord(optimizer) || typeof optimizer.type !== 'string')
    return undefined;
  if (schedule !== null && !(isRecord(schedule) && typeof schedule.type === 'string')) return undefined;
  if (!Array.isArray(rates) || rates.length === 0 || rates.length > 64 || !rates.every(isFiniteNumber)) {
    return undefined;
  }
  if (![epochs, batchSize, trainLimit].every(isPositiveInteger)) return undefined;
  if (!isFiniteNumber(validation) || validation < 0 || validation >= 1) return undefined;
  if (!Number.isInteger(seed) || (seed as number) < 0) return undefined;
  if (!backends.includes(backend as (typeof backends)[number])) return undefined;
  return {
    model,
    optimizer,
    schedule: schedule as Record<string, unknown> | null,
    rates: rates as number[],
    epochs: epochs as number,
    batchSize: batchSize as number,
    trainLimit: trainLimit as number,
    validation,
    seed: seed as number,
    backend: backend as SweepSettings['backend'],
  };
}

function readRangeTestSettings(value: unknown): RangeTestPanelSettings | undefined {
  if (!isRecord(value)) return undefined;
  const {
    model,
    optimizer,
    startLearningRate,
    endLearningRate,
    iterations,
    batchSize,
    trainLimit,
    seed,
    backend,
  } = value;
  if (typeof model !== 'string' || !isRecord(optimizer) || typeof optimizer.type !== 'string')
    return undefined;
  if (!isFiniteNumber(startLearningRate) || !isFiniteNumber(endLearningRate)) return undefined;
  if (!(startLearningRate > 0 && endLearningRate > startLearningRate)) return undefined;
  if (![iterations, batchSize, trainLimit].every(isPositiveInteger)) return undefined;
  if (!Number.isInteger(seed) || (seed as number) < 0) return undefined;
  if (!backends.includes(backend as (typeof backends)[number])) return undefined;
  return {
    model,
    optimizer,
    startLearningRate,
    endLearningRate,
    iterations: iterations as number,
    batchSize: batchSize as number,
    trainLimit: trainLimit as number,
    seed: seed as number,
    backend: backend as RangeTestPanelSettings['backend'],
  };
}

function readRaceSettings(value: unknown): RaceSettings | undefined {
  if (!isRecord(value) || typeof value.surface !== 'string' || !isPositiveInteger(value.steps))
    return undefined;
  const start = value.start;
  const validStart =
    start === null || (Array.isArray(start) && start.length === 2 && start.every(isFiniteNumber));
  if (!validStart || (value.steps as number) > 100_000) return undefined;
  const rates = value.rates;
  const validRates =
    rates === undefined ||
    (isRecord(rates) &&
      Object.values(rates).every((rate) => isFiniteNumber(rate) && rate > 0) &&
      Object.keys(rates).length <= 32);
  if (!validRates) return undefined;
  return {
    surface: value.surface,
    start: start === null ? null : [start[0] as number, start[1] as number],
    steps: value.steps as number,
    ...(rates === undefined ? {} : { rates: rates as Record<string, number> }),
  };
}

/** Encodes the state as a URL fragment (without the leading `#`). */
export function encodeSharedState(state: SharedState): string {
  const { panel, ...settings } = state;
  const parameters = new URLSearchParams({ panel });
  if (Object.keys(settings).length > 0) {
    parameters.set('state', toBase64Url(JSON.stringify({ v: urlStateVersion, ...settings })));
  }
  return parameters.toString();
}

/**
 * Decodes a URL fragment (with or without `#`). Returns `undefined` when it names no known panel;
 * settings that are malformed, of another version or too long are left out.
 */
export function decodeSharedState(fragment: string): SharedState | undefined {
  const parameters = new URLSearchParams(fragment.startsWith('#') ? fragment.slice(1) : fragment);
  const panel = parameters.get('panel');
  if (!panelNames.includes(panel as PanelName)) return undefined;
  const encoded = parameters.get('state');
  if (encoded === null || encoded.length > maximumEncodedLength) return { panel: panel as PanelName };
  let settings: unknown;
  try {
    settings = JSON.parse(fromBase64Url(encoded));
  } catch {
    return { panel: panel as PanelName };
  }
  if (!isRecord(settings) || settings.v !== urlStateVersion) return { panel: panel as PanelName };
  const schedule = readScheduleSettings(settings.schedule);
  const sweep = readSweepSettings(settings.sweep);
  const race = readRaceSettings(settings.race);
  const rangeTest = readRangeTestSettings(settings.rangeTest);
  return {
    panel: panel as PanelName,
    ...(schedule ? { schedule } : {}),
    ...(sweep ? { sweep } : {}),
    ...(race ? { race } : {}),
    ...(rangeTest ? { rangeTest } : {}),
  };
}
