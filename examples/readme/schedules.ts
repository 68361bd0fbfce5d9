import { createSchedule, sampleSchedule, warmup } from '@contour/schedules';

const schedule = createSchedule({
  type: 'warmup',
  lr: 0.1,
  steps: 500,
  schedule: { type: 'cosine', tMax: 9500, etaMin: 1e-4 }, // inherits lr
});
console.log(schedule.value(0)); // 0 (ramps from startFactor·s(0))
console.log(schedule.value(500)); // 0.1
const rates = sampleSchedule(schedule, 10_000); // value(t) for t = 0..9999
console.log(rates.length, rates[9_999]?.toFixed(6)); // 10000 0.000100 (etaMin)

// Typed factories build the same objects.
const same = warmup({ lr: 0.1, steps: 500, schedule: { type: 'cosine', tMax: 9500, etaMin: 1e-4 } });
console.log(same.value(250) === schedule.value(250)); // true
console.log(JSON.stringify(schedule.spec) === JSON.stringify(same.spec)); // true
