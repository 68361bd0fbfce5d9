import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A throwaway Redis server for tests. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /**
   * Stops the server (SIGTERM, then SIGKILL after two seconds), waits for it to exit and removes
   * its working directory when it made one.
   */
  stop(): Promise<void>;
  /**
   * Stops the server and starts it again on the same port: with `appendOnly` it comes back with
   * its data (read from its append-only file), without it empty.
   */
  restart(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /**
   * Persist with an append-only file (`appendonly yes`, `appendfsync everysec`) in `directory`,
   * as a real deployment should. Default: no persistence at all.
   */
  readonly appendOnly?: boolean;
  /** The server's working directory (where the append-only file goes). Default: a new temp dir. */
  readonly directory?: string;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts `redis-server` (Debian package `redis-server`) on a free loopback port and resolves once
 * it answers PING: without persistence (`--save '' --appendonly no`) unless `appendOnly`.
 *
 * @throws Error saying how to install it when `redis-server` is not on the PATH.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const owned = options.directory === undefined;
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'contour-redis-'));
  const persistence = options.appendOnly
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec']
    : ['--appendonly', 'no'];
  let child = await launch(port, ['--dir', directory, '--save', '', ...persistence]);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await stopProcess(child);
      if (owned) rmSync(directory, { recursive: true, force: true });
    },
    restart: async () => {
      await stopProcess(child);
      child = await launch(port, ['--dir', directory, '--save', '', ...persistence]);
    },
  };
}

async function launch(port: number, settings: string[]): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...settings], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const spawnFailure = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error('redis-server is not installed (apt-get install -y redis-server)')
          : error,
      ),
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}`)));
  });
  spawnFailure.catch(() => {});
  const url = `redis://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const client = new Redis(url, {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      client.on('error', () => {});
      try {
        await client.connect();
        // LOADING while an append-only file is read back: not ready yet.
        if ((await client.ping()) === 'PONG') return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        client.disconnect();
      }
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  })();
  try {
    await Promise.race([ready, spawnFailure]);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return child;
}
