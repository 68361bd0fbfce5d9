/** Stable float64 log-sum-exp, the hand formula the tests compare against. */
export function logSumExp(values: readonly number[]): number {
  const maximum = Math.max(...values);
  return maximum + Math.log(values.reduce((total, value) => total + Math.exp(value - maximum), 0));
}
