-- Customer-name token index for delta rescreening: which customers carry which normalized name token
-- (src/match/blocking-keys.ts), and the lookup keys (token + one-deletion variants) of every token seen.
-- A list change then looks up only the keys of its added/changed entries instead of reading every customer.

CREATE TABLE customer_name_tokens (
  token text NOT NULL,
  customer_id text NOT NULL,
  PRIMARY KEY (token, customer_id)
);
CREATE INDEX customer_name_tokens_customer_idx ON customer_name_tokens (customer_id);

-- key → token (the token itself, and its one-deletion variants for words of 5+ letters)
CREATE TABLE name_token_keys (
  key text NOT NULL,
  token text NOT NULL,
  PRIMARY KEY (key, token)
);

-- Key-scheme version the customer's tokens were made with; NULL = not indexed yet (backfilled before a delta).
ALTER TABLE customers ADD COLUMN name_tokens_version integer;
CREATE INDEX customers_name_tokens_stale_idx ON customers (id) WHERE name_tokens_version IS NULL;
