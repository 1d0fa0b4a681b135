// Redis connections for BullMQ and pub/sub, and a quick probe of whether Redis answers at all.
import { Redis, type RedisOptions } from 'ioredis';
import { DEFAULT_REDIS_URL, type Config } from '../config.js';

/** The Redis URL in force: REDIS_URL, else the default local one. */
export function redisUrl(config: Config): string {
  return config.REDIS_URL ?? DEFAULT_REDIS_URL;
}

/**
 * Opens an ioredis connection suitable for BullMQ (`maxRetriesPerRequest: null`).
 * `failFast` connections (producers on the hot path) do not queue commands while Redis is down.
 */
export function connectRedis(url: string, options: { failFast?: boolean; name?: string } = {}): Redis {
  const opts: RedisOptions = {
    maxRetriesPerRequest: null,
    enableOfflineQueue: !options.failFast,
    connectionName: options.name,
    lazyConnect: false,
  };
  return new Redis(url, opts);
}

/** True when Redis at `url` answers PING within `timeoutMs`. Never throws. */
export async function probeRedis(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false });
  client.on('error', () => {});
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs)),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
