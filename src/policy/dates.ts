// Date helpers for dated rule tables: ISO day of an instant, and half-open [from, to) interval checks.

/** The UTC calendar day (YYYY-MM-DD) of an instant. */
export function isoDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** True when `day` lies in [from, to); a null bound is open. */
export function inPeriod(day: string, from: string | null, to: string | null): boolean {
  return (from === null || day >= from) && (to === null || day < to);
}
