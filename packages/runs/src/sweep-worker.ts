// A sweep worker process: trains the trials its coordinator sends, one at a time, and reports back
// over IPC. It stays for the next trial (tfjs and the data load once) until the coordinator
// disconnects; a coordinator that dies disconnects it too.
import type { MetricsRecord } from '@contour/metrics-logger';
import { runTraining } from './run-training.js';
import type { WorkerReply, WorkerRequest } from './sweep-runner.js';

const controller = new AbortController();
// The terminal's Ctrl-C reaches the whole process group: finish the current step, then stop.
process.on('SIGINT', () => controller.abort());

const reply = (message: WorkerReply) => process.send?.(message);

process.on('message', async (request: WorkerRequest) => {
  if (request.type !== 'run') return;
  try {
    const outcome = await runTraining(request.trial.config, {
      directory: request.directory,
      runId: request.trial.id,
      resume: request.resume,
      console: false,
      signal: controller.signal,
      sinks: [
        {
          write: (record: MetricsRecord) => {
            if (record.kind === 'epoch') reply({ type: 'epoch', record });
          },
        },
      ],
    });
    reply({ type: 'done', status: outcome.status, summary: outcome.summary });
  } catch (error) {
    reply({
      type: 'failed',
      message: error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error),
    });
  }
});
process.on('disconnect', () => process.exit(0));
