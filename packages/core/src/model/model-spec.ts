import { CoreSpecError } from '../core-spec-error.js';

/** Hidden-layer activations. */
export type Activation = 'relu' | 'tanh' | 'sigmoid';
/** Weight initialisers: Glorot/Xavier uniform (Keras default) or He normal (truncated at 2σ). */
export type Initializer = 'glorot' | 'he';

/**
 * A tfjs-layers model read from a `model.json` (what `model.save()` and Keras' converter write):
 * its topology, kept as written so the run's `config.json` rebuilds it, and — when the file has a
 * weights manifest — where to read the weights a fresh run starts from (else seeded weights).
 */
export interface LayersModelSource {
  /** Where the model.json was read from (as given), for messages and `config.json`. */
  readonly path: string;
  /** The tfjs-layers topology (`modelTopology` of model.json: `class_name` Sequential or Model). */
  readonly modelTopology: Readonly<Record<string, unknown>>;
  /**
   * Absolute path of the model.json whose `weightsManifest` (files beside it) holds the initial
   * weights, read in Node by `@contour/runs`; absent: seeded initial weights.
   */
  readonly weights?: string;
}

/**
 * A model: `linear` (one dense layer: softmax regression), `mlp` with hidden layers, or `layers`
 * (any tfjs-layers model from a model.json, e.g. a CNN). Dense layers are named `hidden1`,
 * `hidden2`, … and `head` (the output layer); a layers model's parameters keep their tfjs names
 * (`conv1/kernel`), so parameter groups can address them (`head/kernel`, `hidden1/*`, `conv1/*`).
 */
export interface ModelSpec {
  readonly type: 'linear' | 'mlp' | 'layers';
  /** Hidden layer sizes (mlp only), e.g. [256, 128]. */
  readonly hidden: readonly number[];
  readonly activation: Activation;
  /** Dropout rate on hidden activations while training, in [0, 1). */
  readonly dropout: number;
  readonly initializer: Initializer;
  /** The model.json (`layers` only). */
  readonly layers?: LayersModelSource;
}

const topologyClasses = ['Sequential', 'Model', 'Functional'];

/**
 * Checks that a parsed model.json is a tfjs-layers model (an object whose `modelTopology`, or whose
 * `modelTopology.model_config`, has `class_name` Sequential, Model or Functional and a `config`
 * with layers) and returns the topology. `path` names the file in the one-line CoreSpecError.
 */
export function readLayersTopology(json: unknown, path: string): Record<string, unknown> {
  const fail = (found: string): never => {
    throw new CoreSpecError(
      'model',
      'a tfjs-layers model.json (modelTopology with class_name Sequential or Model, and its layers)',
      `${path}: ${found}`,
    );
  };
  if (!json || typeof json !== 'object' || Array.isArray(json)) return fail('not a JSON object');
  let topology = (json as Record<string, unknown>).modelTopology;
  if (!topology || typeof topology !== 'object' || Array.isArray(topology))
    return fail('no "modelTopology" object');
  const nested = (topology as Record<string, unknown>).model_config;
  if (nested && typeof nested === 'object') topology = nested;
  const record = topology as Record<string, unknown>;
  const className = record.class_name;
  if (typeof className !== 'string' || !topologyClasses.includes(className))
    return fail(`modelTopology.class_name is ${JSON.stringify(className) ?? 'absent'}`);
  const config = record.config as Record<string, unknown> | unknown[] | undefined;
  const layers = Array.isArray(config) ? config : (config as Record<string, unknown> | undefined)?.layers;
  if (!Array.isArray(layers) || layers.length === 0) return fail('modelTopology.config has no layers');
  return topology as Record<string, unknown>;
}

/** The widest hidden layer: far above what trains in a browser or on a CPU, far below what breaks an allocation. */
export const maximumLayerSize = 65_536;
/** The most weights between two hidden layers (400 MB of float32). */
export const maximumLayerWeights = 100_000_000;

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
  if (typeof input !== 'string' && input.type === 'layers') {
    const layers = input.layers;
    if (!layers || typeof layers.path !== 'string')
      throw new CoreSpecError('model.layers', 'the model.json path and its modelTopology', layers);
    const modelTopology = readLayersTopology({ modelTopology: layers.modelTopology }, layers.path);
    for (const field of ['hidden', 'activation', 'dropout'] as const) {
      if (overrides[field] !== undefined)
        throw new CoreSpecError(field, `absent for a model.json (its layers set it)`, overrides[field]);
    }
    return {
      type: 'layers',
      hidden: [],
      activation: 'relu',
      dropout: 0,
      initializer: 'glorot',
      layers: {
        path: layers.path,
        modelTopology,
        ...(typeof layers.weights === 'string' ? { weights: layers.weights } : {}),
      },
    };
  }
  if (typeof input === 'string') {
    const [type, sizes] = input.split(':', 2);
    if (type === 'linear' && sizes === undefined) base = { type: 'linear' };
    else if (type === 'mlp') {
      const hidden = (sizes ?? '').split(',').map((part) => Number(part.trim()));
      base = { type: 'mlp', hidden };
    } else {
      throw new CoreSpecError(
        'model',
        '"linear", "mlp:<sizes>" such as "mlp:256,128", or a tfjs-layers model.json',
        input,
      );
    }
  } else {
    base = input;
  }
  const spec = { ...base, ...overrides };
  const type = spec.type;
  if (type !== 'linear' && type !== 'mlp')
    throw new CoreSpecError('model.type', '"linear", "mlp" or "layers"', type);
  const hidden = type === 'linear' ? [] : (spec.hidden ?? []);
  if (
    type === 'mlp' &&
    (hidden.length === 0 ||
      !hidden.every((size) => Number.isInteger(size) && size >= 1 && size <= maximumLayerSize))
  ) {
    throw new CoreSpecError(
      'model.hidden',
      `one or more integer layer sizes in 1..${maximumLayerSize}, e.g. mlp:256,128`,
      spec.hidden,
    );
  }
  // Two wide layers multiply: refuse before a weight matrix that cannot be allocated.
  for (let layer = 1; layer < hidden.length; layer += 1) {
    if ((hidden[layer - 1] as number) * (hidden[layer] as number) > maximumLayerWeights)
      throw new CoreSpecError(
        'model.hidden',
        `layer sizes whose neighbours multiply to at most ${maximumLayerWeights.toLocaleString('en')} weights`,
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

/** `linear`, `mlp:256,128` or the model.json's path — the CLI form of a spec. */
export function describeModelSpec(spec: ModelSpec): string {
  if (spec.type === 'layers') return spec.layers?.path ?? 'model.json';
  return spec.type === 'linear' ? 'linear' : `mlp:${spec.hidden.join(',')}`;
}
