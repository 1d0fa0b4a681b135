// The one canonical model of a restricted-party list entry, whatever official file it came from.

/**
 * List codes. `SDN`, `ENTITY_LIST`, `DPL` are the main ones (DESIGN.md); other lists keep their
 * trade.gov CSL source code: `MEU`, `UVL`, `ISN`, `DTC` (ITAR debarred), `SSI`, `PLC`, `CMIC`,
 * `NS-MBS`, `CAPTA`, `FSE`.
 */
export type ListCode =
  | 'SDN'
  | 'ENTITY_LIST'
  | 'DPL'
  | 'MEU'
  | 'UVL'
  | 'ISN'
  | 'DTC'
  | 'SSI'
  | 'PLC'
  | 'CMIC'
  | 'NS-MBS'
  | 'CAPTA'
  | 'FSE';

export type EntityType = 'organization' | 'individual' | 'vessel' | 'aircraft';

export type AliasType = 'aka' | 'fka' | 'nka' | 'weak_aka';

export interface Alias {
  name: string;
  type: AliasType;
}

export interface Address {
  /** Street lines as given. */
  line?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  /** ISO 3166-1 alpha-2, when it could be determined. */
  country?: string;
  /** The address text exactly as the source gave it. */
  raw: string;
}

export interface ListIdentifier {
  type: string;
  value: string;
  country?: string;
}

export interface ListEntry {
  list: ListCode;
  /** OFAC: ent_num; CSL: `_id`; dpl.txt: stable hash of name + first address. */
  sourceId: string;
  /** The name field exactly as the source gives it (before a.k.a. clauses are split off). */
  primaryName: string;
  /** The name used for matching: primaryName with a.k.a. clauses removed (equal to it for most). */
  name: string;
  aliases: Alias[];
  entityType: EntityType;
  addresses: Address[];
  programs: string[];
  ids: ListIdentifier[];
  /** ISO dates where the source has them: listing start, expiry, birth dates (individuals). */
  dates: { start?: string; end?: string; birth?: string[] };
  title?: string;
  remarks?: string;
  /** Federal Register notice(s), license requirement / policy (BIS lists). */
  federalRegisterNotice?: string;
  licenseRequirement?: string;
  licensePolicy?: string;
  /** Which file format and file produced the entry, e.g. `ofac-csv:SDN.CSV`, `csl-csv`, `dpl-txt`. */
  origin: string;
  /** The untouched source row(s), for evidence. */
  raw: Record<string, unknown>;
}
