// Non-Latin scripts → Latin: Han by pinyin (syllables kept apart), everything else by any-ascii.
import anyAscii from 'any-ascii';
import { pinyin } from 'pinyin-pro';

const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;
const HAN_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/gu;

/**
 * Transliterates a string to ASCII. Han runs read in context by pinyin-pro, one syllable per token
 * ("华为技术有限公司" → "hua wei ji shu you xian gong si"); other scripts by any-ascii.
 */
export function transliterate(text: string): string {
  let s = text;
  if (HAN.test(s)) {
    s = s.replace(HAN_RUN, (run) => ` ${pinyin(run, { toneType: 'none', type: 'array', v: true }).join(' ')} `);
  }
  // eslint-disable-next-line no-control-regex
  return /[^\u0000-\u007f]/.test(s) ? anyAscii(s) : s;
}
