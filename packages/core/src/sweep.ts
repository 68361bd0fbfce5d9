import { CoreSpecError } from './core-spec-error.js';
import { parseModelSpec } from './model/model-spec.js';
import { configHash, type RunConfig, resolveRunConfig } from './run-config.js';

/** One dimension of a sweep grid: a config key and its values. */
export interface SweepAxis {
  /**
   * `lr` (the optimizer's rate, or the `lr` of its schedule), `model` (`linear`, `mlp:256,128`),
   * `schedule` (a schedule spec that takes the trial's rate as its lr), or a dotted path into the
   * training config (`batchSize`, `optimizer.momentum`, `optimizer.type`, `epochs`, `seed`, …) or
   * the data config (`data.validation`, …).
   */
  readonly key: string;
  readonly values: readonly unknown[];
}

/** One trial of a sweep: an addressable run. */
export interface SweepTrial {
  readonly index: number;
  /** `<sweepId>-<index>-<config hash>`: the same sweep gives the same ids, on any machine. */
  readonly id: string;
  /** Legend label, e.g. `lr=0.5 momentum=0.9`. */
  readonly label: string;
  readonly overrides: Readonly<Record<string, unknown>>;
  readonly config: RunConfig;
}

function shortKey(key: string): string {
  return key.split('.').pop() ?? key;
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Applies one override to a JSON copy of a run config. */
function applyOverride(
  config: { data: Record<string, unknown>; training: Record<string, unknown>; backend: unknown },
  key: string,
  value: unknown,
) {
  const optimizer = config.training.optimizer as Record<string, unknown>;
  if (key === 'lr') {
    if (typeof value !== 'number') throw new CoreSpecError('lr', 'a number', value);
    const rate = optimizer.lr;
    if (rate && typeof rate === 'object') optimizer.lr = { ...(rate as object), lr: value };
    else optimizer.lr = value;
    return;
  }
  if (key === 'schedule') {
    if (!value || typeof value !== 'object')
      throw new CoreSpecError('schedule', 'a schedule spec object', value);
    const rate =
      typeof optimizer.lr === 'number' ? optimizer.lr : (optimizer.lr as { lr?: number } | undefined)?.lr;
    optimizer.lr =
      rate === undefined || 'lr' in (value as object) ? value : { ...(value as object), lr: rate };
    return;
  }
  if (key === 'model') {
    config.training.model = parseModelSpec(value as string);
    return;
  }
  if (key === 'backend') {
    config.backend = value;
    return;
  }
  const [head, ...rest] = key.split('.');
  const root = head === 'data' ? config.data : config.training;
  const path = head === 'data' ? rest : [head as string, ...rest];
  if (
    path.length === 0 ||
    path.some((part) => part === '' || part === '__proto__' || part === 'constructor' || part === 'prototype')
  ) {
    throw new CoreSpecError(
      'vary',
      'a key such as lr, batchSize, optimizer.momentum, model or data.validation',
      key,
    );
  }
  let target: Record<string, unknown> = root;
  for (const part of path.slice(0, -1)) {
    const next = target[part];
    if (!next || typeof next !== 'object') target[part] = {};
    target = target[part] as Record<string, unknown>;
  }
  target[path[path.length - 1] as string] = value;
}

/**
 * The trials of a grid sweep: the cartesian product of the axes applied to the base config, in
 * order (the first axis varies slowest). Each trial config is validated; ids are deterministic
 * from the sweep id, the index and a hash of the trial's config.
 *
 * @throws CoreSpecError naming the key when an override makes an invalid config.
 */
export function expandSweep(sweepId: string, base: RunConfig, axes: readonly SweepAxis[]): SweepTrial[] {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(sweepId)) {
    throw new CoreSpecError('sweepId', 'letters, digits, ".", "_" or "-"', sweepId);
  }
  for (const axis of axes) {
    if (axis.values.length === 0)
      throw new CoreSpecError(`vary ${axis.key}`, 'one or more values', axis.values);
  }
  let combinations: Array<Array<[string, unknown]>> = [[]];
  for (const axis of axes) {
    combinations = combinations.flatMap((combination) =>
      axis.values.map((value) => [...combination, [axis.key, value] as [string, unknown]]),
    );
  }
  return combinations.map((combination, index) => {
    const json = JSON.parse(JSON.stringify(base)) as {
      data: Record<string, unknown>;
      training: Record<string, unknown>;
      backend: unknown;
    };
    for (const [key, value] of combination) applyOverride(json, key, value);
    let config: RunConfig;
    try {
      config = resolveRunConfig(json as never);
    } catch (error) {
      const label = combination.map(([key, value]) => `${key}=${formatValue(value)}`).join(' ');
      throw new CoreSpecError(`trial ${index} (${label})`, 'a valid config', (error as Error).message);
    }
    return {
      index,
      id: `${sweepId}-${String(index).padStart(3, '0')}-${configHash(config)}`,
      label: combination.map(([key, value]) => `${shortKey(key)}=${formatValue(value)}`).join(' ') || 'base',
      overrides: Object.fromEntries(combination),
      config,
    };
  });
}
