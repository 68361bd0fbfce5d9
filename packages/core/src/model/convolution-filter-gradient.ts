import * as tf from '@tensorflow/tfjs-core';

type KernelInputs = Record<string, tf.TensorInfo>;

/** Backends whose own `Conv2DBackpropFilter` is missing (wasm 4.22) or very slow (cpu 4.22). */
export const convolutionFilterGradientBackends: readonly string[] = ['cpu', 'wasm'];

const registered = new Set<string>();

/**
 * The gradient of a 2-D convolution with respect to its filter, written as one forward
 * convolution: dW[i, j, c, o] = Σ_{b,y,x} x[b, y·s + i, x·s + j, c] · dy[b, y, x, o] is the
 * convolution of x (padded, transposed to [c, H, W, b]) with dy (transposed to [oh, ow, b, o]) at
 * dilation s, sliced to the filter's size and transposed back to [fh, fw, c, o]. Forward
 * convolutions are what both backends run fast; tfjs-backend-wasm 4.22 has no
 * `Conv2DBackpropFilter` at all (a CNN could not train on it), and tfjs-backend-cpu's is a
 * per-element loop ~37× slower than this on the example CNN (bench/convolution-gradient.ts).
 */
function filterGradientKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as KernelInputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
      strides: [number, number] | number;
      pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
      dataFormat: 'NHWC' | 'NCHW';
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      filterShape: [number, number, number, number];
    };
    if (dataFormat === 'NCHW')
      throw new Error(`Conv2DBackpropFilter on ${backendName}: only channels-last (NHWC) data is supported`);
    const run = (name: string, kernelInputs: KernelInputs, kernelAttrs: Record<string, unknown>) => {
      const kernel = tf.getKernel(name, backendName);
      if (!kernel) throw new Error(`Conv2DBackpropFilter on ${backendName} needs the ${name} kernel`);
      return kernel.kernelFunc({
        inputs: kernelInputs,
        backend,
        attrs: kernelAttrs as never,
      }) as tf.TensorInfo;
    };
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const [filterHeight, filterWidth, inputChannels, outputChannels] = filterShape;
    const { top, bottom, left, right } = info.padInfo;
    const intermediates: tf.TensorInfo[] = [];
    const keep = (value: tf.TensorInfo) => {
      intermediates.push(value);
      return value;
    };
    try {
      const padded =
        top + bottom + left + right > 0
          ? keep(
              run(
                'PadV2',
                { x },
                {
                  paddings: [
                    [0, 0],
                    [top, bottom],
                    [left, right],
                    [0, 0],
                  ],
                  constantValue: 0,
                },
              ),
            )
          : x;
      const images = keep(run('Transpose', { x: padded }, { perm: [3, 1, 2, 0] }));
      const gradients = keep(run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }));
      const full = keep(
        run(
          'Conv2D',
          { x: images, filter: gradients },
          {
            strides: [1, 1],
            pad: 'valid',
            dataFormat: 'NHWC',
            dilations: [info.strideHeight, info.strideWidth],
          },
        ),
      );
      const exact =
        full.shape[1] === filterHeight && full.shape[2] === filterWidth
          ? full
          : keep(
              run(
                'Slice',
                { x: full },
                {
                  begin: [0, 0, 0, 0],
                  size: [inputChannels, filterHeight, filterWidth, outputChannels],
                },
              ),
            );
      return run('Transpose', { x: exact }, { perm: [1, 2, 0, 3] });
    } finally {
      for (const value of intermediates) (backend as tf.KernelBackend).disposeData(value.dataId);
    }
  };
}

/**
 * Registers {@link filterGradientKernel} as `Conv2DBackpropFilter` of `backendName` (cpu or wasm;
 * others keep their own), once per process, replacing cpu's slow one. Called when a model.json
 * model is built, so convolutional networks train on the wasm backend and fast on cpu.
 */
export function useConvolutionFilterGradient(backendName: string): void {
  if (!convolutionFilterGradientBackends.includes(backendName) || registered.has(backendName)) return;
  if (tf.getKernel('Conv2DBackpropFilter', backendName))
    tf.unregisterKernel('Conv2DBackpropFilter', backendName);
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName,
    kernelFunc: filterGradientKernel(backendName),
  });
  registered.add(backendName);
}
