// Date helpers for dated rule tables: ISO day of an instant, and half-open [from, to) interval checks.

const DAY_MS = 86_400_000;
/** The last day asked for (by its number since the epoch) and its string: most calls in a process ask for today. */
let lastDay = { n: Number.NaN, day: '' };

/** The UTC calendar day (YYYY-MM-DD) of an instant. Throws RangeError for an invalid date. */
export function isoDay(at: Date): string {
  const n = Math.floor(at.getTime() / DAY_MS);
  if (n !== lastDay.n) lastDay = { n, day: at.toISOString().slice(0, 10) };
  return lastDay.day;
}

/** True when `day` lies in [from, to); a null bound is open. */
export function inPeriod(day: string, from: string | null, to: string | null): boolean {
  return (from === null || day >= from) && (to === null || day < to);
}
