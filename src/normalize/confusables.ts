// Latin look-alikes of Cyrillic and Greek letters (the confusables an evader slips into a Latin name).

/** Cyrillic/Greek code point → the Latin letter it is drawn like (lower case; folding runs after). */
export const LATIN_LOOKALIKES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    // Cyrillic capitals and small letters
    А: 'a', а: 'a', В: 'b', в: 'b', Е: 'e', е: 'e', Ё: 'e', ё: 'e', К: 'k', к: 'k', М: 'm', м: 'm',
    Н: 'h', н: 'h', О: 'o', о: 'o', Р: 'p', р: 'p', С: 'c', с: 'c', Т: 't', т: 't', У: 'y', у: 'y',
    Х: 'x', х: 'x', Ѕ: 's', ѕ: 's', І: 'i', і: 'i', Ї: 'i', ї: 'i', Ј: 'j', ј: 'j', Ԛ: 'q', ԛ: 'q',
    Ԝ: 'w', ԝ: 'w', Һ: 'h', һ: 'h', Ү: 'y', ү: 'y', Ғ: 'f', ԁ: 'd', ɡ: 'g', Ь: 'b', ь: 'b',
    // Greek capitals and small letters
    Α: 'a', α: 'a', Β: 'b', β: 'b', Ε: 'e', ε: 'e', Ζ: 'z', Η: 'h', Ι: 'i', ι: 'i', Κ: 'k', κ: 'k',
    Μ: 'm', Ν: 'n', ν: 'v', Ο: 'o', ο: 'o', Ρ: 'p', ρ: 'p', Τ: 't', τ: 't', Υ: 'y', υ: 'u', Χ: 'x',
    χ: 'x', Ϲ: 'c', ϲ: 'c', ϳ: 'j',
  }),
);

/** True when the character is a Cyrillic or Greek letter. */
export function isCyrillicOrGreek(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return (c >= 0x0370 && c <= 0x03ff) || (c >= 0x0400 && c <= 0x052f) || (c >= 0x1f00 && c <= 0x1fff);
}

/** True when the character is an ASCII Latin letter (after NFKC). */
export function isLatinLetter(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}
