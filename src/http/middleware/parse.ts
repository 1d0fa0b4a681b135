// Loads H3's customer parser once (lazily, so the middleware module loads without the screening core).
import type { Customer } from '../../model/index.js';

export type ParseCustomer = (input: unknown) => Customer;

let loading: Promise<ParseCustomer> | undefined;
let loaded: ParseCustomer | undefined;

/** The customer schema's parser (throws KYC_ERR_INPUT_INVALID naming the path). */
export function loadParseCustomer(): Promise<ParseCustomer> {
  loading ??= import('../../screening/customer-schema.js').then((m) => (loaded = m.parseCustomer as ParseCustomer));
  return loading;
}

/** The parser once `loadParseCustomer` has loaded it (no promise to wait on per request), else undefined. */
export const loadedParseCustomer = (): ParseCustomer | undefined => loaded;
