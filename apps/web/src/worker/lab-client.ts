import type { WorkerReply, WorkerRequest } from './protocol.js';

/** A typed handle on the training worker (`lab-worker.ts`, bundled by Vite as a module worker). */
export class LabWorker {
  readonly #worker: Worker;

  constructor(onReply: (reply: WorkerReply) => void, name: string) {
    this.#worker = new Worker(new URL('./lab-worker.ts', import.meta.url), { type: 'module', name });
    this.#worker.onmessage = (event: MessageEvent<WorkerReply>) => onReply(event.data);
    this.#worker.onerror = (event) => {
      event.preventDefault();
      onReply({ type: 'error', message: event.message || 'the training worker failed to start' });
    };
  }

  send(request: WorkerRequest): void {
    this.#worker.postMessage(request);
  }

  terminate(): void {
    this.#worker.terminate();
  }
}
