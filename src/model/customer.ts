// Customer input: the party being screened, its ownership tree, and the compute it asks for (DESIGN.md contract).

export type PartyType = 'organization' | 'individual';

export type RequestPurpose = 'training' | 'fine-tuning' | 'inference' | 'other';

export interface PostalAddress {
  line1?: string;
  line2?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

export interface Parent {
  name: string;
  /** ISO 3166-1 alpha-2. */
  country?: string;
  /** Fraction 0..1 of the child held by this parent. */
  ownership?: number;
  aliases?: string[];
  parents?: Parent[];
}

export interface BeneficialOwner {
  name: string;
  /** Default `individual`. */
  type?: PartyType;
  country?: string;
  /** Fraction 0..1. */
  ownership?: number;
}

export interface Identifier {
  type: string;
  value: string;
  country?: string;
}

export interface ComputeRequest {
  /** A key of the GPU catalog (lists/gpus.json). */
  gpuModel: string;
  gpuCount: number;
  /** Planned duration in hours. */
  hours: number;
  purpose?: RequestPurpose;
}

export interface Customer {
  id: string;
  name: string;
  /** Default `organization`. */
  type?: PartyType;
  country?: string;
  aliases?: string[];
  address?: PostalAddress;
  parents?: Parent[];
  beneficialOwners?: BeneficialOwner[];
  identifiers?: Identifier[];
  contact?: { email?: string; phone?: string };
  paymentFingerprint?: string;
  accessIps?: string[];
  request?: ComputeRequest;
}
