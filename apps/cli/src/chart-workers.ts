import { Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';

interface Job {
  readonly spec: TopLevelSpec;
  readonly paths: readonly string[];
  readonly resolve: (svg: string) => void;
  readonly reject: (error: Error) => void;
}

/** What a chart worker is asked: draw a chart (and write it to `paths`), or only prepare its shape. */
export interface ChartWorkerJob {
  readonly spec: TopLevelSpec;
  readonly paths: readonly string[];
  readonly prepare?: boolean;
}

/** What a chart worker answers: the SVG of a job (empty for a prepared one), or why it failed. */
export type ChartWorkerReply = { svg: string } | { error: string };

// Specs waiting to be prepared, at most (the oldest are dropped: they are only a head start).
const preparedKept = 256;
const ignore = () => undefined;

const workerUrl = new URL(
  `./chart-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

/**
 * Starts one chart worker; from the TypeScript sources (tests) through tsx's loader, with only the
 * flags the sources need instead of the parent's: Node applies `--conditions` to require() as well,
 * and on Node 24 an inherited `--conditions import` (a test runner's) made tsx hand Node JavaScript
 * for a required JSON file.
 */
function startWorker(): Worker {
  if (!workerUrl.pathname.endsWith('.ts')) return new Worker(workerUrl);
  const source = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); })`;
  return new Worker(source, { eval: true, execArgv: ['--conditions=@contour/source'] });
}

/**
 * Worker threads that draw charts (vega → SVG, resvg → PNG) and write them. Each worker loads the
 * chart modules and draws a warm-up chart as soon as it starts, so a command that starts the pool
 * before training pays for neither afterwards; jobs go to whichever worker is free. Idle workers do
 * not keep the process alive.
 */
export class ChartWorkerPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly waiting: Job[] = [];
  private readonly preparing: TopLevelSpec[] = [];
  private readonly workers: Worker[] = [];

  constructor(size = 1) {
    for (let index = 0; index < size; index += 1) {
      const worker = startWorker();
      worker.on('message', (reply: ChartWorkerReply) => this.finish(worker, reply));
      worker.on('error', (error) => this.fail(worker, error));
      worker.unref();
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  /** Renders `spec`, writes it to `paths` (`.svg`/`.png`) and resolves with the SVG. */
  render(spec: TopLevelSpec, paths: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ spec, paths, resolve, reject });
      this.dispatch();
      // A worker still preparing keeps the process alive until it takes this job.
      for (const worker of this.busy.keys()) worker.ref();
    });
  }

  /**
   * Compiles and parses the shapes of charts to come (see `prepareChartInThisThread`) whenever a
   * worker has no chart to draw; charts to draw always go first, and preparing keeps no process alive.
   */
  prepare(specs: readonly TopLevelSpec[]): void {
    this.preparing.push(...specs);
    this.preparing.splice(0, Math.max(0, this.preparing.length - preparedKept));
    this.dispatch();
  }

  /**
   * Stops every worker. A worker still preparing a chart may reply while it is being terminated:
   * that reply is no longer handled, since handling it unrefs the worker, which let the event loop
   * empty before the exit was reported and the command end with Node's exit code 13 (unsettled
   * top-level await) instead of its own.
   */
  async close(): Promise<void> {
    this.preparing.splice(0);
    await Promise.all(
      this.workers.map((worker) => {
        worker.removeAllListeners('message');
        worker.ref();
        return worker.terminate();
      }),
    );
  }

  private dispatch(): void {
    while (this.idle.length > 0 && (this.waiting.length > 0 || this.preparing.length > 0)) {
      const worker = this.idle.pop() as Worker;
      const job = this.waiting.shift();
      if (job === undefined) {
        const spec = this.preparing.shift() as TopLevelSpec;
        this.busy.set(worker, { spec, paths: [], resolve: ignore, reject: ignore });
        worker.postMessage({ spec, paths: [], prepare: true } satisfies ChartWorkerJob);
        continue;
      }
      this.busy.set(worker, job);
      worker.ref();
      worker.postMessage({ spec: job.spec, paths: job.paths } satisfies ChartWorkerJob);
    }
  }

  private finish(worker: Worker, reply: ChartWorkerReply): void {
    const job = this.busy.get(worker);
    if (job === undefined) return;
    this.busy.delete(worker);
    worker.unref();
    this.idle.push(worker);
    if ('svg' in reply) job.resolve(reply.svg);
    else job.reject(new Error(reply.error));
    this.dispatch();
  }

  private fail(worker: Worker, error: Error): void {
    // A dead worker fails its job and every job once none is left to run them.
    this.busy.get(worker)?.reject(error);
    this.busy.delete(worker);
    const index = this.idle.indexOf(worker);
    if (index >= 0) this.idle.splice(index, 1);
    const alive = this.workers.filter((candidate) => candidate !== worker);
    this.workers.splice(0, this.workers.length, ...alive);
    if (this.workers.length === 0) for (const job of this.waiting.splice(0)) job.reject(error);
  }
}
