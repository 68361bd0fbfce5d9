// Importing this package registers the cpu fallback and the training ops; the native backend is
// registered by `loadNodeBackend` / `useNodeBackend` (see register-node-backend.ts, the package's
// one module with side effects), never at import time.
export {
  type LoadNodeBackendOptions,
  loadNodeBackend,
  type NodeBackendLoadResult,
  nodeBackendPackage,
} from './register-node-backend.js';
export {
  type NodeBackendActivation,
  NodeBackendUnavailableError,
  nodeBackendName,
  type UseNodeBackendOptions,
  useNodeBackend,
} from './use-node-backend.js';
