import type { MetricsRecord } from './records.js';

/**
 * The largest finite float32. Every metric Contour records is computed on float32 tensors (tfjs
 * has no float64), and a mean of float32 values cannot exceed its largest term, so a finite loss
 * above this bound is not a measurement: it is refused (it would also overflow to Infinity in
 * sums and differences such as the overfitting gap).
 */
export const largestFloat32 = 3.4028234663852886e38;

export const recordKinds: ReadonlySet<string> = new Set([
  'run-start',
  'step',
  'epoch',
  'event',
  'finish',
  'range-test',
  'auto-learning-rate',
]);
const runStatuses = new Set(['running', 'finished', 'interrupted', 'stopped', 'diverged', 'failed']);
const eventKinds = new Set([
  'diverged',
  'skipped-step',
  'early-stop',
  'interrupted',
  'resumed',
  'restored-best',
]);

type Fields = Record<string, unknown>;

/** A value as an error message shows it: strings quoted, NaN and ±Infinity by name. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** The first problem of one record, or undefined when it is a valid record. */
type Check = (fields: Fields) => string | undefined;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function integer(name: string, minimum: number, optional = false): Check {
  return (fields) => {
    const value = fields[name];
    if (optional && value === undefined) return undefined;
    return Number.isSafeInteger(value) && (value as number) >= minimum
      ? undefined
      : `"${name}" must be an integer ≥ ${minimum}; got ${shown(value)}`;
  };
}

function text(name: string): Check {
  return (fields) =>
    typeof fields[name] === 'string' ? undefined : `"${name}" must be a string; got ${shown(fields[name])}`;
}

function oneOf(name: string, allowed: ReadonlySet<string>): Check {
  return (fields) =>
    allowed.has(fields[name] as string)
      ? undefined
      : `"${name}" must be one of ${[...allowed].join(', ')}; got ${shown(fields[name])}`;
}

/** A finite number ≥ 0 (rates, seconds). */
function nonNegative(name: string, optional = false): Check {
  return (fields) => {
    const value = fields[name];
    if (optional && value === undefined) return undefined;
    return typeof value === 'number' && Number.isFinite(value) && value >= 0
      ? undefined
      : `"${name}" must be a finite number ≥ 0; got ${shown(value)}`;
  };
}

/**
 * A measured value: NaN and ±Infinity are kept (a diverged run records them; -Infinity only where
 * negative values are allowed), a finite one lies within float32's range, and `minimum` /
 * `maximum` bound it when given.
 */
function measured(
  name: string,
  value: unknown,
  range: { minimum?: number; maximum?: number; allowInfinity?: boolean } = {},
): string | undefined {
  const { minimum, maximum, allowInfinity = true } = range;
  if (typeof value !== 'number')
    return `"${name}" must be a number (or "NaN", "Infinity"); got ${shown(value)}`;
  if (Number.isNaN(value)) return undefined;
  const bounds =
    maximum !== undefined
      ? `in [${minimum ?? '-∞'}, ${maximum}]`
      : minimum !== undefined
        ? `≥ ${minimum}`
        : '';
  if (!Number.isFinite(value)) {
    const allowed = allowInfinity && (value > 0 ? maximum === undefined : minimum === undefined);
    return allowed ? undefined : `"${name}" must be ${bounds}; got ${value}`;
  }
  if ((minimum !== undefined && value < minimum) || (maximum !== undefined && value > maximum))
    return `"${name}" must be ${bounds}; got ${value}`;
  if (Math.abs(value) > largestFloat32)
    return `"${name}" must be at most ${largestFloat32} in size (the largest float32: tensors hold nothing larger); got ${value}`;
  return undefined;
}

/** Metrics of one split: cross entropy ≥ 0, classification error in [0, 1], any other loss. */
function split(name: string, optional: boolean): Check {
  return (fields) => {
    const value = fields[name];
    if (optional && value === undefined) return undefined;
    if (!isObject(value)) return `"${name}" must be an object of metrics; got ${shown(value)}`;
    if (value.crossEntropy !== undefined) {
      const problem = measured(`${name}.crossEntropy`, value.crossEntropy, { minimum: 0 });
      if (problem) return problem;
    }
    if (value.classificationError !== undefined) {
      const problem = measured(`${name}.classificationError`, value.classificationError, {
        minimum: 0,
        maximum: 1,
        allowInfinity: false,
      });
      if (problem) return problem;
    }
    // Another objective (mean squared error, or a tfjs-layers loss, which may be negative).
    if (value.loss !== undefined) return measured(`${name}.loss`, value.loss);
    return undefined;
  };
}

/** An optional name → number map (update ratios, a foreign loop's logs). */
function numberMap(name: string): Check {
  return (fields) => {
    const value = fields[name];
    if (value === undefined) return undefined;
    if (!isObject(value)) return `"${name}" must be an object of numbers; got ${shown(value)}`;
    for (const [key, entry] of Object.entries(value)) {
      const problem = measured(`${name}.${key}`, entry);
      if (problem) return problem;
    }
    return undefined;
  };
}

const checksByKind: Record<MetricsRecord['kind'], readonly Check[]> = {
  'run-start': [
    integer('formatVersion', 1),
    text('runId'),
    text('time'),
    (fields) => ('config' in fields ? undefined : '"config" is missing'),
    (fields) =>
      isObject(fields.versions) && Object.values(fields.versions).every((value) => typeof value === 'string')
        ? undefined
        : `"versions" must be an object of version strings; got ${shown(fields.versions)}`,
    integer('epochs', 0, true),
    integer('batchesPerEpoch', 0, true),
  ],
  step: [
    integer('epoch', 1),
    integer('step', 0),
    (fields) => measured('loss', fields.loss),
    nonNegative('learningRate'),
  ],
  epoch: [
    integer('epoch', 0),
    integer('step', 0),
    nonNegative('learningRate'),
    nonNegative('seconds'),
    split('train', false),
    split('validation', true),
    split('test', true),
    numberMap('updateRatios'),
    numberMap('metrics'),
  ],
  event: [oneOf('event', eventKinds), integer('epoch', 0), integer('step', 0), text('message')],
  'range-test': [
    (fields) =>
      typeof fields.seed === 'number' ? undefined : `"seed" must be a number; got ${shown(fields.seed)}`,
    text('stop'),
    (fields) => {
      if (!Array.isArray(fields.points)) return `"points" must be an array; got ${shown(fields.points)}`;
      for (const [index, point] of fields.points.entries()) {
        if (!isObject(point)) return `"points"[${index}] must be an object; got ${shown(point)}`;
        const problem =
          nonNegative(`points[${index}].learningRate`)({
            [`points[${index}].learningRate`]: point.learningRate,
          }) ??
          measured(`points[${index}].loss`, point.loss) ??
          measured(`points[${index}].smoothedLoss`, point.smoothedLoss);
        if (problem) return problem;
      }
      return undefined;
    },
  ],
  'auto-learning-rate': [nonNegative('learningRate'), text('rule'), text('explanation')],
  finish: [
    oneOf('status', runStatuses),
    text('time'),
    integer('epochs', 0),
    integer('steps', 0),
    nonNegative('seconds'),
  ],
};

/**
 * The first problem of a parsed `metrics.jsonl` value as a record — its kind, then every field its
 * kind requires, with types and ranges (epochs and steps integers, rates and seconds finite ≥ 0,
 * cross entropy ≥ 0, classification error in [0, 1], finite values within float32's range; NaN
 * and ±Infinity where a diverged run records them) — or undefined when it is a valid record.
 * Fields a record kind does not define are ignored (newer writers may add some).
 */
export function recordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return `a record must be a JSON object; got ${shown(value)}`;
  const kind = value.kind;
  if (typeof kind !== 'string' || !recordKinds.has(kind))
    return `"kind" must be one of ${[...recordKinds].join(', ')}; got ${JSON.stringify(kind)}`;
  for (const check of checksByKind[kind as MetricsRecord['kind']]) {
    const problem = check(value);
    if (problem) return `${kind} record: ${problem}`;
  }
  return undefined;
}
