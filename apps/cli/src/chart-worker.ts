// A chart worker thread of ChartWorkerPool: loads the chart modules, warms them up, then renders jobs.

import { parentPort } from 'node:worker_threads';
import { scheduleChartSpec } from '@contour/metrics-logger';
import type { ChartWorkerJob, ChartWorkerReply } from './chart-workers.js';
import {
  prepareChartInThisThread,
  renderChartSvgInThisThread,
  svgToPng,
  writeChartInThisThread,
} from './render-chart.js';

const port = parentPort;
if (port === null) throw new Error('chart-worker runs only as a worker thread');

// Jobs wait for the warm-up (module loading, JIT) instead of racing it.
const warmedUp = (async () => {
  const rates = Array.from({ length: 50 }, (_, step) => 0.1 * 0.95 ** step);
  await svgToPng(await renderChartSvgInThisThread(scheduleChartSpec([{ label: 'warm-up', rates }])));
})().catch(() => undefined);

port.on('message', async (job: ChartWorkerJob) => {
  let reply: ChartWorkerReply;
  try {
    await warmedUp;
    if (job.prepare) {
      await prepareChartInThisThread(job.spec);
      reply = { svg: '' };
    } else reply = { svg: await writeChartInThisThread(job.spec, job.paths) };
  } catch (error) {
    reply = { error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
