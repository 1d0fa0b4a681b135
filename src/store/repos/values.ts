// Converts driver values (pg and PGlite differ slightly) into plain JSON-friendly values.

/** A timestamptz value (Date or text) as an ISO string; null stays null. */
export function iso(value: unknown): string;
export function iso(value: unknown, nullable: true): string | null;
export function iso(value: unknown, _nullable?: true): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

/** An int8 / numeric value as a number. */
export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** A JSON value as the text of a `$n::jsonb` parameter (null stays SQL NULL). */
export function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
