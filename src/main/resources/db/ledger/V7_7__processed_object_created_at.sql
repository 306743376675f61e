-- The post-call S3 source forgets the keys of objects in day folders it no longer lists (routes/signals-postcall-s3.yaml,
-- once an hour): the oldest rows are found by this index rather than by reading the whole table.
-- (Valid on H2 2.x and PostgreSQL 12+.)
CREATE INDEX processed_object_created ON processed_object (repository, created_at);
