-- What became of a record beyond being stored: segments refused, or a post-call file refused whole (then its body is
-- not kept here, only the fact; the dead letter holds it). NULL: stored as it came. Shown by GET /signals/calls/{key}.
-- (Versioned 6.6 so it orders after a V6 of another change; valid on H2 2.x and PostgreSQL 12+.)
ALTER TABLE signal_record ADD COLUMN outcome VARCHAR(1000);

-- A contact's records (GET /signals/calls/{key}) and the items of a record (moving a contact's waiting items when a
-- better start is learned) are looked up by these.
CREATE INDEX ix_signal_record_contact ON signal_record (contact_id);
CREATE INDEX ix_signal_outbox_record ON signal_outbox (record_id);
