-- Signal retention (routes/signals-retention.yaml): a conversation whose signals all went out longer than
-- eci.ledger.signal-retention ago loses its records and outbox items (transcripts included); its contacts stay with
-- status FORGOTTEN and no agent reference, so a record of theirs that comes again is skipped, not sent twice.
-- The pass reads the oldest contacts of a status in this index's order; a conversation's contacts are found by the
-- second (also GET /signals/calls/{key} and the post-call hold, which read every contact before).
-- Valid on H2 2.x and PostgreSQL 12+.
CREATE INDEX ix_signal_contact_status ON signal_contact (status, created_at, contact_id);
CREATE INDEX ix_signal_contact_key ON signal_contact (vendor_call_key);
