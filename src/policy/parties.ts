// The parties of one screening (customer, aliases, parents depth-first, beneficial owners) and the ultimate parent.
import type { Customer, Parent, PartyType } from '../model/index.js';

/** One name to screen, with the subject it is reported under. */
export interface Party {
  /** `customer`, `alias:N`, `parent:N` (depth-first), `owner:N`. */
  subject: string;
  role: 'customer' | 'alias' | 'parent' | 'owner';
  name: string;
  /** Other names of the same party (a parent's aliases), screened under the same subject. */
  otherNames: string[];
  type: PartyType;
  country?: string;
}

/** A node of the ownership graph: the customer, a parent or a beneficial owner. */
export interface OwnershipNode {
  subject: string;
  name: string;
  country?: string;
  /** Fraction of the child this node holds, as given (may be missing or malformed). */
  ownership?: number;
  /** Who owns this node (parents, and for the customer also its beneficial owners). */
  owners: OwnershipNode[];
  /** Only parents (organizations) — the chain the ultimate parent is found along. */
  parents: OwnershipNode[];
}

export interface PartyTree {
  parties: Party[];
  root: OwnershipNode;
  /** Every node by subject. */
  nodes: Map<string, OwnershipNode>;
  /** The chain of largest ownership from the customer up, excluding the customer; last = ultimate parent. */
  chain: OwnershipNode[];
  /** The root of `chain` (the first one in input order when stakes tie). */
  ultimateParent?: OwnershipNode;
  /**
   * Every candidate ultimate parent: when parents tie for the largest stake, or a stake is missing and could be the
   * largest, each such chain is followed. The headquarters test takes the worst tier among them.
   */
  ultimateParents: OwnershipNode[];
  /** Nodes with two or more parents where some parent gives no ownership (INCOMPLETE_IDENTITY). */
  unknownStakes: { node: OwnershipNode; missing: OwnershipNode[] }[];
}

/** Builds the parties to screen and the ownership graph of a customer. Subjects follow DESIGN.md. */
export function partyTree(customer: Customer): PartyTree {
  const parties: Party[] = [];
  const nodes = new Map<string, OwnershipNode>();
  const root: OwnershipNode = { subject: 'customer', name: customer.name, country: customer.country, owners: [], parents: [] };
  nodes.set(root.subject, root);
  parties.push({ subject: 'customer', role: 'customer', name: customer.name, otherNames: [], type: customer.type ?? 'organization', country: customer.country });
  (customer.aliases ?? []).forEach((alias, i) =>
    parties.push({ subject: `alias:${i}`, role: 'alias', name: alias, otherNames: [], type: customer.type ?? 'organization', country: customer.country }),
  );

  let parentIndex = 0;
  const visit = (parent: Parent, child: OwnershipNode): void => {
    const subject = `parent:${parentIndex++}`;
    const node: OwnershipNode = { subject, name: parent.name, country: parent.country, ownership: parent.ownership, owners: [], parents: [] };
    nodes.set(subject, node);
    child.owners.push(node);
    child.parents.push(node);
    parties.push({ subject, role: 'parent', name: parent.name, otherNames: parent.aliases ?? [], type: 'organization', country: parent.country });
    for (const grand of parent.parents ?? []) visit(grand, node);
  };
  for (const parent of customer.parents ?? []) visit(parent, root);

  (customer.beneficialOwners ?? []).forEach((owner, i) => {
    const subject = `owner:${i}`;
    const node: OwnershipNode = { subject, name: owner.name, country: owner.country, ownership: owner.ownership, owners: [], parents: [] };
    nodes.set(subject, node);
    root.owners.push(node);
    parties.push({ subject, role: 'owner', name: owner.name, otherNames: [], type: owner.type ?? 'individual', country: owner.country });
  });

  const chain: OwnershipNode[] = [];
  let at = root;
  while (at.parents.length > 0) {
    const candidates = largestStakes(at.parents);
    const next = candidates.find(known) ?? candidates[0]!;
    chain.push(next);
    at = next;
  }
  const ultimateParent = chain[chain.length - 1];
  const ultimateParents = ultimateParent ? [ultimateParent, ...ultimateParentsOf(root).filter((n) => n !== ultimateParent)] : [];
  return { parties, root, nodes, chain, ultimateParent, ultimateParents, unknownStakes: unknownStakes(nodes) };
}

/** Stakes closer than this are a tie. */
const TIE = 1e-9;
const known = (n: OwnershipNode) => n.ownership !== undefined && Number.isFinite(n.ownership);

/**
 * The parents that may hold the largest stake, in input order: those whose stake equals the largest known one, and
 * those with no stake given when the stakes left unaccounted for could make them the largest.
 */
export function largestStakes(parents: readonly OwnershipNode[]): OwnershipNode[] {
  if (parents.length <= 1) return [...parents];
  const stakes = parents.filter(known).map((p) => p.ownership!);
  if (stakes.length === 0) return [...parents];
  const max = Math.max(...stakes);
  const unaccounted = 1 - stakes.reduce((a, b) => a + Math.max(0, b), 0);
  return parents.filter((p) => (known(p) ? p.ownership! >= max - TIE : unaccounted >= max - TIE));
}

/** Roots of every chain of largest ownership (ties and unknown stakes branch), depth-first, without repeats. */
function ultimateParentsOf(root: OwnershipNode): OwnershipNode[] {
  const out: OwnershipNode[] = [];
  const walk = (n: OwnershipNode, seen: Set<string>) => {
    if (n.parents.length === 0) {
      if (n !== root && !out.includes(n)) out.push(n);
      return;
    }
    for (const p of largestStakes(n.parents)) if (!seen.has(p.subject)) walk(p, new Set([...seen, p.subject]));
  };
  walk(root, new Set([root.subject]));
  return out;
}

/** Nodes with two or more parents of which at least one gives no `ownership`: the ultimate parent cannot be told. */
function unknownStakes(nodes: Map<string, OwnershipNode>): { node: OwnershipNode; missing: OwnershipNode[] }[] {
  const out: { node: OwnershipNode; missing: OwnershipNode[] }[] = [];
  for (const node of nodes.values()) {
    if (node.parents.length < 2) continue;
    const missing = node.parents.filter((p) => !known(p));
    if (missing.length) out.push({ node, missing });
  }
  return out;
}
