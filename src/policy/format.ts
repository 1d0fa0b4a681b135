// Number formatting for human `detail` texts: scientific notation for operations, grouped integers, percentages.

/** 3.5604e26 → "3.56e26"; small numbers print plainly. */
export function sci(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return String(n);
  if (n !== 0 && (Math.abs(n) >= 1e6 || Math.abs(n) < 1e-3)) {
    const [m, e] = n.toExponential(digits - 1).split('e');
    const mant = String(Number(m));
    return `${mant}e${Number(e)}`;
  }
  return String(Number(n.toPrecision(digits)));
}

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** 50000 → "50,000". (One formatter: `toLocaleString` with options builds a new one per call, ~50 µs.) */
export function grouped(n: number): string {
  return GROUPED.format(n);
}

/** 0.305 → "30.5%". */
export function pct(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

/** `sci(value)` with enough digits that it does not print equal to `ref` unless it is (9.9976e25 vs 1e26 → "9.998e25"). */
export function sciVs(value: number, ref: number): string {
  let digits = 3;
  while (digits < 12 && value !== ref && Number(sci(value, digits)) === Number(sci(ref, digits))) digits++;
  return sci(value, digits);
}
