// A time-boxed await: the middleware answers within its budget even when a dependency hangs.

/** Thrown by `within` when the time is up. */
export class DeadlineExceeded extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

/**
 * Resolves like `promise`, or rejects with DeadlineExceeded after `ms` (the promise keeps running). When the timer
 * fires, I/O that completed meanwhile is still let through: the rejection waits for the poll phase that follows
 * (setImmediate), so an answer that arrived while the event loop was blocked (a synchronous snapshot swap, a long
 * GC pause) is not mistaken for a dependency that did not answer.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      immediate = setImmediate(() => reject(new DeadlineExceeded(what, ms)));
    }, Math.max(0, ms));
    timer.unref();
  });
  promise.catch(() => {}); // a late rejection after the deadline is not unhandled
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  }
}
