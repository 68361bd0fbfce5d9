// Each line marked `rejected:` must fail to compile with a diagnostic containing the quoted text,
// and nothing else may fail (spec-types.test.ts runs tsc on this file alone).
import { createOptimizer } from '@contour/optimizers';
import { race } from '@contour/race';
import { createSchedule } from '@contour/schedules';

createSchedule({ type: 'cosin', lr: 0.1, tMax: 100 }); // rejected: '"cosin"' is not assignable
createSchedule({ type: 'cosine', lr: 0.1, tmax: 100 }); // rejected: 'tmax' does not exist
createSchedule({ type: 'step', lr: '0.1', stepSize: 30 }); // rejected: 'string' is not assignable to type 'number'
createSchedule({ type: 'step', lr: 0.1, stepSize: 30, unit: 'batch' }); // rejected: '"batch"' is not assignable
createOptimizer({ type: 'adamm', lr: 0.001 }); // rejected: '"adamm"' is not assignable
createOptimizer({ type: 'sgd', lr: 0.1, momentun: 0.9 }); // rejected: 'momentun' does not exist
createOptimizer({ type: 'sgd', lr: '0.1' }); // rejected: 'string' is not assignable
createOptimizer({ type: 'sgd', lr: { type: 'cosin', lr: 0.1, tMax: 10 } }); // rejected: '"cosin"' is not assignable
createOptimizer({ type: 'sgd', momentum: 0.9 }); // rejected: 'lr' is missing
race({ surface: 'beal', steps: 10, racers: [{ spec: { type: 'sgd', lr: 0.1 } }] }); // rejected: '"beal"' is not assignable
