// Bounds a Redis/BullMQ call in time: an enqueue on a Redis that was never reached can otherwise wait forever.
import { KycError } from '../errors.js';

/** Resolves or rejects like `promise`, or rejects with KYC_ERR_QUEUE_UNAVAILABLE after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KycError('KYC_ERR_QUEUE_UNAVAILABLE', `${what}: no answer from Redis within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
