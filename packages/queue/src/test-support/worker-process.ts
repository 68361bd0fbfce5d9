import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A `queue-worker-main.ts` process started by a test. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** The worker's name (`host:pid`), as stored in the jobs it processes. */
  readonly name: string;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM (finish running trials), then wait for the exit; SIGKILL after `timeout`. */
  stop(timeout?: number): Promise<void>;
}

/**
 * How long a started worker may take to print `ready` (loading tsx, tfjs and BullMQ, connecting).
 * A timeout, not a check of speed: generous, as 30 s was not enough on a machine loaded by a CI
 * run and a type check beside the tests. Hooks and tests that start workers allow for it.
 */
export const workerStartTimeout = 300_000;

const main = fileURLToPath(new URL('./queue-worker-main.ts', import.meta.url));
const packageDirectory = fileURLToPath(new URL('../../', import.meta.url));

/** Starts a worker process on the sources and resolves once it is connected. */
export function startWorkerProcess(
  queueUrl: string,
  concurrency = 1,
  queueName?: string,
  /** Trials one pass may stack (the worker's `stack`); default the worker's default. */
  stack?: number,
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@contour/source',
      '--import',
      'tsx',
      main,
      queueUrl,
      String(concurrency),
      ...(queueName === undefined ? [] : [queueName]),
    ],
    {
      cwd: packageDirectory,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...(stack === undefined ? {} : { CONTOUR_TEST_WORKER_STACK: String(stack) }) },
    },
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (timeout = 15_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker did not start within ${workerStartTimeout / 1000} s:\n${text}`));
    }, workerStartTimeout);
    const check = () => {
      const match = /^ready (.+)$/m.exec(text);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve({ child, name: match[1] as string, output: () => text, stop });
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with code ${code} before it was ready:\n${text}`));
    });
  });
}
