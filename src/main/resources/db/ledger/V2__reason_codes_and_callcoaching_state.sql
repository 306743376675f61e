-- A short code per reason (too-short, user-not-coached, http-400, ...): failures listed by reason, and the calls a
-- call-coaching change concerns found again.
ALTER TABLE call_ledger ADD COLUMN reason_code VARCHAR(64);
CREATE INDEX ix_call_ledger_reason ON call_ledger (state, reason_code);

-- The last call-coaching status read (GET callcoaching/{providerId}), kept so that a restart does not upload for
-- users who were removed while it was down.
CREATE TABLE callcoaching_state (
    provider_id      VARCHAR(18)   NOT NULL,
    enabled          BOOLEAN       NOT NULL,
    users            TEXT          NOT NULL,
    first_enabled_at TIMESTAMP WITH TIME ZONE,
    read_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_callcoaching_state PRIMARY KEY (provider_id)
);
