-- Which replica reads which Kinesis shard. A shard is read only by the instance named in lease_owner, and only while
-- lease_until (epoch millis) is ahead; the owner renews it every third of eci.signals.kinesis.lease, so a shard whose
-- owner died is free again once its lease ran out. lease_owner NULL: free (released on stop or to balance).
-- finished: the shard is closed (after a resharding) and was read to its end, so its children may be read.
-- Valid on H2 2.x and PostgreSQL 12+.
CREATE TABLE kinesis_shard_lease (
    stream_name VARCHAR(128)  NOT NULL,
    shard_id    VARCHAR(128)  NOT NULL,
    lease_owner VARCHAR(64),
    lease_until BIGINT        NOT NULL,
    finished    BOOLEAN       DEFAULT FALSE NOT NULL,
    updated_at  BIGINT        NOT NULL,
    CONSTRAINT pk_kinesis_shard_lease PRIMARY KEY (stream_name, shard_id)
);

-- The instances consuming a stream, alive while alive_until is ahead (renewed with the leases): one that holds no
-- shard yet still counts, so the others release their extra shards to it.
CREATE TABLE kinesis_lease_member (
    stream_name VARCHAR(128)  NOT NULL,
    instance_id VARCHAR(64)   NOT NULL,
    alive_until BIGINT        NOT NULL,
    CONSTRAINT pk_kinesis_lease_member PRIMARY KEY (stream_name, instance_id)
);
