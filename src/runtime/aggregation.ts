// Sums estimated training operations per ultimate parent and per linked-account group over a sliding window in Redis (atomic, expiring).
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Customer, Parent } from '../model/index.js';

// Requests are filed by their SIGNATURE, the set of groups they were linked to: every request is in
// exactly one signature, so the sum over the union of some groups' requests (each request once) is the
// sum of the running totals of the signatures those groups reach. Per signature: a sorted set of
// `<requestId>|<ops>` by time (to expire exactly at the window's edge) and a running total, so a call
// costs O(signatures reached + requests just expired), not O(requests in the window).

// One request's addition, its keys from KEYS[k]: request marker, signature set, signature total, then its group
// index sets up to KEYS[k + n - 1]. A request id already marked within the window is not counted again.
const ADD_ONE = `
local function addOne(k, n, now, window, member, ops, sig)
  if redis.call('SET', KEYS[k], '1', 'NX', 'PX', window) then
    redis.call('ZADD', KEYS[k + 1], now, member)
    local t = tonumber(redis.call('GET', KEYS[k + 2]) or '0') or 0
    redis.call('SET', KEYS[k + 2], string.format('%.17g', t + ops))
  end
  redis.call('PEXPIRE', KEYS[k + 1], window)
  redis.call('PEXPIRE', KEYS[k + 2], window)
  for i = k + 3, k + n - 1 do
    redis.call('SADD', KEYS[i], sig)
    redis.call('PEXPIRE', KEYS[i], window)
  end
end
`;

// Adds one request (unless member is '') and returns its groups' sum, dropping expired requests on the way.
// KEYS: [request marker, signature set, signature total, group index sets…].
// ARGV: nowMs, windowMs, member ('' = only read), ops, signature id, key prefix of signatures.
// Signature keys reached through a group are derived from ARGV[6] (same hash-tagged prefix, same slot).
// Returns the sum as a string (Lua numbers would be truncated to integers in a Redis reply).
const ADD_AND_SUM = `${ADD_ONE}
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local member = ARGV[3]
local cutoff = now - window
local pfx = ARGV[6]
local function opsOf(m)
  local sep = string.find(m, '|', 1, true)
  if sep then return tonumber(string.sub(m, sep + 1)) or 0 end
  return 0
end
if member ~= '' then addOne(1, #KEYS, now, window, member, tonumber(ARGV[4]), ARGV[5]) end
local seen = {}
local total = 0
for i = 4, #KEYS do
  for _, sig in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    if not seen[sig] then
      seen[sig] = true
      local z = pfx .. 's:' .. sig
      local t = pfx .. 't:' .. sig
      local old = redis.call('ZRANGEBYSCORE', z, '-inf', cutoff)
      if #old > 0 then
        redis.call('ZREMRANGEBYSCORE', z, '-inf', cutoff)
        if redis.call('ZCARD', z) == 0 then
          redis.call('DEL', t)
        else
          local gone = 0
          for _, m in ipairs(old) do gone = gone + opsOf(m) end
          local v = tonumber(redis.call('GET', t) or '0') or 0
          redis.call('SET', t, string.format('%.17g', v - gone), 'KEEPTTL')
        end
      end
      if redis.call('EXISTS', z) == 0 then
        redis.call('SREM', KEYS[i], sig)
      else
        total = total + (tonumber(redis.call('GET', t) or '0') or 0)
      end
    end
  end
end
return tostring(total)
`;

// Adds many requests without reading any sum (additions nobody waits for). KEYS: each request's keys as in
// ADD_AND_SUM, one request after the other. ARGV: windowMs, then per request: its number of keys, nowMs, member,
// ops, signature id. Expired requests are dropped later, by the next call that reads a sum. Returns, per request,
// '' or the error it met (one request's error, e.g. WRONGTYPE, does not stop the others).
const ADD_ONLY = `${ADD_ONE}
local window = tonumber(ARGV[1])
local out = {}
local k = 1
local a = 2
while a <= #ARGV do
  local n = tonumber(ARGV[a])
  local ok, err = pcall(addOne, k, n, tonumber(ARGV[a + 1]), window, ARGV[a + 2], tonumber(ARGV[a + 3]), ARGV[a + 4])
  if ok then
    out[#out + 1] = ''
  elseif type(err) == 'table' then
    out[#out + 1] = tostring(err.err or 'error')
  else
    out[#out + 1] = tostring(err)
  end
  k = k + n
  a = a + 5
end
return out
`;

/** The command names the scripts are registered under on the connection (EVALSHA, falling back to EVAL once). */
const COMMAND = 'kycgateTrainingAddAndSum';
const ADD_ONLY_COMMAND = 'kycgateTrainingAdd';

type ScriptCall<R> = (numKeys: number, ...args: string[]) => R;
/** One pipeline reply: its error, or its result. */
type Reply = [Error | null, unknown];
type WithScript = Redis & { [COMMAND]: ScriptCall<Promise<string>>; [ADD_ONLY_COMMAND]: ScriptCall<Promise<string[]>> };

/** One request to add: its groups, operations, time and id. */
export interface SumItem {
  groupKeys: string[];
  ops: number;
  at: Date;
  requestId: string;
}

/** One request's script data: its keys and, for ARGV, time, member and operations (signature id `sig`). */
interface Filing {
  keys: string[];
  at: string;
  member: string;
  ops: string;
  sig: string;
}

const hash32 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

/** Hashes of group keys and signatures, remembered: the same accounts ask again and again (request ids are not kept). */
const keyHashes = new LRUCache<string, string>({ max: 50_000 });
const hashKey = (s: string): string => {
  let h = keyHashes.get(s);
  if (h === undefined) keyHashes.set(s, (h = hash32(s)));
  return h;
};

/**
 * Operations above this are counted as this: a finite stand-in (an estimate can overflow to Infinity, e.g. `hours:
 * 1e300`) that still lies far above every threshold, so such a request is counted, never dropped.
 */
export const MAX_COUNTED_OPS = 1e40;

/** The operations to count: capped at MAX_COUNTED_OPS; a RangeError for NaN or a negative number. */
function countable(ops: number): number {
  if (Number.isNaN(ops) || ops < 0) throw new RangeError(`ops must be a number ≥ 0 (got ${ops})`);
  return Math.min(ops, MAX_COUNTED_OPS);
}

/** Training-operation sums per group over a sliding window. */
export class TrainingAggregator {
  private readonly redis: WithScript;

  /**
   * @param redis - a connection (keys live under `prefix`, so one Redis Cluster slot with a hash-tagged prefix)
   * @param prefix - key prefix, e.g. `{kycgate}`
   * @param windowSeconds - the policy pack's aggregation window
   */
  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly windowSeconds: number,
  ) {
    if (!(windowSeconds > 0)) throw new RangeError('windowSeconds must be > 0');
    if (typeof (redis as unknown as Partial<WithScript>)[COMMAND] !== 'function') redis.defineCommand(COMMAND, { lua: ADD_AND_SUM });
    if (typeof (redis as unknown as Partial<WithScript>)[ADD_ONLY_COMMAND] !== 'function') redis.defineCommand(ADD_ONLY_COMMAND, { lua: ADD_ONLY });
    this.redis = redis as unknown as WithScript;
  }

  /**
   * Adds `ops` of one request at `at` to every group and returns the window's sum over the union of
   * the groups' requests (each request once). Atomic (one Lua script). Pass the same `requestId`
   * again (within the window) and the request is not counted twice.
   */
  async add(groupKeys: string[], ops: number, at: Date, requestId: string = randomUUID()): Promise<{ windowOps: number }> {
    const call = this.addition(groupKeys, ops, at, requestId);
    return 'windowOps' in call ? call : { windowOps: Number(await this.redis[COMMAND](...call.args)) };
  }

  /**
   * Adds `items` without reading their sums (one script call for all), then, when `last` is given, adds it and
   * reads its groups' sum: one round trip, in that order, so the sum includes `items`. Per item `true` or its error
   * (a RangeError for invalid operations; the round trip's error for all when it fails).
   */
  async addBatch(items: readonly SumItem[], last?: SumItem): Promise<{ added: (true | Error)[]; last?: { windowOps: number } | Error }> {
    const pipeline = this.redis.pipeline() as unknown as { [COMMAND]: ScriptCall<void>; [ADD_ONLY_COMMAND]: ScriptCall<void>; exec: () => Promise<Reply[] | null> };
    const added: (true | Error)[] = [];
    /** Which items went to Redis, in the order of the script's answers. */
    const sentIndex: number[] = [];
    const keys: string[] = [];
    const argv: string[] = [String(this.windowSeconds * 1000)];
    items.forEach((it, i) => {
      try {
        const f = this.filing(it);
        if (f) {
          keys.push(...f.keys);
          argv.push(String(f.keys.length), f.at, f.member, f.ops, f.sig);
          sentIndex.push(i);
        }
        added.push(true);
      } catch (err) {
        added.push(err as RangeError);
      }
    });
    const sendsItems = sentIndex.length > 0;
    if (sendsItems) pipeline[ADD_ONLY_COMMAND](keys.length, ...keys, ...argv);
    /** `last`'s answer when it needs no Redis (no groups, invalid), else its script call's arguments. */
    let own: { windowOps: number } | Error | undefined;
    let ownArgs: [number, ...string[]] | undefined;
    if (last) {
      try {
        const call = this.addition(last.groupKeys, last.ops, last.at, last.requestId);
        if ('windowOps' in call) own = call;
        else pipeline[COMMAND](...(ownArgs = call.args));
      } catch (err) {
        own = err as RangeError;
      }
    }
    const sent = (sendsItems ? 1 : 0) + (ownArgs ? 1 : 0);
    const replies: Reply[] =
      sent === 0
        ? []
        : await pipeline.exec().then(
            (r) => r ?? [],
            (err: unknown) => Array.from({ length: sent }, (): Reply => [err instanceof Error ? err : new Error(String(err)), undefined]),
          );
    const missing = (): Reply => [new Error('no reply in the pipeline'), undefined];
    if (sendsItems) {
      const [err, res] = replies[0] ?? missing();
      const each = Array.isArray(res) ? (res as unknown[]) : [];
      sentIndex.forEach((i, j) => {
        const failure = err ?? (each[j] === '' ? undefined : new Error(typeof each[j] === 'string' ? String(each[j]) : 'no answer for this addition'));
        if (failure) added[i] = failure;
      });
    }
    if (ownArgs) {
      const [err, res] = replies[sent - 1] ?? missing();
      own = err ?? { windowOps: Number(res) };
    }
    return { added, ...(last ? { last: own! } : {}) };
  }

  /** The window's sum for these groups without adding anything. */
  async peek(groupKeys: string[], at: Date): Promise<{ windowOps: number }> {
    if (groupKeys.length === 0) return { windowOps: 0 };
    return { windowOps: Number(await this.redis[COMMAND](...this.sumArgs(this.filed(groupKeys, at, '', 0, '')))) };
  }

  /** One request's ADD_AND_SUM call, or its answer when it needs none (no groups). Throws RangeError for bad ops. */
  private addition(groupKeys: string[], ops: number, at: Date, requestId: string): { windowOps: number } | { args: [number, ...string[]] } {
    const f = this.filing({ groupKeys, ops, at, requestId });
    return f ? { args: this.sumArgs(f) } : { windowOps: ops };
  }

  /** numKeys, KEYS and ARGV of one ADD_AND_SUM call. */
  private sumArgs(f: Filing): [number, ...string[]] {
    return [f.keys.length, ...f.keys, f.at, String(this.windowSeconds * 1000), f.member, f.ops, f.sig, this.keyPrefix];
  }

  /** One request's script data, or undefined when it has no groups (nothing to add). Throws RangeError for bad ops. */
  private filing(it: SumItem): Filing | undefined {
    if (it.groupKeys.length === 0) return undefined;
    const counted = countable(it.ops);
    const id = it.requestId.replaceAll('|', '_');
    return this.filed(it.groupKeys, it.at, `${id}|${counted}`, counted, id);
  }

  /** Keys and ARGV values of a request (member '' and ops 0: a read only). */
  private filed(groupKeys: string[], at: Date, member: string, ops: number, requestId: string): Filing {
    const groups = [...new Set(groupKeys.map(hashKey))].sort();
    const sig = hashKey(groups.join(','));
    const p = this.keyPrefix;
    return { keys: [`${p}r:${hash32(requestId)}`, `${p}s:${sig}`, `${p}t:${sig}`, ...groups.map((g) => `${p}g:${g}`)], at: String(at.getTime()), member, ops: String(ops), sig };
  }

  /** Prefix of every key of the aggregator (hash-tagged by the caller's prefix). */
  private get keyPrefix(): string {
    return `${this.prefix}:agg:`;
  }
}

const norm = (s: string) => s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** The ultimate parent: follow, from the customer, the parent with the largest ownership until a root. */
export function ultimateParent(customer: Pick<Customer, 'parents'>): Parent | undefined {
  let parents = customer.parents;
  let top: Parent | undefined;
  for (let depth = 0; parents && parents.length > 0 && depth < 32; depth++) {
    top = parents.reduce((best, p) => ((p.ownership ?? 0) > (best.ownership ?? 0) ? p : best));
    parents = top.parents;
  }
  return top;
}

/**
 * The groups a customer's training requests aggregate in: its ultimate parent (or itself when it has
 * none, so a parent screened as a customer shares the subsidiaries' group), its payment fingerprint,
 * registration identifiers and access IPs. Keys are hashed before they reach Redis.
 */
export function trainingGroupKeys(customer: Customer): string[] {
  const keys: string[] = [];
  const up = ultimateParent(customer);
  if (up) keys.push(`parent:${norm(up.name)}|${(up.country ?? '').toUpperCase()}`);
  else keys.push(`parent:${norm(customer.name)}|${(customer.country ?? '').toUpperCase()}`);
  keys.push(`customer:${customer.id}`);
  if (customer.paymentFingerprint) keys.push(`payment:${customer.paymentFingerprint}`);
  for (const id of customer.identifiers ?? []) {
    if (/regist|company|incorporat|tax|lei|vat|ein|duns/i.test(id.type)) keys.push(`id:${id.type.toLowerCase()}|${(id.country ?? '').toUpperCase()}|${norm(id.value)}`);
  }
  for (const ip of customer.accessIps ?? []) keys.push(`ip:${ip.trim().toLowerCase()}`);
  return keys;
}
