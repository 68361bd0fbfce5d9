import { OptimizerSpecError } from './optimizer-spec-error.js';

/**
 * A parameter group as written in an optimizer spec: which parameters it matches and what it
 * changes. `match` is a glob (or list) on the full parameter name (`dense_1/kernel`); `layer` is
 * a glob (or list) on the layer part of the name (everything before the last `/`). At least one
 * of the two is required; a parameter belongs to the first group that matches it.
 */
export interface ParameterGroupSpec {
  readonly match?: string | readonly string[];
  readonly layer?: string | readonly string[];
  /** Multiplies the scheduled rate for this group (Caffe `lr_mult`); default 1. */
  readonly lrMult?: number;
  /** This group's weight decay instead of the spec's. */
  readonly weightDecay?: number;
  /** When true the group's parameters are never updated and get no slots. */
  readonly frozen?: boolean;
}

/** A validated parameter group. */
export interface ParameterGroup {
  readonly index: number;
  readonly match: readonly string[];
  readonly layer: readonly string[];
  readonly learningRateMultiplier: number;
  readonly weightDecay: number | undefined;
  readonly frozen: boolean;
  /** The group as normalised JSON (for the spec echoed in `config.json`). */
  readonly spec: ParameterGroupSpec;
}

/**
 * Turns a glob into an anchored RegExp: `**` matches any characters, `*` any characters except
 * `/`, `?` one character except `/`; everything else is literal.
 *
 * @example globToRegExp('dense_*\/kernel').test('dense_2/kernel') // true
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index += 1) {
    const character = glob[index] as string;
    if (character === '*') {
      if (glob[index + 1] === '*') {
        source += '.*';
        index += 1;
      } else {
        source += '[^/]*';
      }
    } else if (character === '?') {
      source += '[^/]';
    } else {
      source += character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/** The layer part of a parameter name: everything before the last `/` (`''` when there is none). */
export function layerNameOf(parameterName: string): string {
  const slash = parameterName.lastIndexOf('/');
  return slash < 0 ? '' : parameterName.slice(0, slash);
}

const groupKeys = new Set(['match', 'layer', 'lrMult', 'weightDecay', 'frozen']);

function readPatterns(value: unknown, path: string, type: string): string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((item) => typeof item === 'string' && item.length > 0)
  ) {
    throw new OptimizerSpecError(path, 'a non-empty glob string or a non-empty array of them', value, type);
  }
  return list as string[];
}

/**
 * Validates the `groups` field of an optimizer spec. `weightDecayAllowed` is false for rules
 * without weight decay (rprop, localGains). Throws OptimizerSpecError naming e.g. `groups[1].lrMult`.
 */
export function readParameterGroups(
  value: unknown,
  type: string,
  weightDecayAllowed: boolean,
): ParameterGroup[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new OptimizerSpecError('groups', 'an array of parameter group objects', value, type);
  return value.map((raw: unknown, index) => {
    const path = `groups[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new OptimizerSpecError(path, 'an object like {"match": "dense_2/*", "lrMult": 10}', raw, type);
    }
    const group = raw as Record<string, unknown>;
    for (const key of Object.keys(group)) {
      if (!groupKeys.has(key)) {
        throw new OptimizerSpecError(
          `${path}.${key}`,
          `absent (a group accepts ${[...groupKeys].join(', ')})`,
          group[key],
          type,
        );
      }
    }
    const match = readPatterns(group.match, `${path}.match`, type);
    const layer = readPatterns(group.layer, `${path}.layer`, type);
    if (match.length === 0 && layer.length === 0) {
      throw new OptimizerSpecError(
        `${path}.match`,
        'a glob on parameter names (or give "layer")',
        undefined,
        type,
      );
    }
    const lrMult = group.lrMult ?? 1;
    if (typeof lrMult !== 'number' || !Number.isFinite(lrMult) || lrMult < 0) {
      throw new OptimizerSpecError(`${path}.lrMult`, 'a finite number ≥ 0', lrMult, type);
    }
    const weightDecay = group.weightDecay;
    if (weightDecay !== undefined) {
      if (!weightDecayAllowed) {
        throw new OptimizerSpecError(
          `${path}.weightDecay`,
          `absent ("${type}" has no weight decay)`,
          weightDecay,
          type,
        );
      }
      if (typeof weightDecay !== 'number' || !Number.isFinite(weightDecay) || weightDecay < 0) {
        throw new OptimizerSpecError(`${path}.weightDecay`, 'a finite number ≥ 0', weightDecay, type);
      }
    }
    const frozen = group.frozen ?? false;
    if (typeof frozen !== 'boolean')
      throw new OptimizerSpecError(`${path}.frozen`, 'true or false', frozen, type);
    const spec: Record<string, unknown> = {};
    if (match.length > 0) spec.match = match;
    if (layer.length > 0) spec.layer = layer;
    spec.lrMult = lrMult;
    if (weightDecay !== undefined) spec.weightDecay = weightDecay;
    spec.frozen = frozen;
    return {
      index,
      match,
      layer,
      learningRateMultiplier: lrMult,
      weightDecay: weightDecay as number | undefined,
      frozen,
      spec: spec as ParameterGroupSpec,
    };
  });
}

/** The first group matching `parameterName` (by `match` on the name or `layer` on its layer part). */
export function findParameterGroup(
  groups: readonly ParameterGroup[],
  parameterName: string,
): ParameterGroup | undefined {
  const layer = layerNameOf(parameterName);
  return groups.find(
    (group) =>
      group.match.some((glob) => globToRegExp(glob).test(parameterName)) ||
      group.layer.some((glob) => globToRegExp(glob).test(layer)),
  );
}
