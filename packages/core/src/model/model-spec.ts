import { CoreSpecError } from '../core-spec-error.js';

/** Hidden-layer activations. */
export type Activation = 'relu' | 'tanh' | 'sigmoid';
/** Weight initialisers: Glorot/Xavier uniform (Keras default) or He normal (truncated at 2σ). */
export type Initializer = 'glorot' | 'he';

/**
 * A model: `linear` (one dense layer: softmax regression) or `mlp` with hidden layers. Layers are
 * named `hidden1`, `hidden2`, … and `head` (the output layer), so parameter groups can address them
 * (`head/kernel`, `hidden1/*`).
 */
export interface ModelSpec {
  readonly type: 'linear' | 'mlp';
  /** Hidden layer sizes (mlp only), e.g. [256, 128]. */
  readonly hidden: readonly number[];
  readonly activation: Activation;
  /** Dropout rate on hidden activations while training, in [0, 1). */
  readonly dropout: number;
  readonly initializer: Initializer;
}

const activations: readonly Activation[] = ['relu', 'tanh', 'sigmoid'];
const initializers: readonly Initializer[] = ['glorot', 'he'];

/**
 * Reads a model spec from the CLI form (`linear`, `mlp:256,128`) or a JSON object, filling
 * defaults (relu, no dropout, Glorot; He for relu MLPs is what PyTorch users might expect, but
 * Keras's Glorot default is kept unless asked). Throws CoreSpecError naming the field.
 */
export function parseModelSpec(
  input: string | Partial<ModelSpec>,
  overrides: Partial<ModelSpec> = {},
): ModelSpec {
  let base: Partial<ModelSpec>;
  if (typeof input === 'string') {
    const [type, sizes] = input.split(':', 2);
    if (type === 'linear' && sizes === undefined) base = { type: 'linear' };
    else if (type === 'mlp') {
      const hidden = (sizes ?? '').split(',').map((part) => Number(part.trim()));
      base = { type: 'mlp', hidden };
    } else {
      throw new CoreSpecError('model', '"linear" or "mlp:<sizes>" such as "mlp:256,128"', input);
    }
  } else {
    base = input;
  }
  const spec = { ...base, ...overrides };
  const type = spec.type;
  if (type !== 'linear' && type !== 'mlp') throw new CoreSpecError('model.type', '"linear" or "mlp"', type);
  const hidden = type === 'linear' ? [] : (spec.hidden ?? []);
  if (
    type === 'mlp' &&
    (hidden.length === 0 || !hidden.every((size) => Number.isInteger(size) && size >= 1))
  ) {
    throw new CoreSpecError(
      'model.hidden',
      'one or more integer layer sizes ≥ 1, e.g. mlp:256,128',
      spec.hidden,
    );
  }
  if (type === 'linear' && spec.hidden !== undefined && spec.hidden.length > 0) {
    throw new CoreSpecError('model.hidden', 'absent for a linear model', spec.hidden);
  }
  const activation = spec.activation ?? 'relu';
  if (!activations.includes(activation))
    throw new CoreSpecError('model.activation', 'one of relu, tanh, sigmoid', activation);
  const dropout = spec.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new CoreSpecError('model.dropout', 'a number in [0, 1)', dropout);
  }
  const initializer = spec.initializer ?? 'glorot';
  if (!initializers.includes(initializer))
    throw new CoreSpecError('model.initializer', 'one of glorot, he', initializer);
  return { type, hidden: [...hidden], activation, dropout, initializer };
}

/** `linear` or `mlp:256,128` — the CLI form of a spec. */
export function describeModelSpec(spec: ModelSpec): string {
  return spec.type === 'linear' ? 'linear' : `mlp:${spec.hidden.join(',')}`;
}
