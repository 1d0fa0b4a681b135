// TRAINING_COMPUTE, TRAINING_AGGREGATE, CLUSTER_SCALE (and TIER2_HEADQUARTERS where the pack makes Tier 2 matter).
import type { ComputeRequest, Customer, Outcome, Reason } from '../model/index.js';
import { sci, sciVs } from './format.js';
import { assessHeadquarters, effectivePurpose, type HqAssessment } from './headquarters.js';
import { partyTree } from './parties.js';
import type { PolicyPack, RuleData } from './schema.js';
import { estimateCluster, estimateTraining } from './training.js';

const hqText = (hq: HqAssessment) =>
  hq.decisive
    ? `headquarters Tier ${hq.tier} (${hq.decisive.subject === 'customer' ? 'customer' : `ultimate parent ${hq.decisive.subject}`} ${hq.decisive.result.country}${hq.decisive.result.treatedAs ? `→${hq.decisive.result.treatedAs}` : ''})`
    : `headquarters not shown to be Tier 1 (no valid country)`;

/** What the pack makes of training at its threshold for this headquarters tier; undefined when the (effective) purpose is not training or the tier has no training rule. */
function trainingOutcomeOf(purpose: PolicyPack['training']['purposes'][number], tier: number, pack: PolicyPack): Outcome | undefined {
  const t = pack.training;
  return t.purposes.includes(purpose) ? t.tiers[String(tier) as '1' | '2' | '3'] : undefined;
}

/** Reasons from the request's size. Throws KYC_ERR_UNKNOWN_GPU when the model is not in the catalog. */
export function computeReasons(
  request: ComputeRequest,
  hq: HqAssessment,
  pack: PolicyPack,
  rules: RuleData,
  aggregate?: { windowOps: number },
): Reason[] {
  const reasons: Reason[] = [];
  const tierKey = String(hq.tier) as '1' | '2' | '3';
  const training = estimateTraining(request, pack, rules);
  const cluster = estimateCluster(request, rules);
  const { purpose, assumed } = effectivePurpose(request, pack);
  const t = pack.training;
  const trainingOutcome = trainingOutcomeOf(purpose, hq.tier, pack);
  const purposeText = `purpose ${purpose}${assumed ? ' (not given; assumed)' : ''}`;

  if (trainingOutcome && training.ops >= t.threshold) {
    reasons.push({
      code: 'TRAINING_COMPUTE',
      subject: 'customer',
      outcome: trainingOutcome,
      detail: `est. ${sciVs(training.ops, t.threshold)} ops ≥ ${sci(t.threshold)}: ${training.formula} × 3,600 s/h; ${purposeText}; ${hqText(hq)}; ${t.rule} → ${trainingOutcome}`,
      estimatedOps: training.ops,
      threshold: t.threshold,
      gpuModel: training.gpuModel,
      precision: training.precision,
      utilization: training.utilization,
    });
  } else if (trainingOutcome && aggregate && aggregate.windowOps >= t.threshold) {
    reasons.push({
      code: 'TRAINING_AGGREGATE',
      subject: hq.decisive?.subject ?? 'customer',
      outcome: trainingOutcome,
      detail:
        `training requests of the ultimate parent over ${t.aggregation.windowDays} days sum to est. ${sciVs(aggregate.windowOps, t.threshold)} ops ≥ ${sci(t.threshold)} ` +
        `though this request alone is est. ${sciVs(training.ops, t.threshold)} (${training.formula} × 3,600 s/h); ${hqText(hq)}; ${t.rule} → ${trainingOutcome}`,
      windowOps: aggregate.windowOps,
      estimatedOps: training.ops,
      threshold: t.threshold,
      windowDays: t.aggregation.windowDays,
    });
  }
  const trainingRaised = reasons.length > 0;
  if (trainingRaised && hq.tier === 2) {
    reasons.push({
      code: 'TIER2_HEADQUARTERS',
      subject: hq.decisive?.subject ?? 'customer',
      outcome: trainingOutcome ?? 'review',
      detail: `${hqText(hq)}${hq.decisive ? ` — ${hq.decisive.result.basis}` : ''}: pack ${pack.id} makes a Tier 2 headquarters matter for training at this size (${t.rule}) → ${trainingOutcome}`,
      ...(hq.decisive ? { country: hq.decisive.result.country } : {}),
      tier: 2,
    });
  }

  const c = pack.cluster;
  const clusterOutcome = c.tiers[tierKey];
  if (c.enabled && clusterOutcome && cluster.opsPerSecond >= c.threshold) {
    reasons.push({
      code: 'CLUSTER_SCALE',
      subject: 'customer',
      outcome: clusterOutcome,
      detail: `cluster peak ${sciVs(cluster.opsPerSecond, c.threshold)} ops/s ≥ ${sci(c.threshold)}: ${cluster.formula}; ${hqText(hq)}; ${c.rule} → ${clusterOutcome}`,
      opsPerSecond: cluster.opsPerSecond,
      threshold: c.threshold,
    });
  }
  return reasons;
}

/**
 * Whether the window's training sum can change this customer's decision: the request counts as training and the
 * headquarters tier (customer or ultimate parent, the worst when unclear) has a training outcome in the pack. When it
 * cannot, the request is still added to the sum (later decisions need it), but nobody has to wait for that.
 */
export function trainingSumMatters(customer: Customer, pack: PolicyPack, rules: RuleData, now: Date): boolean {
  const request = customer.request;
  if (request === undefined) return false;
  return trainingOutcomeOf(effectivePurpose(request, pack).purpose, assessHeadquarters(partyTree(customer), pack, rules, now).tier, pack) !== undefined;
}
