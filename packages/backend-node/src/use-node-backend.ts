import { cpuBackendName, useCpuBackend } from '@contour/backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { type LoadNodeBackendOptions, loadNodeBackend } from './register-node-backend.js';

/** Name under which tfjs-node registers its native backend. */
export const nodeBackendName = 'tensorflow';

/** Thrown by {@link useNodeBackend} with `fallback: 'none'` when tfjs-node cannot be used. */
export class NodeBackendUnavailableError extends Error {
  override readonly name = 'NodeBackendUnavailableError';
  constructor(
    /** Why tfjs-node cannot be used, one line. */
    readonly reason: string,
  ) {
    super(`backend "node" unavailable: ${reason}; use backend "wasm" or "cpu" instead`);
  }
}

/** Options of {@link useNodeBackend}. */
export interface UseNodeBackendOptions extends LoadNodeBackendOptions {
  /** What to do when tfjs-node cannot be used: activate `cpu` (default) or throw (`none`). */
  readonly fallback?: 'cpu' | 'none';
}

/** What {@link useNodeBackend} activated and why. */
export interface NodeBackendActivation {
  /** The active tfjs backend: `tensorflow` (native) or `cpu` (fallback). */
  readonly backendName: string;
  /** True when tfjs-node could not be used and the cpu fallback is active. */
  readonly fellBack: boolean;
  /** One line naming the reason and, when it fell back, the fallback. */
  readonly reason: string;
}

/**
 * Activates tfjs-node's native backend, or, when it is missing or fails to load, the cpu fallback
 * with a reason that says so (`fallback: 'none'` throws {@link NodeBackendUnavailableError} instead).
 */
export async function useNodeBackend(options: UseNodeBackendOptions = {}): Promise<NodeBackendActivation> {
  const load = loadNodeBackend(options);
  let reason = load.reason;
  if (load.loaded) {
    try {
      if ((await tf.setBackend(nodeBackendName)) && tf.getBackend() === nodeBackendName) {
        return { backendName: nodeBackendName, fellBack: false, reason };
      }
      reason = `${reason}, but backend "${nodeBackendName}" failed to initialise`;
    } catch (error) {
      reason = `backend "${nodeBackendName}" failed to initialise: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  if (options.fallback === 'none') throw new NodeBackendUnavailableError(reason);
  await useCpuBackend();
  return { backendName: cpuBackendName, fellBack: true, reason: `${reason}; falling back to backend "cpu"` };
}
