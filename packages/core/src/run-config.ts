import { CoreSpecError } from './core-spec-error.js';
import { type DataConfig, resolveDataConfig } from './data-config.js';
import { resolveTrainingConfig, type TrainingConfig } from './training/training-config.js';

/** Backends a run can ask for. */
export type BackendChoice = 'auto' | 'cpu' | 'wasm' | 'node' | 'webgl';

/** A whole run: data, training and backend — what `config.json` holds (plus versions). */
export interface RunConfig {
  readonly data: DataConfig;
  readonly training: TrainingConfig;
  readonly backend: BackendChoice;
  /**
   * Schedule plugin modules the optimizer's schedule needs (absolute `file:` URLs or package
   * names), present only when there are some. Whoever builds the run — a worker process, a queue
   * worker, a resume — imports and registers them first (`@contour/runs`' `loadSchedulePlugins`);
   * resolving a config checks the schedule with the plugins already registered in this program.
   */
  readonly schedulePlugins?: readonly string[];
}

const backendChoices: readonly BackendChoice[] = ['auto', 'cpu', 'wasm', 'node', 'webgl'];

/** Validates a JSON run config and fills defaults; throws CoreSpecError naming the field. */
export function resolveRunConfig(
  input: { data?: Partial<DataConfig>; training?: object; backend?: unknown; schedulePlugins?: unknown } = {},
): RunConfig {
  const backend = input.backend ?? 'auto';
  if (!backendChoices.includes(backend as BackendChoice))
    throw new CoreSpecError('backend', `one of ${backendChoices.join(', ')}`, backend);
  const schedulePlugins = resolveSchedulePlugins(input.schedulePlugins);
  return {
    data: resolveDataConfig(input.data),
    training: resolveTrainingConfig((input.training ?? {}) as never),
    backend: backend as BackendChoice,
    ...(schedulePlugins.length > 0 ? { schedulePlugins } : {}),
  };
}

/** `schedulePlugins`: absent, or distinct non-empty module specifiers. */
function resolveSchedulePlugins(value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (
    !Array.isArray(value) ||
    value.some((item) => typeof item !== 'string' || item.trim() === '') ||
    new Set(value).size !== value.length
  )
    throw new CoreSpecError(
      'schedulePlugins',
      'an array of distinct module specifiers (file: URLs or package names)',
      value,
    );
  return [...value] as string[];
}

/** A short stable hash (FNV-1a, 32 bits, hex) of a JSON value with sorted keys. */
export function configHash(value: unknown): string {
  const text = stableStringify(value);
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** JSON with object keys sorted, so equal configs give equal text. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableStringify(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
