import * as tf from '@tensorflow/tfjs-core';
import { MissingKernelError, toMissingKernelError } from '../missing-kernel-error.js';
import { gradientKernelRequirements } from '../training-support.js';

/** One check of the backend conformance suite. */
export interface ConformanceCheck {
  /** Short name, e.g. `softmax gradient`. */
  readonly name: string;
  /** `forward` values, `gradient` values or a few `training` steps. */
  readonly kind: 'forward' | 'gradient' | 'training';
  /**
   * True for what Contour's dense models need on every backend; false for checks that a backend
   * may lack (convolution gradients on wasm), which are then reported as `unsupported`.
   */
  readonly required: boolean;
  /**
   * tfjs kernels the check needs beyond the everyday ones; when the backend lacks one, the check is
   * reported `unsupported` without running (a gradient kernel failing mid-backprop leaks the
   * tensors tfjs saved for the backward pass).
   */
  readonly kernels?: readonly string[];
  /** Runs on the active backend; throws {@link ConformanceMismatchError} or a tfjs error. */
  readonly run: () => void;
}

/** Outcome of one {@link ConformanceCheck}. */
export interface ConformanceResult {
  readonly name: string;
  readonly kind: ConformanceCheck['kind'];
  readonly required: boolean;
  /** `unsupported`: a kernel is missing on this backend (see `missingKernel`). */
  readonly status: 'passed' | 'failed' | 'unsupported';
  /** One line, for `failed` and `unsupported`. */
  readonly message?: string;
  /** The kernel the backend lacks, for `unsupported`. */
  readonly missingKernel?: string;
}

/** Everything {@link runBackendConformance} found on one backend. */
export interface ConformanceReport {
  readonly backendName: string;
  readonly results: readonly ConformanceResult[];
  /** True when every required check passed. */
  readonly conforms: boolean;
}

/** Thrown by a check whose numbers differ from the reference by more than its tolerance. */
export class ConformanceMismatchError extends Error {
  override readonly name = 'ConformanceMismatchError';
  constructor(
    readonly what: string,
    readonly maximumError: number,
    readonly tolerance: number,
  ) {
    super(`${what}: largest difference from the reference ${maximumError} exceeds ${tolerance}`);
  }
}

/** Compares a tensor with reference values (flattened, float64) within `tolerance`. */
function expectClose(what: string, tensor: tf.Tensor, expected: readonly number[], tolerance = 1e-5): void {
  const actual = tensor.dataSync();
  if (actual.length !== expected.length) {
    throw new Error(`${what}: expected ${expected.length} values, got ${actual.length}`);
  }
  let maximumError = 0;
  for (let index = 0; index < expected.length; index += 1) {
    const reference = expected[index] ?? Number.NaN;
    const error = Math.abs((actual[index] ?? Number.NaN) - reference) / Math.max(1, Math.abs(reference));
    maximumError = Number.isNaN(error) ? Number.POSITIVE_INFINITY : Math.max(maximumError, error);
  }
  if (!(maximumError <= tolerance)) throw new ConformanceMismatchError(what, maximumError, tolerance);
}

// Small fixed inputs (rows of a 2×3 matrix) and their float64 references.
const matrixA = [
  [1, 2, 3],
  [4, 5, 6],
];
const matrixB = [
  [7, 8],
  [9, 10],
  [11, 12],
];
const logitRows = [
  [1, 2, 3],
  [1000, 0, -1000],
];
const weightRows = [
  [0.5, -1, 2],
  [1, 0.25, -0.5],
];
const points = [-2, -0.5, 0, 0.5, 2];
const pointWeights = [1, -2, 0.5, 3, -1];

const flat = (rows: readonly (readonly number[])[]): number[] => rows.flat();
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const softmaxRow = (row: readonly number[]): number[] => {
  const maximum = Math.max(...row);
  const exponentials = row.map((value) => Math.exp(value - maximum));
  const total = exponentials.reduce((sum, value) => sum + value, 0);
  return exponentials.map((value) => value / total);
};
const logSoftmaxRow = (row: readonly number[]): number[] => {
  const maximum = Math.max(...row);
  const logTotal = Math.log(row.reduce((sum, value) => sum + Math.exp(value - maximum), 0));
  return row.map((value) => value - maximum - logTotal);
};
const matMul = (a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[][] =>
  a.map((row) =>
    (b[0] ?? []).map((_, column) => row.reduce((sum, value, k) => sum + value * (b[k]?.[column] ?? 0), 0)),
  );
const transpose = (a: readonly (readonly number[])[]): number[][] =>
  (a[0] ?? []).map((_, column) => a.map((row) => row[column] ?? 0));

function checks(): ConformanceCheck[] {
  const vector = () => tf.tensor1d(points);
  const vectorWeights = () => tf.tensor1d(pointWeights);
  const elementwiseGradient = (
    name: string,
    operation: (x: tf.Tensor) => tf.Tensor,
    derivative: (x: number) => number,
  ): ConformanceCheck => ({
    name: `${name} gradient`,
    kind: 'gradient',
    required: true,
    run: () => {
      const gradient = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(operation(x), vectorWeights())))(vector());
      expectClose(
        `${name} gradient`,
        gradient,
        points.map((x, index) => (pointWeights[index] ?? 0) * derivative(x)),
      );
    },
  });
  const elementwiseForward = (
    name: string,
    operation: (x: tf.Tensor) => tf.Tensor,
    reference: (x: number) => number,
  ): ConformanceCheck => ({
    name,
    kind: 'forward',
    required: true,
    run: () => expectClose(name, operation(vector()), points.map(reference)),
  });

  return [
    {
      name: 'matMul',
      kind: 'forward',
      required: true,
      run: () =>
        expectClose('matMul', tf.matMul(tf.tensor2d(matrixA), tf.tensor2d(matrixB)), [58, 64, 139, 154]),
    },
    {
      name: 'add with broadcasting',
      kind: 'forward',
      required: true,
      run: () =>
        expectClose('add', tf.add(tf.tensor2d(matrixA), tf.tensor1d([10, 20, 30])), [11, 22, 33, 14, 25, 36]),
    },
    {
      name: 'softmax',
      kind: 'forward',
      required: true,
      run: () => expectClose('softmax', tf.softmax(tf.tensor2d(logitRows)), flat(logitRows.map(softmaxRow))),
    },
    {
      name: 'logSoftmax (stable for logits ±1000)',
      kind: 'forward',
      required: true,
      run: () =>
        expectClose(
          'logSoftmax',
          tf.logSoftmax(tf.tensor2d(logitRows)),
          flat(logitRows.map(logSoftmaxRow)),
          1e-5,
        ),
    },
    elementwiseForward('relu', tf.relu, (x) => Math.max(0, x)),
    elementwiseForward('tanh', tf.tanh, Math.tanh),
    elementwiseForward('sigmoid', tf.sigmoid, sigmoid),
    {
      name: 'mean and sum over axes',
      kind: 'forward',
      required: true,
      run: () => {
        const a = tf.tensor2d(matrixA);
        expectClose('mean', tf.mean(a), [3.5]);
        expectClose('mean over axis 0', tf.mean(a, 0), [2.5, 3.5, 4.5]);
        expectClose('sum over axis 1', tf.sum(a, 1), [6, 15]);
      },
    },
    {
      name: 'oneHot and argMax',
      kind: 'forward',
      required: true,
      run: () => {
        expectClose('oneHot', tf.oneHot(tf.tensor1d([2, 0], 'int32'), 3), [0, 0, 1, 1, 0, 0]);
        expectClose('argMax', tf.argMax(tf.tensor2d(logitRows), 1), [2, 0]);
      },
    },
    {
      name: 'matMul gradient',
      kind: 'gradient',
      required: true,
      run: () => {
        // loss = sum(G ⊙ AB) → dA = G Bᵀ, dB = Aᵀ G.
        const weights = [
          [1, -1],
          [0.5, 2],
        ];
        const [gradientA, gradientB] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.matMul(a, b), tf.tensor2d(weights))),
        )([tf.tensor2d(matrixA), tf.tensor2d(matrixB)]);
        expectClose('matMul gradient (A)', gradientA as tf.Tensor, flat(matMul(weights, transpose(matrixB))));
        expectClose('matMul gradient (B)', gradientB as tf.Tensor, flat(matMul(transpose(matrixA), weights)));
      },
    },
    {
      name: 'add gradient (broadcast bias)',
      kind: 'gradient',
      required: true,
      run: () => {
        const gradient = tf.grad((bias: tf.Tensor) =>
          tf.sum(tf.mul(tf.add(tf.tensor2d(matrixA), bias), tf.tensor2d(weightRows))),
        )(tf.tensor1d([0, 0, 0]));
        expectClose('add gradient', gradient, [1.5, -0.75, 1.5]);
      },
    },
    {
      name: 'softmax gradient',
      kind: 'gradient',
      required: true,
      run: () => {
        // loss = Σ w ⊙ softmax(x) → s ⊙ (w − Σ w s) per row.
        const gradient = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(x), tf.tensor2d(weightRows))))(
          tf.tensor2d(logitRows),
        );
        const expected = logitRows.map((row, index) => {
          const s = softmaxRow(row);
          const w = weightRows[index] ?? [];
          const dot = s.reduce((sum, value, k) => sum + value * (w[k] ?? 0), 0);
          return s.map((value, k) => value * ((w[k] ?? 0) - dot));
        });
        expectClose('softmax gradient', gradient, flat(expected));
      },
    },
    {
      name: 'logSoftmax gradient',
      kind: 'gradient',
      required: true,
      run: () => {
        // loss = Σ w ⊙ logSoftmax(x) → w − s Σw per row.
        const gradient = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.logSoftmax(x), tf.tensor2d(weightRows))))(
          tf.tensor2d(logitRows),
        );
        const expected = logitRows.map((row, index) => {
          const s = softmaxRow(row);
          const w = weightRows[index] ?? [];
          const total = w.reduce((sum, value) => sum + value, 0);
          return w.map((value, k) => value - (s[k] ?? 0) * total);
        });
        expectClose('logSoftmax gradient', gradient, flat(expected));
      },
    },
    elementwiseGradient('relu', tf.relu, (x) => (x > 0 ? 1 : 0)),
    elementwiseGradient('tanh', tf.tanh, (x) => 1 - Math.tanh(x) ** 2),
    elementwiseGradient('sigmoid', tf.sigmoid, (x) => sigmoid(x) * (1 - sigmoid(x))),
    elementwiseGradient(
      'square and mul',
      (x) => tf.mul(tf.square(x), 3),
      (x) => 6 * x,
    ),
    elementwiseGradient(
      'exp and sub',
      (x) => tf.sub(tf.exp(x), x),
      (x) => Math.exp(x) - 1,
    ),
    {
      name: 'mean and sum gradient',
      kind: 'gradient',
      required: true,
      run: () => {
        // loss = mean(x ⊙ W) + sum(sum(x, 1) ⊙ [1, 2]) → W/6 + row weight.
        const gradient = tf.grad((x: tf.Tensor) =>
          tf.add(
            tf.mean(tf.mul(x, tf.tensor2d(weightRows))),
            tf.sum(tf.mul(tf.sum(x, 1), tf.tensor1d([1, 2]))),
          ),
        )(tf.tensor2d(matrixA));
        expectClose(
          'mean and sum gradient',
          gradient,
          flat(weightRows.map((row, index) => row.map((w) => w / 6 + index + 1))),
        );
      },
    },
    {
      name: 'softmax cross-entropy gradient',
      kind: 'gradient',
      required: true,
      run: () => {
        const targets = [
          [0, 0, 1],
          [0, 1, 0],
        ];
        const gradient = tf.grad((logits: tf.Tensor) =>
          tf.losses.softmaxCrossEntropy(tf.tensor2d(targets), logits),
        )(tf.tensor2d(logitRows));
        const expected = logitRows.map((row, index) =>
          softmaxRow(row).map((value, k) => (value - (targets[index]?.[k] ?? 0)) / 2),
        );
        expectClose('softmax cross-entropy gradient', gradient, flat(expected));
      },
    },
    {
      name: 'conv2d gradient',
      kind: 'gradient',
      required: false,
      kernels: gradientKernelRequirements.conv2d ?? [],
      run: () => {
        // x 3×3, filter 2×2, valid, stride 1, loss = sum(conv) → dF[i][j] = Σ window sums, dX = coverage.
        const image = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        const filter = [1, -1, 0.5, 2];
        const [gradientImage, gradientFilter] = tf.grads((x: tf.Tensor, f: tf.Tensor) =>
          tf.sum(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid')),
        )([tf.tensor4d(image, [1, 3, 3, 1]), tf.tensor4d(filter, [2, 2, 1, 1])]);
        const at = (row: number, column: number): number => image[row * 3 + column] ?? 0;
        const expectedFilter = [0, 1].flatMap((i) =>
          [0, 1].map((j) => at(i, j) + at(i, j + 1) + at(i + 1, j) + at(i + 1, j + 1)),
        );
        const expectedImage = [0, 1, 2].flatMap((p) =>
          [0, 1, 2].map((q) => {
            let sum = 0;
            for (const i of [0, 1])
              for (const j of [0, 1])
                if (p - i >= 0 && p - i <= 1 && q - j >= 0 && q - j <= 1) sum += filter[i * 2 + j] ?? 0;
            return sum;
          }),
        );
        expectClose('conv2d gradient (filter)', gradientFilter as tf.Tensor, expectedFilter);
        expectClose('conv2d gradient (input)', gradientImage as tf.Tensor, expectedImage);
      },
    },
    {
      name: 'softmax regression training steps',
      kind: 'training',
      required: true,
      run: () => {
        const reference = referenceTraining();
        const inputs = tf.tensor2d(trainingInputs);
        const targets = tf.oneHot(tf.tensor1d(trainingLabels, 'int32'), 3);
        const weights = tf.variable(tf.zeros([2, 3]));
        const bias = tf.variable(tf.zeros([3]));
        try {
          const losses: number[] = [];
          for (let step = 0; step < reference.losses.length; step += 1) {
            tf.tidy(() => {
              const { value, grads } = tf.variableGrads(
                () =>
                  tf.losses.softmaxCrossEntropy(
                    targets,
                    tf.add(tf.matMul(inputs, weights), bias),
                  ) as tf.Scalar,
                [weights, bias],
              );
              losses.push(value.dataSync()[0] ?? Number.NaN);
              for (const variable of [weights, bias]) {
                const gradient = grads[variable.name];
                if (gradient === undefined) throw new Error(`no gradient for ${variable.name}`);
                variable.assign(tf.sub(variable, tf.mul(gradient, trainingRate)));
              }
            });
          }
          expectClose('training losses', tf.tensor1d(losses), reference.losses, 1e-4);
          expectClose('trained weights', weights, reference.weights, 1e-4);
        } finally {
          weights.dispose();
          bias.dispose();
        }
      },
    },
  ];
}

const trainingInputs = [
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
  [2, 0.5],
  [0.5, 2],
];
const trainingLabels = [0, 1, 2, 1, 1, 2];
const trainingRate = 0.5;

/** Five steps of full-batch gradient descent on softmax regression, in float64. */
function referenceTraining(): { losses: number[]; weights: number[] } {
  const weights = [
    [0, 0, 0],
    [0, 0, 0],
  ];
  const bias = [0, 0, 0];
  const losses: number[] = [];
  const count = trainingInputs.length;
  for (let step = 0; step < 5; step += 1) {
    const gradientWeights = [
      [0, 0, 0],
      [0, 0, 0],
    ];
    const gradientBias = [0, 0, 0];
    let loss = 0;
    trainingInputs.forEach((x, sample) => {
      const logits = [0, 1, 2].map(
        (k) => (x[0] ?? 0) * (weights[0]?.[k] ?? 0) + (x[1] ?? 0) * (weights[1]?.[k] ?? 0) + (bias[k] ?? 0),
      );
      const probabilities = softmaxRow(logits);
      const label = trainingLabels[sample] ?? 0;
      loss -= Math.log(probabilities[label] ?? 1) / count;
      for (let k = 0; k < 3; k += 1) {
        const delta = ((probabilities[k] ?? 0) - (k === label ? 1 : 0)) / count;
        gradientBias[k] = (gradientBias[k] ?? 0) + delta;
        for (let feature = 0; feature < 2; feature += 1) {
          const row = gradientWeights[feature] ?? [];
          row[k] = (row[k] ?? 0) + (x[feature] ?? 0) * delta;
        }
      }
    });
    losses.push(loss);
    for (let k = 0; k < 3; k += 1) {
      bias[k] = (bias[k] ?? 0) - trainingRate * (gradientBias[k] ?? 0);
      for (let feature = 0; feature < 2; feature += 1) {
        const row = weights[feature] ?? [];
        row[k] = (row[k] ?? 0) - trainingRate * (gradientWeights[feature]?.[k] ?? 0);
      }
    }
  }
  return { losses, weights: flat(weights) };
}

/** The checks of the shared backend conformance suite, in the order they run. */
export const backendConformanceChecks: readonly ConformanceCheck[] = checks();

/**
 * Runs every {@link backendConformanceChecks} on the active tfjs backend, which must be
 * `backendName` (activate it first). Never throws: each check is passed, failed (numbers or error,
 * including leaked tensors) or unsupported (a kernel missing on this backend, reported with its
 * name). `conforms` is true when every required check passed.
 *
 * @throws Error when the active backend is not `backendName`.
 */
export function runBackendConformance(backendName: string): ConformanceReport {
  if (tf.getBackend() !== backendName) {
    throw new Error(
      `runBackendConformance: active backend is "${tf.getBackend()}", expected "${backendName}"`,
    );
  }
  const results = backendConformanceChecks.map((check): ConformanceResult => {
    const base = { name: check.name, kind: check.kind, required: check.required };
    const absent = (check.kernels ?? []).find(
      (kernelName) => tf.getKernel(kernelName, backendName) === undefined,
    );
    if (absent !== undefined) {
      const missing = new MissingKernelError(check.name, absent, backendName);
      return { ...base, status: 'unsupported', message: missing.message, missingKernel: absent };
    }
    const tensorsBefore = tf.memory().numTensors;
    try {
      tf.tidy(() => check.run());
    } catch (error) {
      const missing = toMissingKernelError(error, check.name);
      if (missing !== undefined) {
        return {
          ...base,
          status: 'unsupported',
          message: missing.message,
          missingKernel: missing.kernelName,
        };
      }
      const message = error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
      return { ...base, status: 'failed', message };
    }
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0)
      return { ...base, status: 'failed', message: `${check.name}: ${leaked} tensors leaked` };
    return { ...base, status: 'passed' };
  });
  return {
    backendName,
    results,
    conforms: results.every((result) => !result.required || result.status === 'passed'),
  };
}

/** Renders a report as lines `PASS|FAIL|MISSING  kind  name  message`, for logs and test output. */
export function formatConformanceReport(report: ConformanceReport): string {
  const label = { passed: 'PASS   ', failed: 'FAIL   ', unsupported: 'MISSING' } as const;
  return [
    `backend ${report.backendName}: ${report.conforms ? 'conforms' : 'does NOT conform'}`,
    ...report.results.map(
      (result) =>
        `  ${label[result.status]} ${result.kind.padEnd(8)} ${result.name}${result.message === undefined ? '' : ` — ${result.message}`}`,
    ),
  ].join('\n');
}
