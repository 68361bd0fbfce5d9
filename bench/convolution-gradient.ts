// Times the filter gradient of the example CNN's two convolutions (examples/mnist-cnn, batch 64)
// and one whole training step of that CNN: tfjs-backend-cpu's own Conv2DBackpropFilter against
// core's `useConvolutionFilterGradient` (the gradient as one forward convolution) on cpu, and the
// latter on wasm (which has no Conv2DBackpropFilter of its own). Prints medians and ratios.
// Run from the repository root:
//   node --conditions=@contour/source --import tsx bench/convolution-gradient.ts [--runs 5]

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as tfc from '@tensorflow/tfjs-core';
import { selectBackend } from '../packages/backends/src/index.ts';
import {
  createTrainableModel,
  parseModelSpec,
  readLayersTopology,
  useConvolutionFilterGradient,
} from '../packages/core/src/index.ts';

// Resolve tfjs-core from a package that depends on it, so the bench uses the packages' instance.
const requireFromCore = createRequire(new URL('../packages/core/package.json', import.meta.url));
const tf = (await import(
  requireFromCore.resolve('@tensorflow/tfjs-core')
)) as typeof import('@tensorflow/tfjs-core');

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
const batch = 64;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

function time(work: () => void): number {
  work(); // warm-up
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return median(times);
}

const json = JSON.parse(readFileSync(new URL('../examples/mnist-cnn/model.json', import.meta.url), 'utf8'));
const spec = parseModelSpec({
  type: 'layers',
  layers: { path: 'examples/mnist-cnn/model.json', modelTopology: readLayersTopology(json, 'model.json') },
});

/** Filter gradients of conv1 (28×28×1 → 5×5×8) and conv2 (12×12×8 → 5×5×16), batch 64. */
function filterGradients(): void {
  tf.tidy(() => {
    for (const [size, inChannels, outChannels] of [
      [28, 1, 8],
      [12, 8, 16],
    ] as const) {
      const x = tf.randomNormal([batch, size, size, inChannels], 0, 1, 'float32', 1) as tfc.Tensor4D;
      const dy = tf.randomNormal(
        [batch, size - 4, size - 4, outChannels],
        0,
        1,
        'float32',
        2,
      ) as tfc.Tensor4D;
      const gradient = tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        {
          strides: [1, 1],
          pad: 'valid',
          dataFormat: 'NHWC',
          filterShape: [5, 5, inChannels, outChannels],
        },
      ) as tfc.Tensor;
      gradient.dataSync();
    }
  });
}

async function trainingStep(): Promise<() => void> {
  const model = await createTrainableModel(spec, { inputSize: 784, outputSize: 10, seed: 1 });
  const inputs = tf.randomUniform([batch, 784]);
  return () => {
    const { value, grads } = tf.variableGrads(
      () => tf.mean(model.forward(inputs, 1)) as tfc.Scalar,
      Object.values(model.variables),
    );
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
}

await selectBackend('cpu');
const own = tf.getKernel('Conv2DBackpropFilter', 'cpu') as tfc.KernelConfig;
useConvolutionFilterGradient('cpu');
const contour = tf.getKernel('Conv2DBackpropFilter', 'cpu') as tfc.KernelConfig;
const use = (kernel: tfc.KernelConfig) => {
  tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
  tf.registerKernel(kernel);
};
// Building a model.json model registers Contour's kernel: build first, then put tfjs's back.
const cpuStep = await trainingStep();
use(own);
const cpuOwn = { gradient: time(filterGradients), step: time(cpuStep) };
use(contour);
const cpuContour = { gradient: time(filterGradients), step: time(cpuStep) };
await selectBackend('wasm');
useConvolutionFilterGradient('wasm');
const wasmContour = { gradient: time(filterGradients), step: time(await trainingStep()) };

const format = (ms: number) => `${ms.toFixed(1)} ms`;
console.log(`example CNN, batch ${batch}, median of ${runs} runs`);
console.log('                         filter gradients (conv1+conv2)   training step');
console.log(`cpu, tfjs's kernel       ${format(cpuOwn.gradient).padEnd(33)}${format(cpuOwn.step)}`);
console.log(`cpu, Contour's kernel    ${format(cpuContour.gradient).padEnd(33)}${format(cpuContour.step)}`);
console.log(`wasm, Contour's kernel   ${format(wasmContour.gradient).padEnd(33)}${format(wasmContour.step)}`);
console.log(
  `ratios: cpu tfjs/Contour ${(cpuOwn.gradient / cpuContour.gradient).toFixed(1)}× (gradients), ${(cpuOwn.step / cpuContour.step).toFixed(1)}× (step); cpu/wasm step ${(cpuContour.step / wasmContour.step).toFixed(1)}×`,
);
