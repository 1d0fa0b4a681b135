// Policy engine public surface: pack/rule-data types and schemas, tiers, GPU catalog, estimates, reason builders.
export * from './schema.js';
export { countryTier, groupVersion, treatedAs, type Tier, type TierResult } from './tiers.js';
export { resolveGpu, trainingRate, peakRate, computeTpp, type ResolvedGpu } from './gpu-catalog.js';
export { estimateTraining, estimateCluster, type TrainingEstimate, type ClusterEstimate } from './training.js';
export { partyTree, type Party, type PartyTree, type OwnershipNode } from './parties.js';
export { listedShare, reaches, type OwnershipShare, type OwnershipPath } from './ownership.js';
export { ownershipReasons } from './ownership-rules.js';
export { listMatchReason, listRule, isStrongHit, countryAgreement, type CountryAgreement } from './list-match.js';
export { assessHeadquarters, headquartersReasons, effectivePurpose, type HqAssessment } from './headquarters.js';
export { computeReasons, trainingSumMatters } from './compute.js';
export { applyLicences, reasonAuthority, LIST_AUTHORITY, type Authority } from './licences.js';
export { combine, worse } from './outcome.js';
// Deliberately not exported: dates.ts and format.ts (internal helpers).
