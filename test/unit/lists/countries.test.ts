// ISO 3166-1 alpha-2 table and the list spellings of country names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISO_COUNTRIES, countryFromName, isIsoCountry } from '../../../src/model/countries.js';

test('all 249 ISO 3166-1 alpha-2 codes', () => {
  assert.equal(Object.keys(ISO_COUNTRIES).length, 249);
  for (const code of ['US', 'CN', 'RU', 'IR', 'KP', 'HK', 'MO', 'MM', 'PS']) assert.ok(isIsoCountry(code), code);
  for (const code of ['XK', 'EU', 'UK', 'us', 'ZZ']) assert.equal(isIsoCountry(code), false, code);
});

test('list spellings → ISO codes', () => {
  const table: [string, string | undefined][] = [
    ['Burma', 'MM'],
    ['Korea, North', 'KP'],
    ['Korea, South', 'KR'],
    ['Russia', 'RU'],
    ['Iran', 'IR'],
    ['Hong Kong', 'HK'],
    ['Macau', 'MO'],
    ['Bahamas, The', 'BS'],
    ['Congo, Democratic Republic of the', 'CD'],
    ['Cote d Ivoire', 'CI'],
    ['Man, Isle of', 'IM'],
    ['Virgin Islands, British', 'VG'],
    ['Region: Crimea', 'UA'],
    ['United Kingdom', 'GB'],
    ['Türkiye', 'TR'],
    ['CN', 'CN'],
    ['undetermined', undefined],
    ['Kosovo', undefined],
    ['', undefined],
  ];
  for (const [name, code] of table) assert.equal(countryFromName(name), code, name);
});
