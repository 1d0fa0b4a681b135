// Canonical types shared by every module: list entries, customers, hits, decisions.
export * from './list-entry.js';
export * from './customer.js';
export * from './decision.js';
export * from './review.js';
