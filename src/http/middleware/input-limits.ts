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

const tooLong = (name: unknown, limits: InputLimits): boolean => typeof name === 'string' && name.length > limits.maxNameLength;

/**
 * The parties of `party`'s tree added to `counted`, or -1 as soon as a limit is broken; in the order `throwAtBreach`
 * walks, so both stop at the same breach. Allocates nothing (it runs per request).
 */
function countWithinLimits(party: PartyLike, depth: number, limits: InputLimits, counted: number): number {
  if (depth > limits.maxDepth || tooLong(party.name, limits)) return -1;
  let parties = counted + 1;
  const { aliases, beneficialOwners, parents } = party;
  if (Array.isArray(aliases)) {
    for (let i = 0; i < aliases.length; i++) if (tooLong(aliases[i], limits)) return -1;
    parties += aliases.length;
  }
  if (Array.isArray(beneficialOwners)) {
    for (let i = 0; i < beneficialOwners.length; i++) {
      const owner: unknown = beneficialOwners[i];
      if (owner && typeof owner === 'object' && tooLong((owner as PartyLike).name, limits)) return -1;
    }
    parties += beneficialOwners.length;
  }
  if (parties > limits.maxParties) return -1;
  if (Array.isArray(parents)) {
    for (let i = 0; i < parents.length; i++) {
      const parent: unknown = parents[i];
      if (parent && typeof parent === 'object' && (parties = countWithinLimits(parent as PartyLike, depth + 1, limits, parties)) < 0) return -1;
    }
  }
  return parties;
}

/**
 * Walks the customer's parties, enforcing `limits`; returns how many parties it has (the slow-path
 * decision uses it). Throws KYC_ERR_INPUT_INVALID naming the path. Tolerates any shape: schema
 * validation proper happens in parseCustomer.
 */
export function checkInputLimits(input: unknown, limits: InputLimits = DEFAULT_INPUT_LIMITS): number {
  if (!input || typeof input !== 'object') return 0;
  const parties = countWithinLimits(input as PartyLike, 0, limits, 0);
  if (parties >= 0) return parties;
  throwAtBreach(input, limits);
  throw new KycError('KYC_ERR_INPUT_INVALID', 'the customer breaks an input limit', { limit: limits.maxParties });
}

/** Walks the parties again, building each path, and throws at the first breach (KYC_ERR_INPUT_INVALID / _TOO_LARGE). */
function throwAtBreach(input: object, limits: InputLimits): void {
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
  visit(input as PartyLike, 'customer', 0);
}
