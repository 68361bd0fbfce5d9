import '@tensorflow/tfjs-backend-cpu';
// The Node bundle of tfjs-layers registers every gradient on tfjs-core's global registry.
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';

/** Selects the cpu backend for a test file. */
export async function useCpuBackend(): Promise<void> {
  // Silences the 'install tfjs-node' banner (tfjs prints warnings only outside tests).
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
}
