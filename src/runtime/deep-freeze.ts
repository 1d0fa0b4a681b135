// deepFreeze: freezes a plain value and everything it holds (shared data no holder may alter).

/** Freezes `value` and, recursively, every object it holds; returns it. Objects already frozen are taken as frozen through. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
