import { Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';

interface Job {
  readonly spec: TopLevelSpec;
  readonly paths: readonly string[];
  readonly prepare?: boolean;
  readonly resolve: (svg: string) => void;
  readonly reject: (error: Error) => void;
}

/**
 * What a chart worker is asked: draw a chart (and write it to `paths`), or only prepare its shape;
 * `id` comes back with the answer.
 */
export interface ChartWorkerJob {
  readonly id: number;
  readonly spec: TopLevelSpec;
  readonly paths: readonly string[];
  readonly prepare?: boolean;
}

/** What a chart worker answers: the SVG of a job (empty for a prepared one), or why it failed. */
export type ChartWorkerReply = { readonly id: number } & ({ svg: string } | { error: string });

// Specs waiting to be prepared, at most (the oldest are dropped: they are only a head start).
const preparedKept = 256;
// Charts sent to one worker and not answered yet, at most: a worker draws the next chart while the
// PNGs of the last rasterise (it answers a chart once its files are written).
const chartsInFlight = 3;
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
 * before training pays for neither afterwards; jobs go to the worker with the fewest. A worker draws
 * its charts one after another and rasterises their PNGs in libuv's threads meanwhile, so several
 * of its charts are under way at once. Idle workers do not keep the process alive.
 */
export class ChartWorkerPool {
  // Jobs sent to each worker and not answered yet, by id.
  private readonly sent = new Map<Worker, Map<number, Job>>();
  private readonly waiting: Job[] = [];
  private readonly preparing: TopLevelSpec[] = [];
  private readonly workers: Worker[] = [];
  private nextId = 0;

  constructor(size = 1) {
    for (let index = 0; index < size; index += 1) {
      const worker = startWorker();
      worker.on('message', (reply: ChartWorkerReply) => this.finish(worker, reply));
      worker.on('error', (error) => this.fail(worker, error));
      worker.unref();
      this.workers.push(worker);
      this.sent.set(worker, new Map());
    }
  }

  /** Renders `spec`, writes it to `paths` (`.svg`/`.png`) and resolves with the SVG. */
  render(spec: TopLevelSpec, paths: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      // The charts those shapes were prepared for are now being drawn.
      this.preparing.splice(0);
      this.waiting.push({ spec, paths, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * Compiles and parses the shapes of charts to come (see `prepareChartInThisThread`) whenever a
   * worker has nothing to draw, until the first chart to draw arrives; preparing keeps no process
   * alive.
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
    for (;;) {
      const job = this.waiting[0];
      if (job !== undefined) {
        // Not to a worker preparing a shape: the chart would wait for it.
        const worker = this.leastBusy(
          (jobs) => jobs.size < chartsInFlight && ![...jobs.values()].some((sent) => sent.prepare),
        );
        if (worker === undefined) break;
        this.waiting.shift();
        this.send(worker, job);
      } else if (this.preparing.length > 0) {
        const worker = this.leastBusy((jobs) => jobs.size === 0);
        if (worker === undefined) break;
        const spec = this.preparing.shift() as TopLevelSpec;
        this.send(worker, { spec, paths: [], prepare: true, resolve: ignore, reject: ignore });
      } else break;
    }
    this.keepAlive();
  }

  private send(worker: Worker, job: Job): void {
    const id = this.nextId++;
    this.jobsOf(worker).set(id, job);
    worker.postMessage({
      id,
      spec: job.spec,
      paths: job.paths,
      ...(job.prepare ? { prepare: true } : {}),
    } satisfies ChartWorkerJob);
  }

  /** Of the workers whose jobs `fits` accepts, the one with the fewest. */
  private leastBusy(fits: (jobs: ReadonlyMap<number, Job>) => boolean): Worker | undefined {
    let best: Worker | undefined;
    for (const worker of this.workers) {
      const jobs = this.jobsOf(worker);
      if (fits(jobs) && (best === undefined || jobs.size < this.jobsOf(best).size)) best = worker;
    }
    return best;
  }

  /**
   * A worker keeps the process alive while it draws a chart, or prepares one while a chart waits
   * for it; otherwise not.
   */
  private keepAlive(): void {
    for (const worker of this.workers) {
      const jobs = [...this.jobsOf(worker).values()];
      if (jobs.some((job) => !job.prepare) || (this.waiting.length > 0 && jobs.length > 0)) worker.ref();
      else worker.unref();
    }
  }

  private jobsOf(worker: Worker): Map<number, Job> {
    return this.sent.get(worker) ?? new Map();
  }

  private finish(worker: Worker, reply: ChartWorkerReply): void {
    const jobs = this.jobsOf(worker);
    const job = jobs.get(reply.id);
    if (job === undefined) return;
    jobs.delete(reply.id);
    if ('svg' in reply) job.resolve(reply.svg);
    else job.reject(new Error(reply.error));
    this.dispatch();
  }

  private fail(worker: Worker, error: Error): void {
    // A dead worker fails its jobs, and every job once none is left to run them.
    for (const job of this.jobsOf(worker).values()) job.reject(error);
    this.sent.delete(worker);
    const alive = this.workers.filter((candidate) => candidate !== worker);
    this.workers.splice(0, this.workers.length, ...alive);
    if (this.workers.length === 0) for (const job of this.waiting.splice(0)) job.reject(error);
    else this.dispatch();
  }
}
