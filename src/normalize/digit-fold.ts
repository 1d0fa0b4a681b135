// Digits and symbols written for letters ("R0sneft", "Hu4wei", "$berbank") → the letters, only inside words that mix them with letters.

/** Digit or symbol → the letter it stands for. 2, 6 and 9 stand for no letter: a word holding them is a code ("A2Z", "MiG29"). */
const LETTER_OF: Readonly<Record<string, string>> = {
  '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '@': 'a', $: 's',
};

/** Runs of letters, digits and the symbols above (folded, lower-case text). */
const RUN = /[a-z0-9@$]+/g;
/** Ordinals ("1st", "13th") and plain numbers stay as they are. */
const ORDINAL = /^\d+(?:st|nd|rd|th)$/;

/**
 * Replaces digits and symbols by letters in words that mix them with letters, when every digit or
 * symbol stands for a letter and letters outnumber them: "r0sneft" → "rosneft", "hikvisi0n" →
 * "hikvision", "hu4wei" → "huawei", "sber$bank" → "sbersbank". Numbers ("2024"), codes ("a2z",
 * "mig29", "5g", "3m") and ordinals ("1st") are left alone. Runs on folded (lower-case ASCII) text.
 * `changed`, when given, receives each folded word → the word as written ("rosneft" → "r0sneft").
 */
export function foldDigitLetters(folded: string, changed?: Map<string, string>): string {
  if (!/[0-9@$]/.test(folded)) return folded;
  return folded.replace(RUN, (w) => {
    let letters = 0;
    let subs = 0;
    for (const ch of w) {
      if (ch >= 'a' && ch <= 'z') letters++;
      else if (LETTER_OF[ch] !== undefined) subs++;
      else return w; // a digit that stands for no letter
    }
    if (subs === 0 || letters < 2 || letters <= subs || ORDINAL.test(w)) return w;
    let out = '';
    for (const ch of w) out += LETTER_OF[ch] ?? ch;
    changed?.set(out, w);
    return out;
  });
}
