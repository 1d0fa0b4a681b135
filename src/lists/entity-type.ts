// Guesses the entity type of list rows that do not state one (BIS lists): organisation words vs. personal names.
import type { EntityType, ListCode } from '../model/index.js';
import { countryFromName } from '../model/countries.js';

const ORG_WORDS =
  /\b(co|corp|corporation|company|companies|compagnie|ltd|limited|llc|l\.l\.c|inc|incorporated|plc|gmbh|ag|sa|s\.a|sas|sarl|srl|spa|bv|nv|oy|ab|as|kg|jsc|ojsc|pjsc|cjsc|zao|ooo|oao|pao|ao|fzco|fze|fzc|llp|lp|pte|bhd|sdn|pvt|tic|san|ltda|group|holding|holdings|industries|industry|industrial|enterprise|enterprises|trading|technology|technologies|tech|electronics|electronic|systems|system|institute|university|academy|college|school|laboratory|laboratories|lab|center|centre|bureau|agency|ministry|department|office|organization|organisation|association|foundation|bank|factory|plant|works|shipyard|shipping|airlines|aviation|logistics|import|export|international|global|services|solutions|engineering|research|development|design|manufacturing|machinery|equipment|instruments|materials|chemical|chemicals|pharmaceutical|energy|oil|gas|petroleum|power|nuclear|aerospace|defense|defence|military|army|navy|force|forces|guard|committee|council|government|authority|administration|commission|union|partnership|firm|store|shop|imports|exports|supply|supplies|trade|traders|network|networks|communications|telecom|software|semiconductor|microelectronics|optical|optics|precision|scientific|concern|consortium|unit|brigade|regiment|division|directorate|general|station|base|port|terminal|depot|yard|hub|jv|venture|ventures|capital|investment|investments|fund|partners|associates|bureau)\b/i;

const MORE_ORG_WORDS = /\b(obshchestvo|otvetstvennostyu|aktsionernoe|aktsionernogo|tovarishchestvo|zavod|kombinat|huawei|italia|cloud|consulting|consult|complect|komplekt|kompozit|kimya|openlab|npp|npo|npk|kb|okb|tsniI|niI|ikco|airline|airlines|air|avia|express|media|news|press|studio|resort|hotel|farm|mining|metals|steel|motors|auto|marine|maritime|ocean|star|sun|pharma|bio|medical|clinic|hospital|health|security|solutions|textile|textiles|electric|electrical|electro|energo|tekh|tech|technik|technic|technique|trade|handels|commerce|commercial|business|agro|invest|finance|financial|credit|insurance|leasing|realty|estate|construction|build|builders|project|projects|office|line|lines|transport|freight|cargo|tankers|tanker|vessel|ship|ships|fleet|oil|petro|chem|kimia|sanat|sanaye|tejarat|sazeh|pars|fan|avaran|mehr|kish|tadbir|sepehr|bonyad|setad)\b/i;

/** Organisation unless the name reads like a person's (no organisation words; DPL rows default to people). */
export function guessEntityType(name: string, list: ListCode): EntityType {
  if (ORG_WORDS.test(name) || /\d/.test(name) || /[&@]/.test(name) || MORE_ORG_WORDS.test(name)) return 'organization';
  if (list === 'DPL') return 'individual';
  if (name.split(/\s+/).some((w) => countryFromName(w) !== undefined && w.length > 3)) return 'organization';
  const words = name.replace(/\([^)]*\)/g, ' ').trim().split(/\s+/).filter(Boolean);
  // "Abdul Satar Ghoura", "Lim Yong Nam": 2–4 words, each capitalised, no organisation words
  if (words.length >= 2 && words.length <= 5 && words.every((w) => /^[\p{Lu}][\p{L}'’.-]*$/u.test(w))) return 'individual';
  return 'organization';
}
