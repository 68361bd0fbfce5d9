// Importing this package registers the cpu backend, all tfjs-core gradients and the chained tensor
// methods (see register-cpu-backend.ts, the package's one module with side effects).
import './register-cpu-backend.js';

export {
  chainedOperationNames,
  registerChainedOperations,
  type TensorFlowCore,
} from './chained-operations.js';
export { MissingKernelError, toMissingKernelError } from './missing-kernel-error.js';
export {
  findMissingKernels,
  gradientKernelRequirements,
  probeTrainingSupport,
  type TrainingSupportReport,
} from './training-support.js';
export { cpuBackendName, useCpuBackend } from './use-cpu-backend.js';
