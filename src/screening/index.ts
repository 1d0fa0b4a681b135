// Screening public surface: the customer schema and the pure screenCustomer.
export { customerSchema, parseCustomer } from './customer-schema.js';
export { screenCustomer, type ScreeningContext } from './screen.js';
export { entryHash, customerFingerprint } from './fingerprints.js';
