import '../register-cpu-backend.js';

export {
  backendConformanceChecks,
  type ConformanceCheck,
  ConformanceMismatchError,
  type ConformanceReport,
  type ConformanceResult,
  formatConformanceReport,
  runBackendConformance,
} from './backend-conformance.js';
