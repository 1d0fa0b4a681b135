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
  ultimateParent?: OwnershipNode;
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
    let best = at.parents[0]!;
    for (const p of at.parents) if ((p.ownership ?? 0) > (best.ownership ?? 0)) best = p;
    chain.push(best);
    at = best;
  }
  return { parties, root, nodes, chain, ultimateParent: chain[chain.length - 1] };
}
