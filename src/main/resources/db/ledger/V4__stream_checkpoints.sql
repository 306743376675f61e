-- Where the Kinesis source stands: per stream and shard, the sequence number of the last record handed on to the
-- signal intake (so stored in the outbox or dead-lettered). A start resumes each shard AFTER it; a shard without a
-- row starts at eci.signals.kinesis.iterator-type. Written only after the intake returned, never moved backwards.
-- (Kafka offsets are committed to the Kafka consumer group instead.) Valid on H2 2.x and PostgreSQL 12+.
CREATE TABLE kinesis_checkpoint (
    stream_name     VARCHAR(128)  NOT NULL,
    shard_id        VARCHAR(128)  NOT NULL,
    sequence_number VARCHAR(128)  NOT NULL,
    updated_at      BIGINT        NOT NULL,
    CONSTRAINT pk_kinesis_checkpoint PRIMARY KEY (stream_name, shard_id)
);
