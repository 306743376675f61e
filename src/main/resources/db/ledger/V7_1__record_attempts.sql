-- Records (files or objects of a source) being read: how many polls have tried one without taking it in. The count
-- goes up BEFORE a record is read, so a read that never ends (the JVM crashed on it) counts too; a record taken in
-- loses its row. At eci.ingest.max-record-attempts it goes to the dead letters whatever the cause, so no record can
-- stop its source. A record changed since (other size, time or ETag: record_version) starts again at one.
-- Valid on H2 2.x and PostgreSQL 12+.
CREATE TABLE record_attempts (
    record_key     VARCHAR(1200) NOT NULL,
    record_version VARCHAR(200),
    attempts       INTEGER       NOT NULL,
    last_reason    VARCHAR(2000),
    first_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    last_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_record_attempts PRIMARY KEY (record_key)
);
