// Test helper: waits, polling every 10 ms, until a condition holds; fails with what it waited for.

/** Resolves with the milliseconds waited once `cond()` is true; throws after `timeoutMs`. */
export async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - t0;
}
