// Sums estimated training operations per ultimate parent and per linked-account group over a sliding window in Redis (atomic, expiring).
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Customer, Parent } from '../model/index.js';

// Requests are filed by their SIGNATURE, the set of groups they were linked to: every request is in
// exactly one signature, so the sum over the union of some groups' requests (each request once) is the
// sum of the running totals of the signatures those groups reach. Per signature: a sorted set of
// `<requestId>|<ops>` by time (to expire exactly at the window's edge) and a running total, so a call
// costs O(signatures reached + requests just expired), not O(requests in the window).
// KEYS: [request marker, signature set, signature total, group index sets…].
// ARGV: nowMs, windowMs, member ('' = only read), ops, signature id, key prefix of signatures.
// Signature keys reached through a group are derived from ARGV[6] (same hash-tagged prefix, same slot).
// Returns the sum as a string (Lua numbers would be truncated to integers in a Redis reply).
const ADD_AND_SUM = `
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
if member ~= '' then
  if redis.call('SET', KEYS[1], '1', 'NX', 'PX', window) then
    redis.call('ZADD', KEYS[2], now, member)
    local t = tonumber(redis.call('GET', KEYS[3]) or '0') or 0
    redis.call('SET', KEYS[3], string.format('%.17g', t + tonumber(ARGV[4])))
  end
  redis.call('PEXPIRE', KEYS[2], window)
  redis.call('PEXPIRE', KEYS[3], window)
  for i = 4, #KEYS do
    redis.call('SADD', KEYS[i], ARGV[5])
    redis.call('PEXPIRE', KEYS[i], window)
  end
end
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

/** The command name the script is registered under on the connection (EVALSHA, falling back to EVAL once). */
const COMMAND = 'kycgateTrainingAddAndSum';

type WithScript = Redis & { [COMMAND]: (numKeys: number, ...args: string[]) => Promise<string> };

const hash32 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

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
   * Adds many requests in one round trip (a pipeline: one write for all, each script atomic on its own). Resolves
   * with one entry per item: its window sum, or the error that item met.
   */
  async addMany(items: readonly { groupKeys: string[]; ops: number; at: Date; requestId: string }[]): Promise<({ windowOps: number } | Error)[]> {
    const pipeline = this.redis.pipeline() as unknown as { [COMMAND]: (numKeys: number, ...args: string[]) => void; exec: () => Promise<[Error | null, unknown][] | null> };
    const out: ({ windowOps: number } | Error | undefined)[] = items.map((it) => {
      try {
        const call = this.addition(it.groupKeys, it.ops, it.at, it.requestId);
        if ('windowOps' in call) return call;
        pipeline[COMMAND](...call.args);
        return undefined;
      } catch (err) {
        return err as RangeError;
      }
    });
    if (out.every((o) => o !== undefined)) return out as ({ windowOps: number } | Error)[];
    const replies = (await pipeline.exec()) ?? [];
    let k = 0;
    return out.map((o) => {
      if (o !== undefined) return o;
      const [err, res] = replies[k++] ?? [new Error('no reply in the pipeline'), undefined];
      return err ?? { windowOps: Number(res) };
    });
  }

  /** The window's sum for these groups without adding anything. */
  async peek(groupKeys: string[], at: Date): Promise<{ windowOps: number }> {
    if (groupKeys.length === 0) return { windowOps: 0 };
    return { windowOps: Number(await this.redis[COMMAND](...this.scriptArgs(groupKeys, at, '', 0, ''))) };
  }

  /** One request's ADD_AND_SUM call, or its answer when it needs none (no groups). Throws RangeError for bad ops. */
  private addition(groupKeys: string[], ops: number, at: Date, requestId: string): { windowOps: number } | { args: [number, ...string[]] } {
    if (groupKeys.length === 0) return { windowOps: ops };
    const counted = countable(ops);
    const id = requestId.replaceAll('|', '_');
    return { args: this.scriptArgs(groupKeys, at, `${id}|${counted}`, counted, id) };
  }

  /** numKeys, KEYS and ARGV of one ADD_AND_SUM call. */
  private scriptArgs(groupKeys: string[], at: Date, member: string, ops: number, requestId: string): [number, ...string[]] {
    const groups = [...new Set(groupKeys.map(hash32))].sort();
    const sig = hash32(groups.join(','));
    const p = `${this.prefix}:agg:`;
    const keys = [`${p}r:${hash32(requestId)}`, `${p}s:${sig}`, `${p}t:${sig}`, ...groups.map((g) => `${p}g:${g}`)];
    return [keys.length, ...keys, String(at.getTime()), String(this.windowSeconds * 1000), member, String(ops), sig, p];
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
