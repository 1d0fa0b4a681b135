-- Name-token key scheme 2 (src/match/blocking-keys.ts NAME_KEYS_VERSION = 2: evasion rules added tokens):
-- customers filed under an older scheme are marked unindexed, so the next delta backfill re-files them.
UPDATE customers SET name_tokens_version = NULL WHERE name_tokens_version < 2;
