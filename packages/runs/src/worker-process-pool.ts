import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Options of {@link WorkerProcessPool}. */
export interface WorkerProcessPoolOptions {
  /** The module each child runs (it answers requests sent over IPC, one at a time). */
  readonly module: URL;
  /** At most this many children at once; each is started when first needed. */
  readonly size: number;
  /** The children's environment; default this process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Extra Node flags for the children (from sources they also run through tsx). */
  readonly execArgv?: readonly string[];
}

/** A child exited (crashed, killed) before it answered its request. */
export class WorkerProcessExitedError extends Error {
  constructor(
    readonly code: number | null,
    readonly exitSignal: NodeJS.Signals | null,
  ) {
    super(`worker exited (${exitSignal ?? `code ${code}`}) before reporting`);
    this.name = 'WorkerProcessExitedError';
  }
}

/** Node flags a child needs: a module run from its TypeScript source goes through tsx. */
export function workerExecArgv(module: URL, extra: readonly string[] = []): string[] {
  const flags = [...extra];
  if (module.pathname.endsWith('.ts')) {
    if (!flags.includes('--conditions=@contour/source')) flags.push('--conditions=@contour/source');
    const importsTsx = flags.some(
      (flag, index) => (flag === '--import' && flags[index + 1] === 'tsx') || flag === '--import=tsx',
    );
    if (!importsTsx) flags.push('--import', 'tsx');
  }
  return flags;
}

/**
 * Child processes reused from request to request: each loads tfjs, its backend and its data once
 * instead of once per trial (about a second of start-up each). A child answers one request at a
 * time; a child that exits is replaced by a new one for the next request.
 */
export class WorkerProcessPool<Request, Reply> {
  private readonly idle: ChildProcess[] = [];
  private readonly all = new Set<ChildProcess>();
  private readonly waiting: Array<(child: ChildProcess) => void> = [];
  private closed = false;

  constructor(private readonly options: WorkerProcessPoolOptions) {
    if (!Number.isSafeInteger(options.size) || options.size < 1)
      throw new RangeError(`WorkerProcessPool: size must be an integer ≥ 1; got ${options.size}`);
  }

  /** The children running now (idle or busy). */
  get processes(): readonly ChildProcess[] {
    return [...this.all];
  }

  private start(): ChildProcess {
    const child = fork(fileURLToPath(this.options.module), [], {
      execArgv: workerExecArgv(this.options.module, this.options.execArgv),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      ...(this.options.env ? { env: this.options.env } : {}),
    });
    this.all.add(child);
    child.once('exit', () => {
      this.all.delete(child);
      const at = this.idle.indexOf(child);
      if (at >= 0) this.idle.splice(at, 1);
    });
    return child;
  }

  private acquire(): Promise<ChildProcess> {
    if (this.closed) return Promise.reject(new Error('WorkerProcessPool is closed'));
    const child = this.idle.pop();
    if (child) return Promise.resolve(child);
    if (this.all.size < this.options.size) return Promise.resolve(this.start());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(child: ChildProcess): void {
    if (!this.all.has(child)) {
      // It exited: a waiting request gets a fresh child instead.
      const next = this.waiting.shift();
      if (next && !this.closed) next(this.start());
      return;
    }
    const next = this.waiting.shift();
    if (next) next(child);
    else if (this.closed) child.disconnect();
    else this.idle.push(child);
  }

  /**
   * Sends `request` to a free child and passes its replies to `onReply` until it returns true (the
   * last reply). Rejects with {@link WorkerProcessExitedError} if the child exits first.
   */
  async run(request: Request, onReply: (reply: Reply) => boolean): Promise<void> {
    const child = await this.acquire();
    try {
      await new Promise<void>((resolve, reject) => {
        const onMessage = (reply: Reply) => {
          let last: boolean;
          try {
            last = onReply(reply);
          } catch (error) {
            stop();
            reject(error);
            return;
          }
          if (last) {
            stop();
            resolve();
          }
        };
        const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
          stop();
          reject(new WorkerProcessExitedError(code, signal));
        };
        const stop = () => {
          child.off('message', onMessage);
          child.off('exit', onExit);
        };
        child.on('message', onMessage);
        child.on('exit', onExit);
        if (child.exitCode !== null || child.signalCode !== null) {
          onExit(child.exitCode, child.signalCode);
          return;
        }
        child.send(request as never, (error) => {
          if (error) {
            stop();
            reject(error);
          }
        });
      });
    } finally {
      this.release(child);
    }
  }

  /** Sends a signal to every child (e.g. SIGINT: finish the current step, then stop). */
  signal(signal: NodeJS.Signals): void {
    for (const child of this.all) child.kill(signal);
  }

  /**
   * Stops the children: idle ones at once (they exit when their IPC channel closes), busy ones
   * after their current request; with `force`, all of them at once (SIGKILL).
   */
  close(force = false): void {
    this.closed = true;
    for (const child of force ? this.all : this.idle) {
      if (force) child.kill('SIGKILL');
      else if (child.connected) child.disconnect();
    }
    this.idle.length = 0;
  }
}
