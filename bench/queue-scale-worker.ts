// One worker process of the queue scale simulation: `contour worker` with the stub trainer.
//   node --conditions=@contour/source --import tsx bench/queue-scale-worker.ts <redis url> <concurrency>
import { startQueueWorker } from '../packages/queue/src/start-queue-worker.ts';

const [queueUrl = '', concurrency = '1'] = process.argv.slice(2);
const worker = await startQueueWorker({
  queueUrl,
  concurrency: Number(concurrency),
  processor: new URL('./stub-trial-processor.ts', import.meta.url),
  onError: (message) => process.stderr.write(`worker: ${message}\n`),
});
process.stdout.write(`ready ${worker.name}\n`);
process.on('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});
await worker.closed;
