// The one prom-client registry: screenings by outcome, latency, list age, queue depth, write-behind backlog, match cache (breaker state: sources/breaker.ts registers its gauges here).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'kycgate_process_' });

/** Live values read at scrape time; set by whoever owns them (serve wires the engine and queues). */
const sources: {
  listAgeSeconds?: () => number | undefined;
  queueDepths?: () => Promise<Record<string, number>>;
  matchCache?: () => { hits: number; misses: number; size: number } | undefined;
} = {};

const screenings = new Counter({
  name: 'kycgate_screenings_total',
  help: 'Screenings answered, by outcome (allow, review, deny, pending, unavailable) and path (fast, slow, api, worker)',
  labelNames: ['outcome', 'path'] as const,
  registers: [registry],
});

const latency = new Histogram({
  name: 'kycgate_screening_duration_seconds',
  help: 'Time from request to screening answer, by path',
  labelNames: ['path'] as const,
  buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

const listAge = new Gauge({
  name: 'kycgate_list_age_seconds',
  help: 'Age of the loaded list snapshot (seconds since it was created); absent while none is loaded',
  registers: [registry],
  collect() {
    const age = sources.listAgeSeconds?.();
    this.reset();
    if (age !== undefined && Number.isFinite(age)) this.set(age);
  },
});

const queueDepth = new Gauge({
  name: 'kycgate_queue_depth',
  help: 'Jobs waiting, delayed or active, by queue',
  labelNames: ['queue'] as const,
  registers: [registry],
  async collect() {
    if (!sources.queueDepths) return;
    try {
      const depths = await sources.queueDepths();
      this.reset();
      for (const [queue, depth] of Object.entries(depths)) this.set({ queue }, depth);
    } catch {
      this.reset(); // Redis down: no figure rather than a stale one
    }
  },
});

const writeBehind = new Gauge({
  name: 'kycgate_decisions_unpersisted',
  help: 'Allow decisions answered but not yet written to the database (write-behind buffer)',
  registers: [registry],
});

const matchCache = new Gauge({
  name: 'kycgate_match_cache',
  help: 'Name-search cache of the loaded snapshot (KYCGATE_MATCH_CACHE_SIZE): hits and misses since the snapshot loaded, names held',
  labelNames: ['stat'] as const,
  registers: [registry],
  collect() {
    const stats = sources.matchCache?.();
    this.reset();
    if (!stats) return;
    for (const [stat, value] of Object.entries(stats)) this.set({ stat }, value);
  },
});

type CounterChild = ReturnType<typeof screenings.labels>;
type HistogramChild = ReturnType<typeof latency.labels>;
const screeningChildren = new Map<string, CounterChild>();
const latencyChildren = new Map<string, HistogramChild>();

/** Counts one decided screening and its latency; the labelled series are looked up once, not hashed per request. */
function screeningDecided(outcome: string, path: string, seconds: number): void {
  const key = `${outcome}\u0000${path}`;
  let counter = screeningChildren.get(key);
  if (!counter) screeningChildren.set(key, (counter = screenings.labels({ outcome, path })));
  let histogram = latencyChildren.get(path);
  if (!histogram) latencyChildren.set(path, (histogram = latency.labels({ path })));
  counter.inc();
  histogram.observe(seconds);
}

/** kycgate's metrics; `/metrics` serves `registry`. */
export const metrics = { registry, screenings, latency, listAge, queueDepth, writeBehind, matchCache, screeningDecided };

/** Registers the live sources read at scrape time (list age, queue depths, match cache). Later calls replace earlier ones. */
export function bindMetricSources(next: typeof sources): void {
  if (next.listAgeSeconds) sources.listAgeSeconds = next.listAgeSeconds;
  if (next.queueDepths) sources.queueDepths = next.queueDepths;
  if (next.matchCache) sources.matchCache = next.matchCache;
}
