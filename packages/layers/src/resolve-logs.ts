import * as tf from '@tensorflow/tfjs-core';

/** Epoch or batch logs as tfjs-layers hands them to callbacks: numbers or scalar tensors. */
export type CallbackLogs = Record<string, number | tf.Tensor>;

/**
 * Replaces scalar tensors in tfjs-layers logs by numbers in place and disposes the scalars, as
 * tfjs' own `CustomCallback` does before calling user functions, so the callbacks after this one
 * and `History` see plain numbers.
 */
export async function resolveLogs(logs: CallbackLogs | undefined): Promise<Record<string, number>> {
  if (logs === undefined || logs === null) return {};
  const keys: string[] = [];
  const tensors: tf.Tensor[] = [];
  for (const [key, value] of Object.entries(logs)) {
    if (typeof value !== 'number') {
      keys.push(key);
      tensors.push(value);
    }
  }
  if (tensors.length > 0) {
    const values = await Promise.all(tensors.map((tensor) => tensor.data()));
    keys.forEach((key, index) => {
      logs[key] = (values[index] as ArrayLike<number>)[0] as number;
    });
    tf.dispose(tensors);
  }
  return logs as Record<string, number>;
}
