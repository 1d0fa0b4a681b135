// HTTP input limits checked before screening: name length, ownership-tree size and depth.
import { KycError } from '../../errors.js';

/** Limits on one customer arriving over HTTP. */
export interface InputLimits {
  /** Longest accepted name (customer, alias, parent, owner), in UTF-16 code units. @defaultValue 512 */
  maxNameLength: number;
  /** Most parties (customer + aliases + parents + owners) in one customer. @defaultValue 1000 */
  maxParties: number;
  /** Deepest ownership chain. @defaultValue 25 */
  maxDepth: number;
}

export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = Object.freeze({ maxNameLength: 512, maxParties: 1000, maxDepth: 25 });

interface PartyLike {
  name?: unknown;
  aliases?: unknown;
  parents?: unknown;
  beneficialOwners?: unknown;
}

function checkName(name: unknown, path: string, limits: InputLimits): void {
  if (typeof name === 'string' && name.length > limits.maxNameLength) {
    throw new KycError('KYC_ERR_INPUT_INVALID', `${path}: name longer than ${limits.maxNameLength} characters (${name.length})`, { path, limit: limits.maxNameLength });
  }
}

/**
 * Walks the customer's parties, enforcing `limits`; returns how many parties it has (the slow-path
 * decision uses it). Throws KYC_ERR_INPUT_INVALID naming the path. Tolerates any shape: schema
 * validation proper happens in parseCustomer.
 */
export function checkInputLimits(input: unknown, limits: InputLimits = DEFAULT_INPUT_LIMITS): number {
  let parties = 0;
  const visit = (party: PartyLike, path: string, depth: number): void => {
    if (depth > limits.maxDepth) {
      throw new KycError('KYC_ERR_INPUT_INVALID', `${path}: ownership chain deeper than ${limits.maxDepth}`, { path, limit: limits.maxDepth });
    }
    parties += 1;
    checkName(party.name, `${path}.name`, limits);
    if (Array.isArray(party.aliases)) {
      party.aliases.forEach((a, i) => checkName(a, `${path}.aliases.${i}`, limits));
      parties += party.aliases.length;
    }
    if (Array.isArray(party.beneficialOwners)) {
      party.beneficialOwners.forEach((o, i) => {
        if (o && typeof o === 'object') checkName((o as PartyLike).name, `${path}.beneficialOwners.${i}.name`, limits);
      });
      parties += party.beneficialOwners.length;
    }
    if (parties > limits.maxParties) {
      throw new KycError('KYC_ERR_INPUT_TOO_LARGE', `more than ${limits.maxParties} parties in one customer`, { limit: limits.maxParties });
    }
    if (Array.isArray(party.parents)) {
      party.parents.forEach((p, i) => {
        if (p && typeof p === 'object') visit(p as PartyLike, `${path}.parents.${i}`, depth + 1);
      });
    }
  };
  if (input && typeof input === 'object') visit(input as PartyLike, 'customer', 0);
  return parties;
}
