import { describe, expect, it } from 'vitest';
import { WorkerProcessExitedError, WorkerProcessPool, workerExecArgv } from './worker-process-pool.js';

const echoWorker = new URL('./test-support/echo-worker.ts', import.meta.url);

interface EchoRequest {
  readonly replies: number;
  readonly exit?: number;
}
interface EchoReply {
  readonly pid: number;
  readonly reply: number;
  readonly last: boolean;
}

async function ask(pool: WorkerProcessPool<EchoRequest, EchoReply>, request: EchoRequest) {
  const replies: EchoReply[] = [];
  await pool.run(request, (reply) => {
    replies.push(reply);
    return reply.last;
  });
  return replies;
}

describe('WorkerProcessPool', () => {
  it('reuses its children from request to request and never starts more than its size', async () => {
    const pool = new WorkerProcessPool<EchoRequest, EchoReply>({ module: echoWorker, size: 2 });
    try {
      const answers = await Promise.all(Array.from({ length: 6 }, () => ask(pool, { replies: 3 })));
      for (const replies of answers) {
        expect(replies.map((reply) => reply.reply)).toEqual([1, 2, 3]);
        expect(new Set(replies.map((reply) => reply.pid)).size).toBe(1);
      }
      const pids = new Set(answers.map((replies) => replies[0]?.pid));
      expect(pids.size).toBeGreaterThanOrEqual(1);
      expect(pids.size).toBeLessThanOrEqual(2);
      const [next] = await ask(pool, { replies: 1 });
      expect(pids.has(next?.pid as number)).toBe(true);
    } finally {
      pool.close();
    }
  }, 60_000);

  it('rejects with the exit code when a child exits first, and replaces it for the next request', async () => {
    const pool = new WorkerProcessPool<EchoRequest, EchoReply>({ module: echoWorker, size: 1 });
    try {
      const [before] = await ask(pool, { replies: 1 });
      const error = await ask(pool, { replies: 1, exit: 3 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WorkerProcessExitedError);
      expect((error as WorkerProcessExitedError).code).toBe(3);
      expect((error as Error).message).toBe('worker exited (code 3) before reporting');
      const [after] = await ask(pool, { replies: 1 });
      expect(after?.pid).not.toBe(before?.pid);
    } finally {
      pool.close();
    }
  }, 60_000);

  it('refuses a size below 1', () => {
    expect(() => new WorkerProcessPool({ module: echoWorker, size: 0 })).toThrow(
      'WorkerProcessPool: size must be an integer ≥ 1; got 0',
    );
  });
});

describe('workerExecArgv', () => {
  it('runs TypeScript sources through tsx with the source condition, and built JavaScript as is', () => {
    expect(workerExecArgv(new URL('file:///a/worker.ts'))).toEqual([
      '--conditions=@contour/source',
      '--import',
      'tsx',
    ]);
    expect(workerExecArgv(new URL('file:///a/worker.js'), ['--max-old-space-size=512'])).toEqual([
      '--max-old-space-size=512',
    ]);
  });
});
