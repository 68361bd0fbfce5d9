import { describe, expect, it } from 'vitest';
import {
  checkQueueConnection,
  parseQueueUrl,
  QueueConnectionError,
  QueueOptionError,
} from './queue-connection.js';
import { freePort } from './start-redis-server.js';

describe('parseQueueUrl', () => {
  it('reads host, port, database and TLS, and hides credentials in the display form', () => {
    expect(parseQueueUrl('redis://10.0.0.5:6380/2')).toMatchObject({
      host: '10.0.0.5',
      port: 6380,
      database: 2,
      tls: false,
      display: 'redis://10.0.0.5:6380/2',
    });
    expect(parseQueueUrl('rediss://user:secret@cache.example:7000')).toMatchObject({
      port: 7000,
      database: 0,
      tls: true,
      display: 'rediss://cache.example:7000',
    });
    expect(parseQueueUrl('redis://queue-host').port).toBe(6379);
  });

  it('rejects what is not a Redis address in one line naming --queue', () => {
    for (const [input, message] of [
      ['localhost:6379', /--queue must start with redis:\/\/ or rediss:\/\//],
      ['http://host:6379', /--queue must start with redis:\/\/ or rediss:\/\/.*"http:\/\/"/],
      ['not a url', /--queue must be a Redis address like redis:\/\/host:6379; got "not a url"/],
      ['redis://host:6379/zero', /--queue database must be a number/],
    ] as const) {
      expect(() => parseQueueUrl(input)).toThrow(QueueOptionError);
      expect(() => parseQueueUrl(input)).toThrow(message);
    }
  });
});

describe('checkQueueConnection', () => {
  it('gives up at once on a port where nothing listens, naming the address', async () => {
    const port = await freePort();
    const started = performance.now();
    const error = await checkQueueConnection(parseQueueUrl(`redis://127.0.0.1:${port}`)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(QueueConnectionError);
    expect((error as QueueConnectionError).address).toBe(`redis://127.0.0.1:${port}`);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
