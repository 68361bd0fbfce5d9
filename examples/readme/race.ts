import { useCpuBackend } from '@contour/backend-cpu';
import { raceChartSpec } from '@contour/metrics-logger';
import { race, raceAnimationHtml, raceChartData, racePreset } from '@contour/race';

await useCpuBackend(); // a backend and tfjs' gradients: call once before racing

const result = race({
  surface: 'beale',
  start: [1, 1.5],
  steps: 300,
  racers: racePreset('classic-race', 'beale'),
});
// Beale has its minimum at (3, 0.5).
for (const trajectory of result.trajectories) {
  // steps + 1 points [x, y], the start first (float32 values)
  const [x, y] = trajectory.points[trajectory.points.length - 1] ?? [];
  console.log(trajectory.label, trajectory.points.length, x?.toFixed(3), y?.toFixed(3));
}
const vegaLite = raceChartSpec(raceChartData(result)); // contour map + paths + minima, headless or in a browser
const page = raceAnimationHtml(result); // self-contained HTML replay
console.log(typeof vegaLite, page.includes('<html'));
