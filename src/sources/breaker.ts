// One opossum circuit breaker per list source; state changes are logged, published to Redis and exported to prom-client.
import CircuitBreaker from 'opossum';
import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { KycError, isKycError } from '../errors.js';
import type { Logger } from '../runtime/logger.js';
import { BREAKER_STATE_VALUE, readSourceStatus, updateSourceStatus, type BreakerState } from './source-status.js';

export interface BreakerOptions {
  /** Failure percentage over the rolling window that opens the breaker. @defaultValue 50 */
  errorThresholdPercentage?: number;
  /** Minimum calls in the window before it may open. @defaultValue 3 */
  volumeThreshold?: number;
  /** Time open before one trial call (half-open), ms. @defaultValue 300000 (5 min) */
  resetTimeoutMs?: number;
  /** Rolling statistics window, ms. @defaultValue 3600000 (1 h) */
  rollingCountTimeoutMs?: number;
}

export interface SourceBreakersDeps {
  logger: Logger;
  /** Where state changes are published for other processes (`lists status`, API /metrics). */
  redis?: Redis;
  prefix?: string;
  options?: BreakerOptions;
}

type Action = () => Promise<unknown>;

/** Breakers keyed by source id, created on first use. */
export class SourceBreakers {
  private readonly breakers = new Map<string, CircuitBreaker<[Action], unknown>>();
  private readonly opts: Required<BreakerOptions>;

  constructor(private readonly deps: SourceBreakersDeps) {
    this.opts = {
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      resetTimeoutMs: 300_000,
      rollingCountTimeoutMs: 3_600_000,
      ...Object.fromEntries(Object.entries(deps.options ?? {}).filter(([, v]) => v !== undefined)),
    };
  }

  private breaker(source: string): CircuitBreaker<[Action], unknown> {
    let b = this.breakers.get(source);
    if (b) return b;
    b = new CircuitBreaker<[Action], unknown>((action: Action) => action(), {
      name: source,
      timeout: false,
      errorThresholdPercentage: this.opts.errorThresholdPercentage,
      volumeThreshold: this.opts.volumeThreshold,
      resetTimeout: this.opts.resetTimeoutMs,
      rollingCountTimeout: this.opts.rollingCountTimeoutMs,
      rollingCountBuckets: 10,
    });
    const publish = (state: BreakerState) => {
      this.deps.logger[state === 'open' ? 'warn' : 'info']({ source, breaker: state }, `list source breaker ${state}`);
      if (this.deps.redis && this.deps.prefix) {
        updateSourceStatus(this.deps.redis, this.deps.prefix, source, { breaker: state }).catch(() => {});
      }
    };
    b.on('open', () => publish('open'));
    b.on('halfOpen', () => publish('half-open'));
    b.on('close', () => publish('closed'));
    this.breakers.set(source, b);
    return b;
  }

  /** Runs `action` through the source's breaker; when open it fails fast with KYC_ERR_SOURCE_BREAKER_OPEN. */
  async fire<T>(source: string, action: () => Promise<T>): Promise<T> {
    const b = this.breaker(source);
    try {
      return (await b.fire(action)) as T;
    } catch (err) {
      if (!isKycError(err) && (err as { code?: string }).code === 'EOPENBREAKER') {
        throw new KycError('KYC_ERR_SOURCE_BREAKER_OPEN', `list source ${source}: circuit breaker open after repeated failures; the previous snapshot keeps serving`, { source });
      }
      throw err;
    }
  }

  state(source: string): BreakerState {
    const b = this.breakers.get(source);
    if (!b) return 'closed';
    return b.opened ? 'open' : b.halfOpen ? 'half-open' : 'closed';
  }

  states(): Record<string, BreakerState> {
    return Object.fromEntries([...this.breakers.keys()].map((s) => [s, this.state(s)]));
  }

  /** Stops the breakers' timers (so the process can exit). */
  shutdown(): void {
    for (const b of this.breakers.values()) b.shutdown();
    this.breakers.clear();
  }
}

/**
 * Registers gauges over the source status published in Redis (any process's breakers):
 * `kycgate_source_breaker_state{source}` (0 closed, 1 half-open, 2 open),
 * `kycgate_source_consecutive_failures{source}`, `kycgate_source_last_success_timestamp_seconds{source}` (a refresh
 * that imported the source or found it unchanged: what to alert on, per source) and
 * `kycgate_source_last_refusal_timestamp_seconds{source}`.
 * Read at scrape time; a Redis outage leaves the gauges as last seen.
 */
export function registerSourceMetrics(registry: Registry, redis: Redis, prefix: string): void {
  let cache: Promise<Awaited<ReturnType<typeof readSourceStatus>>> | undefined;
  const read = () => {
    cache ??= readSourceStatus(redis, prefix).finally(() => setTimeout(() => (cache = undefined), 200).unref());
    return cache;
  };
  new Gauge({
    name: 'kycgate_source_breaker_state',
    help: 'Circuit breaker state per list source: 0 closed, 1 half-open, 2 open',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      try {
        for (const [source, s] of Object.entries(await read())) this.set({ source }, BREAKER_STATE_VALUE[s.breaker]);
      } catch {
        /* keep last values */
      }
    },
  });
  new Gauge({
    name: 'kycgate_source_consecutive_failures',
    help: 'Consecutive failed refreshes per list source (download or validation)',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      try {
        for (const [source, s] of Object.entries(await read())) this.set({ source }, s.consecutiveFailures);
      } catch {
        /* keep last values */
      }
    },
  });
  new Gauge({
    name: 'kycgate_source_last_success_timestamp_seconds',
    help: 'When a refresh of the source last succeeded (imported, or found unchanged), unix seconds; 0 = never',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      try {
        for (const [source, s] of Object.entries(await read())) this.set({ source }, s.lastSuccessAt ? Date.parse(s.lastSuccessAt) / 1000 : 0);
      } catch {
        /* keep last values */
      }
    },
  });
  new Gauge({
    name: 'kycgate_source_last_refusal_timestamp_seconds',
    help: 'When a refreshed file set of the source was last refused (previous snapshot kept serving), unix seconds; 0 = never',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      try {
        for (const [source, s] of Object.entries(await read())) this.set({ source }, s.lastRefusal ? Date.parse(s.lastRefusal.at) / 1000 : 0);
      } catch {
        /* keep last values */
      }
    },
  });
}
