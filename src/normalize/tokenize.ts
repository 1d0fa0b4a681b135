// Folded text → raw tokens: apostrophes joined, initials collapsed ("c.i.a.", "c i a" → "cia"), split on punctuation and space.

/** Runs of single letters/digits joined by dots, with no spaces: "c.i.a.", "l.l.c", "s.a.l.". */
const DOTTED = /(?<![a-z0-9])(?:[a-z0-9]\.)+[a-z0-9](?![a-z0-9])\.?/g;

/** Splits folded (lower-case ASCII) text into tokens. */
export function tokenize(folded: string): string[] {
  const s = folded.replace(/'/g, '').replace(DOTTED, (m) => ` ${m.replace(/\./g, '')} `);
  const raw = s.split(/[^a-z0-9]+/).filter((t) => t.length > 0);
  // runs of spaced single letters read as one token: "s a de c v" → "sa de cv", "m v frunze" → "mv frunze"
  const out: string[] = [];
  for (let i = 0; i < raw.length; ) {
    let j = i;
    while (j < raw.length && raw[j]!.length === 1 && raw[j]! >= 'a') j++;
    if (j - i >= 2) {
      out.push(raw.slice(i, j).join(''));
      i = j;
    } else {
      out.push(raw[i]!);
      i++;
    }
  }
  return out;
}
