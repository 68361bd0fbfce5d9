import type { OptimizerSpec } from '@contour/optimizers/spec';

/** One competitor: an optimizer spec (as for createOptimizer) and an optional label. */
export interface Racer {
  readonly label?: string;
  readonly spec: OptimizerSpec;
}
