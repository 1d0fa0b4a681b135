// Roles of API principals and what each may do in the review workflow.

export type Role = 'officer' | 'senior_officer' | 'admin' | 'service';

export const ROLES: readonly Role[] = Object.freeze(['officer', 'senior_officer', 'admin', 'service']);

/** Roles that may read and decide cases (the middleware's `service` identity may not). */
export const OFFICER_ROLES: readonly Role[] = Object.freeze(['officer', 'senior_officer', 'admin']);

/** Roles that may decide an escalated case. */
export const SENIOR_ROLES: readonly Role[] = Object.freeze(['senior_officer', 'admin']);

/** An authenticated caller. `id` is the principal (account), shared by all of its keys. */
export interface Principal {
  id: string;
  name: string;
  role: Role;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
