import { join } from 'node:path';
import { scheduleChartSpec } from '@contour/metrics-logger';
import { createSchedule, sampleSchedule } from '@contour/schedules';
import type { Command } from 'commander';
import { compactTable } from '../compact-table.js';
import { renderChart } from '../render-chart.js';
import { userPath } from '../usage-error.js';

/** The schedules the demo draws: the shapes people reach for most, over 1,000 steps. */
export const demoSchedules = [
  { label: 'step decay (PyTorch StepLR)', spec: { type: 'step', lr: 0.1, stepSize: 300, gamma: 0.5 } },
  {
    label: 'warmup + cosine',
    spec: { type: 'warmup', lr: 0.1, steps: 100, schedule: { type: 'cosine', tMax: 900, etaMin: 0.001 } },
  },
  { label: 'one-cycle (PyTorch OneCycleLR)', spec: { type: 'oneCycle', maxLr: 0.1, totalSteps: 1000 } },
  {
    label: 'cyclic triangular2',
    spec: { type: 'cyclic', baseLr: 0.005, maxLr: 0.08, stepSizeUp: 125, mode: 'triangular2' },
  },
  {
    label: 'exponential decay (Keras)',
    spec: { type: 'exponentialDecay', lr: 0.1, decaySteps: 250, decayRate: 0.5 },
  },
] as const;

/** `contour demo`: draws the classic schedules overlaid, the README's first command. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('draw the classic learning-rate schedules overlaid (SVG + PNG) and print a summary')
    .option('--out <dir>', 'output directory', 'out/demo')
    .option('--steps <n>', 'steps to draw', '1000')
    .action(async (options: { out: string; steps: string }) => {
      const steps = Number(options.steps);
      const series = demoSchedules.map(({ label, spec }) => ({
        label,
        rates: sampleSchedule(createSchedule(spec), steps),
      }));
      const written = await renderChart(
        scheduleChartSpec(series, {
          title: `Learning-rate schedules over ${steps} steps`,
          width: 720,
          height: 360,
        }),
        join(userPath(options.out), 'schedules'),
        ['svg', 'png'],
      );
      const checkpoints = [0, 100, 250, 500, 750, steps - 1].filter((t) => t < steps);
      const table = compactTable(['schedule', ...checkpoints.map((t) => `t=${t}`)]);
      for (const { label, rates } of series) {
        table.push([
          label,
          ...checkpoints.map((t) => Number.parseFloat((rates[t] as number).toPrecision(4)).toString()),
        ]);
      }
      console.log(table.toString());
      for (const path of written) console.log(`wrote ${path}`);
    });
}
