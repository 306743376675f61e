-- What became of a record beyond being stored: segments refused, or a post-call file refused whole (then its body is
-- not kept here, only the fact; the dead letter holds it). NULL: stored as it came. Shown by GET /signals/calls/{key}.
-- (Versioned 6.6 so it orders after a V6 of another change; valid on H2 2.x and PostgreSQL 12+.)
ALTER TABLE signal_record ADD COLUMN outcome VARCHAR(1000);
