import * as tf from '@tensorflow/tfjs-core';
import './register-cpu-backend.js';

/** Name under which tfjs registers the pure-JavaScript backend. */
export const cpuBackendName = 'cpu';

/**
 * Makes the pure-JavaScript `cpu` backend the active one and waits until it is ready. It works in
 * every JavaScript environment and is the fallback of the other adapters. Also turns off tfjs's
 * console hint that suggests installing tfjs-node (Contour reports backend choices itself).
 *
 * @throws Error when tfjs refuses the backend (it never has in practice).
 */
export async function useCpuBackend(): Promise<void> {
  const activated = await tf.setBackend(cpuBackendName);
  if (!activated) throw new Error('backend "cpu" failed to initialise');
  await tf.ready();
  silenceNodeHint();
}

/** tfjs-backend-cpu prints "looks like you are running TensorFlow.js in Node.js" on first use. */
function silenceNodeHint(): void {
  const backend = tf.findBackend(cpuBackendName) as { firstUse?: boolean } | null;
  if (backend !== null && typeof backend.firstUse === 'boolean') backend.firstUse = false;
}
