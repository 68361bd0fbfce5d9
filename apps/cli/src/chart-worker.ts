// A chart worker thread of ChartWorkerPool: loads the chart modules, warms them up, then draws jobs.

import { parentPort } from 'node:worker_threads';
import { scheduleChartSpec } from '@contour/metrics-logger';
import type { ChartWorkerJob, ChartWorkerReply } from './chart-workers.js';
import {
  drawChartInThisThread,
  prepareChartInThisThread,
  renderChartSvgInThisThread,
  svgToPng,
} from './render-chart.js';

if (parentPort === null) throw new Error('chart-worker runs only as a worker thread');
const port = parentPort;

// Jobs wait for the warm-up (module loading, JIT) instead of racing it, and are drawn one after
// another; a chart is answered once its files are written, its PNGs while the next is drawn.
let drawing: Promise<unknown> = (async () => {
  const rates = Array.from({ length: 50 }, (_, step) => 0.1 * 0.95 ** step);
  await svgToPng(await renderChartSvgInThisThread(scheduleChartSpec([{ label: 'warm-up', rates }])));
})().catch(() => undefined);

const failure = (id: number, error: unknown): ChartWorkerReply => ({
  id,
  error: error instanceof Error ? error.message : String(error),
});

async function run({ id, spec, paths, prepare }: ChartWorkerJob): Promise<void> {
  try {
    if (prepare) {
      await prepareChartInThisThread(spec);
      port.postMessage({ id, svg: '' } satisfies ChartWorkerReply);
      return;
    }
    const { svg, pngs } = await drawChartInThisThread(spec, paths);
    pngs.then(
      () => port.postMessage({ id, svg } satisfies ChartWorkerReply),
      (error: unknown) => port.postMessage(failure(id, error)),
    );
  } catch (error) {
    port.postMessage(failure(id, error));
  }
}

port.on('message', (job: ChartWorkerJob) => {
  drawing = drawing.then(() => run(job));
});
