-- Objects a read-only source has processed: the post-call analysis files in a vendor's bucket, which the connector
-- never moves or deletes (routes/signals-postcall-s3.yaml). One row per repository and key (bucket/key#etag), so
-- each object is processed once, across restarts and replicas sharing the ledger.
-- (Versioned 7.2 to order after other changes' V7_x; valid on H2 2.x and PostgreSQL 12+.)
CREATE TABLE processed_object (
    repository VARCHAR(100) NOT NULL,
    object_key VARCHAR(1200) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (repository, object_key)
);
