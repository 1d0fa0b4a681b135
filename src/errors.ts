// The one catalog of KYC_ERR_* error codes; every error kycgate raises is a KycError with one of these codes.

export interface ErrorSpec {
  /** HTTP status when the error reaches a client. */
  status: number;
  /** One-line meaning, also printed in README.md's error table. */
  title: string;
}

/**
 * Every code kycgate uses. Never reuse or rename a retired code; add new ones at the end of a group.
 * README.md lists each one (test/unit/errors.test.ts keeps them in step).
 */
export const ERROR_CATALOG = Object.freeze({
  // configuration and options
  KYC_ERR_CONFIG_INVALID: { status: 500, title: 'An environment variable is unknown or has an invalid value' },
  KYC_ERR_OPTIONS_INVALID: { status: 500, title: 'Options passed to a kycgate factory are invalid' },
  KYC_ERR_RULES_INVALID: { status: 500, title: 'A policy pack or rule table in lists/ is missing or invalid' },
  // input
  KYC_ERR_INPUT_JSON: { status: 400, title: 'The input is not valid JSON' },
  KYC_ERR_INPUT_INVALID: { status: 400, title: 'The input does not match the schema' },
  KYC_ERR_INPUT_TOO_LARGE: { status: 413, title: 'The request body or batch is too large' },
  KYC_ERR_UNKNOWN_GPU: { status: 400, title: 'The GPU model is not in the GPU catalog' },
  KYC_ERR_UNKNOWN_POLICY: { status: 400, title: 'No policy pack has that name' },
  // lists
  KYC_ERR_LIST_FORMAT: { status: 422, title: 'The list file is not in a known format' },
  KYC_ERR_LIST_PARSE: { status: 422, title: 'The list file could not be parsed' },
  KYC_ERR_LIST_VALIDATION: { status: 422, title: 'The list file parsed but failed validation' },
  KYC_ERR_LISTS_UNAVAILABLE: { status: 503, title: 'No list snapshot is loaded' },
  KYC_ERR_SOURCE_DOWNLOAD: { status: 502, title: 'A list source could not be downloaded' },
  KYC_ERR_SOURCE_BREAKER_OPEN: { status: 503, title: 'The circuit breaker of a list source is open' },
  // screening
  KYC_ERR_SCREENING_UNAVAILABLE: { status: 503, title: 'Screening could not be completed; the request is held' },
  KYC_ERR_SCREENING_DENIED: { status: 403, title: 'The request was denied by screening' },
  KYC_ERR_SCREENING_REVIEW: { status: 403, title: 'The request is held for compliance review' },
  // auth
  KYC_ERR_UNAUTHORIZED: { status: 401, title: 'Credentials are missing or invalid' },
  KYC_ERR_FORBIDDEN: { status: 403, title: 'The credentials lack the role this action needs' },
  KYC_ERR_RATE_LIMITED: { status: 429, title: 'Too many requests from this client' },
  // review and audit
  KYC_ERR_NOT_FOUND: { status: 404, title: 'No such resource' },
  KYC_ERR_CONFLICT: { status: 409, title: 'The resource changed; reload and try again' },
  KYC_ERR_FOUR_EYES: { status: 409, title: 'A second, different officer must confirm this decision' },
  KYC_ERR_INVALID_TRANSITION: { status: 409, title: 'The case cannot move to that state from its current one' },
  KYC_ERR_AUDIT_CHAIN_BROKEN: { status: 500, title: 'The audit log hash chain is broken' },
  // infrastructure
  KYC_ERR_STORE_UNAVAILABLE: { status: 503, title: 'The database is unavailable' },
  KYC_ERR_QUEUE_UNAVAILABLE: { status: 503, title: 'Redis / the job queue is unavailable' },
  KYC_ERR_INTERNAL: { status: 500, title: 'Unexpected internal error' },
  KYC_ERR_MIGRATION_FAILED: { status: 500, title: 'A database migration failed, or an applied migration file was changed' },
} satisfies Record<string, ErrorSpec>);

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** Stable RFC 9457 `type` URI of an error code. */
export function problemType(code: ErrorCode): string {
  return `urn:kycgate:error:${code}`;
}

/** A kycgate error: stable `code`, HTTP `status`, optional structured `details` safe to show the caller. */
export class KycError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KycError';
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.details = details;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export function isKycError(err: unknown): err is KycError {
  return err instanceof KycError;
}
