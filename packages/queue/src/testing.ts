/**
 * @contour/queue/testing — a throwaway `redis-server` on a free loopback port, for tests of
 * queue sweeps (yours or Contour's).
 *
 * @packageDocumentation
 */
export {
  freePort,
  type RedisServer,
  type RedisServerOptions,
  startRedisServer,
} from './start-redis-server.js';
