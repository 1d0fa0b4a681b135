// Legal-form phrases ("Co., Ltd.", "Limited Liability Company", "OOO", "JSC", "GmbH", 有限公司 …) → one canonical token each.
import { osaDistance } from './edit-distance.js';

/** Canonical token → the token sequences (after folding and tokenizing) that spell it. */
const LEGAL_FORMS: Readonly<Record<string, readonly string[]>> = {
  ltd: [
    'limited', 'ltd', 'co ltd', 'co limited', 'company limited', 'company ltd', 'pvt ltd', 'pvt limited',
    'private limited', 'private ltd', 'pte ltd', 'pte limited', 'pvt', 'pte', 'pty ltd', 'pty', 'ltda',
    'sdn bhd', 'bhd', 'you xian gong si', 'gu fen you xian gong si', 'kabushiki kaisha', 'kk', 'yugen kaisha',
    'private', 'lda',
  ],
  llc: [
    'llc', 'limited liability company', 'limited liability co', 'ooo', 'tov', 'too', 'sarl', 'srl',
    'obshchestvo s ogranichennoi otvetstvennostyu', 'obshchestvo s ogranichennoy otvetstvennostyu',
    'obshchestvo s ogranichennoi otvetstvennostiu', 'obshestvo s ogranichennoi otvetstvennostyu',
    'obshchestvo s ogranichennoy otvetstvennostiyu', 'you xian ze ren gong si', 'mchj', 'fz llc',
  ],
  jsc: [
    'jsc', 'ojsc', 'cjsc', 'pjsc', 'jsco', 'oao', 'zao', 'pao', 'ao', 'joint stock company', 'joint stock co',
    'open joint stock company', 'closed joint stock company', 'public joint stock company',
    'open joint stock co', 'closed joint stock co', 'joint stock', 'aktsionernoe obshchestvo',
    'otkrytoe aktsionernoe obshchestvo', 'zakrytoe aktsionernoe obshchestvo', 'publichnoe aktsionernoe obshchestvo',
    'aktsionernoye obshchestvo', 'ad', 'pjstc', 'jointstock co', 'jointstock', 'open jointstock co', 'closed jointstock co',
    'public jointstock co',
  ],
  inc: ['inc', 'incorporated'],
  corp: ['corp', 'corporation'],
  co: ['co', 'company', 'cie'],
  plc: ['plc', 'public limited company'],
  sa: ['sa', 'sal', 'sa de cv', 'sas', 'sab de cv', 'sa de rl', 'spa', 'sae', 'saog', 'sak', 'sarlau'],
  gmbh: ['gmbh', 'gesellschaft mit beschrankter haftung', 'mbh'],
  ag: ['ag', 'aktiengesellschaft'],
  bv: ['bv', 'nv'],
  fze: ['fze', 'fzco', 'fzc', 'fz co', 'free zone establishment', 'free zone company', 'dmcc'],
  llp: ['llp', 'lp', 'limited partnership', 'limited liability partnership'],
  ab: ['ab', 'oy', 'oyj', 'asa', 'aps'],
};

/** Spelling variants read as one word before phrases are matched ("company" = "co", "limited" = "ltd"). */
const SYNONYMS: ReadonlyMap<string, string> = new Map([
  ['company', 'co'], ['limited', 'ltd'], ['corporation', 'corp'], ['incorporated', 'inc'], ['private', 'pvt'],
  ['obshestvo', 'obshchestvo'], ['otvetstvennostiu', 'otvetstvennostyu'], ['otvetstvennostiyu', 'otvetstvennostyu'],
  ['ogranichennoy', 'ogranichennoi'], ['aktsionernoye', 'aktsionernoe'],
]);

interface Trie {
  end?: string;
  next: Map<string, Trie>;
}

const ROOT: Trie = { next: new Map() };
/** Long words of the legal-form phrases: a token one edit away is read as the word ("Limitd", "Compnay"). */
const VOCABULARY = new Set<string>();
for (const [canon, phrases] of Object.entries(LEGAL_FORMS)) {
  for (const phrase of phrases) {
    let node = ROOT;
    for (const w of phrase.split(' ')) {
      const t = SYNONYMS.get(w) ?? w;
      if (w.length >= 5) VOCABULARY.add(w);
      let n = node.next.get(t);
      if (!n) node.next.set(t, (n = { next: new Map() }));
      node = n;
    }
    node.end = canon;
  }
}
for (const w of SYNONYMS.keys()) if (w.length >= 5) VOCABULARY.add(w);

/** The legal-form word a token spells, allowing one typo in words of five letters or more. */
function legalWord(token: string): string {
  const exact = SYNONYMS.get(token);
  if (exact) return exact;
  if (token.length < 5 || ROOT.next.has(token) || VOCABULARY.has(token)) return token;
  for (const w of VOCABULARY) {
    // one typo; two in words of ten letters or more ("corporacin" → "corporation")
    const max = w.length >= 10 && token.length >= 9 ? 2 : 1;
    if (Math.abs(w.length - token.length) <= max && osaDistance(w, token, max) <= max) return SYNONYMS.get(w) ?? w;
  }
  return token;
}

/**
 * Forms that are also common syllables of personal names ("Ao", "Sa", "Co", "Ad", "Too" …):
 * not canonicalized in individuals' names.
 */
const AMBIGUOUS_IN_PERSON_NAMES: ReadonlySet<string> = new Set([
  'ao', 'sa', 'sal', 'sas', 'spa', 'sae', 'sak', 'co', 'ad', 'too', 'tov', 'ab', 'oy', 'pao', 'zao', 'oao', 'ag',
  'bv', 'nv', 'kk', 'pvt', 'pte', 'pty', 'private', 'lda', 'srl', 'cie', 'lp', 'bhd', 'mbh', 'asa', 'aps',
]);

/** The legal form a single word spells ("ag" → "ag", "ooo" → "llc", "limitd" → "ltd"), if any. */
export function legalFormOfWord(word: string): string | undefined {
  return ROOT.next.get(legalWord(word))?.end;
}

/** The canonical legal-form tokens ("ltd", "llc", "jsc", …). */
export const LEGAL_FORM_TOKENS: ReadonlySet<string> = new Set(Object.keys(LEGAL_FORMS));

/**
 * Replaces legal-form phrases by their canonical token, longest phrase first wherever it starts
 * ("… Trading Co Limited Liability Company" → "… trading co llc"). Words of the phrases are read
 * through synonyms ("company" = "co") and with one typo allowed in long words ("Limitd", "Compnay").
 * Consecutive identical forms collapse.
 */
export function canonicalizeLegalForms(
  tokens: readonly string[],
  opts: { personName?: boolean } = {},
): { text: string; legal: boolean }[] {
  const words = tokens.map(legalWord);
  const matches: { start: number; len: number; canon: string }[] = [];
  for (let i = 0; i < words.length; i++) {
    // a one-word form split by stray punctuation: "ll c", "sa l" → "llc", "sal"
    let joined = tokens[i]!;
    for (let k = i + 1; k < tokens.length && k < i + 3 && joined.length <= 3 && tokens[k]!.length <= 2; k++) {
      joined += tokens[k]!;
      const canon = ROOT.next.get(joined)?.end;
      if (canon && tokens[i]!.length <= 2 && !opts.personName) matches.push({ start: i, len: k - i + 1, canon });
    }
    let node: Trie | undefined = ROOT;
    for (let j = i; j < words.length && node; j++) {
      node = node.next.get(words[j]!);
      if (node?.end && !(opts.personName && j === i && AMBIGUOUS_IN_PERSON_NAMES.has(tokens[i]!))) {
        matches.push({ start: i, len: j - i + 1, canon: node.end });
      }
    }
  }
  matches.sort((a, b) => b.len - a.len || a.start - b.start);
  const at = new Array<{ len: number; canon: string } | undefined>(tokens.length);
  const taken = new Uint8Array(tokens.length);
  for (const m of matches) {
    let free = true;
    for (let k = m.start; k < m.start + m.len; k++) if (taken[k]) free = false;
    if (!free) continue;
    for (let k = m.start; k < m.start + m.len; k++) taken[k] = 1;
    at[m.start] = m;
  }
  const out: { text: string; legal: boolean }[] = [];
  for (let i = 0; i < tokens.length; ) {
    const m = at[i];
    if (m) {
      const prev = out[out.length - 1];
      if (!(prev?.legal && prev.text === m.canon)) out.push({ text: m.canon, legal: true });
      i += m.len;
    } else {
      out.push({ text: tokens[i]!, legal: false });
      i++;
    }
  }
  return out;
}
