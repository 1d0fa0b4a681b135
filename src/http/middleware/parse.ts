// Loads H3's customer parser once (lazily, so the middleware module loads without the screening core).
import type { Customer } from '../../model/index.js';

export type ParseCustomer = (input: unknown) => Customer;

let loading: Promise<ParseCustomer> | undefined;

/** The customer schema's parser (throws KYC_ERR_INPUT_INVALID naming the path). */
export function loadParseCustomer(): Promise<ParseCustomer> {
  loading ??= import('../../screening/customer-schema.js').then((m) => m.parseCustomer as ParseCustomer);
  return loading;
}
