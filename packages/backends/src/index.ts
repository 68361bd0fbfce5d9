export { BackendUnavailableError, UnknownBackendError } from './backend-errors.js';
export {
  automaticOrder,
  type BackendAttempt,
  type BackendName,
  type BackendRequest,
  type BackendSelection,
  backendRequests,
  defaultAttemptTimeoutMilliseconds,
  detectEnvironment,
  type SelectBackendOptions,
  selectBackend,
} from './select-backend.js';
export { describeWebGL, softwareWebGLReason, type WebGLRendererInfo } from './webgl-renderer.js';
