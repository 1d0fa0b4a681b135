// Person names: "SURNAME, Given Names" → "Given Names SURNAME", so both spellings read alike.

/**
 * Moves the part before the first comma to the end when the text looks like "SURNAME, Given":
 * exactly one comma, words on both sides. "AMMOSOV, Petr Revoldovich" → "Petr Revoldovich AMMOSOV".
 */
export function reorderPersonName(text: string): string {
  const parts = splitPersonName(text);
  return parts ? `${parts.given} ${parts.surname}` : text;
}

/** The two parts of "SURNAME, Given Names" (exactly one comma, words on both sides); undefined otherwise. */
export function splitPersonName(text: string): { surname: string; given: string } | undefined {
  const parts = text.split(',');
  if (parts.length !== 2) return undefined;
  const [surname, given] = parts as [string, string];
  if (!/\p{L}/u.test(surname) || !/\p{L}/u.test(given)) return undefined;
  return { surname: surname.trim(), given: given.trim() };
}
