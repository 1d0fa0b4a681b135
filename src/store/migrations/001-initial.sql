-- kycgate initial schema: customers, screenings (full evidence), principals + API keys, cases, case events,
-- suppressions, licences, and the hash-chained audit log. Records are kept 10 years: evidence tables are append-only.

CREATE FUNCTION kycgate_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'kycgate: % on % is forbidden: the table is append-only (records are kept 10 years)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Latest known data of each screened customer; every screening keeps the data as screened.
CREATE TABLE customers (
  id text PRIMARY KEY,
  data jsonb NOT NULL,
  fingerprint text NOT NULL,
  first_seen timestamptz NOT NULL,
  last_screened timestamptz NOT NULL,
  last_screening_id text NOT NULL
);

-- One row per screening decision, with its whole evidence (hits, score pieces, reasons, list + pack versions).
CREATE TABLE screenings (
  screening_id text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customers (id),
  outcome text NOT NULL CHECK (outcome IN ('allow', 'review', 'deny')),
  decision jsonb NOT NULL,
  customer jsonb NOT NULL,
  fingerprint text NOT NULL,
  lists_version text NOT NULL,
  policy text NOT NULL,
  policy_version text,
  decided_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL,
  actor text NOT NULL
);
CREATE INDEX screenings_customer_idx ON screenings (customer_id, decided_at DESC);
CREATE TRIGGER screenings_append_only BEFORE UPDATE OR DELETE ON screenings FOR EACH ROW EXECUTE FUNCTION kycgate_forbid_change();
CREATE TRIGGER screenings_no_truncate BEFORE TRUNCATE ON screenings FOR EACH STATEMENT EXECUTE FUNCTION kycgate_forbid_change();

-- Officer and service accounts, and their API keys (only the SHA-256 of a key is stored).
CREATE TABLE principals (
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('officer', 'senior_officer', 'admin', 'service')),
  created_at timestamptz NOT NULL,
  disabled_at timestamptz
);
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  principal_id text NOT NULL REFERENCES principals (id),
  key_hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);

-- Review cases, one per customer and list entry (kind 'entry') or per customer and reason code (kind 'reason').
CREATE TABLE cases (
  id text PRIMARY KEY,
  case_key text NOT NULL UNIQUE,
  customer_id text NOT NULL REFERENCES customers (id),
  kind text NOT NULL CHECK (kind IN ('entry', 'reason')),
  list text,
  source_id text,
  reason_code text,
  subject text,
  level text NOT NULL CHECK (level IN ('review', 'deny')),
  status text NOT NULL CHECK (status IN ('open', 'in_review', 'cleared', 'confirmed', 'escalated')),
  score double precision,
  assignee text REFERENCES principals (id),
  screening_id text NOT NULL REFERENCES screenings (screening_id),
  customer_fingerprint text NOT NULL,
  entry_hash text,
  hit jsonb,
  reason jsonb,
  proposal jsonb,
  decided_by text REFERENCES principals (id),
  decided_at timestamptz,
  decision_reason text,
  opened_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX cases_status_idx ON cases (status, opened_at);
CREATE INDEX cases_customer_idx ON cases (customer_id);
CREATE INDEX cases_list_idx ON cases (list);
CREATE INDEX cases_assignee_idx ON cases (assignee);

-- Every change of a case, in order (the case row holds the current state only).
CREATE TABLE case_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id text NOT NULL REFERENCES cases (id),
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  from_status text,
  to_status text,
  detail jsonb
);
CREATE INDEX case_events_case_idx ON case_events (case_id, id);
CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events FOR EACH ROW EXECUTE FUNCTION kycgate_forbid_change();
CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events FOR EACH STATEMENT EXECUTE FUNCTION kycgate_forbid_change();

-- Cleared (false-positive) customer–entry pairs; lifted (never deleted) when either side changes.
CREATE TABLE suppressions (
  id text PRIMARY KEY,
  case_id text NOT NULL REFERENCES cases (id),
  customer_id text NOT NULL REFERENCES customers (id),
  list text NOT NULL,
  source_id text NOT NULL,
  customer_fingerprint text NOT NULL,
  entry_hash text NOT NULL,
  since timestamptz NOT NULL,
  created_by text NOT NULL,
  lifted_at timestamptz,
  lifted_reason text
);
CREATE UNIQUE INDEX suppressions_active_idx ON suppressions (customer_id, list, source_id) WHERE lifted_at IS NULL;

-- Licences / authorizations recorded on a case; screenings cite them until they expire.
CREATE TABLE licences (
  id text PRIMARY KEY,
  case_id text NOT NULL REFERENCES cases (id),
  customer_id text NOT NULL REFERENCES customers (id),
  agency text NOT NULL,
  number text NOT NULL,
  scope text,
  expires_at timestamptz NOT NULL,
  list text,
  source_id text,
  codes jsonb,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  lapsed_at timestamptz
);
CREATE INDEX licences_customer_idx ON licences (customer_id);
CREATE INDEX licences_expiry_idx ON licences (expires_at) WHERE lapsed_at IS NULL;

-- Append-only, hash-chained audit log: hash = sha256(prev_hash + canonical JSON of the row).
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  before jsonb,
  after jsonb,
  prev_hash text NOT NULL,
  hash text NOT NULL UNIQUE
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION kycgate_forbid_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION kycgate_forbid_change();
