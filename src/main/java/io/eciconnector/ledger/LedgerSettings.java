package io.eciconnector.ledger;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The ledger database (prefix {@code eci.ledger}): an H2 file by default, PostgreSQL for several replicas. */
@ConfigMapping(prefix = "eci.ledger")
public interface LedgerSettings {

    /** JDBC URL: jdbc:h2:file:... (one replica) or jdbc:postgresql://host:5432/db (shared by replicas). */
    @WithDefault("jdbc:h2:file:./data/ledger/eci;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE")
    String url();

    @WithDefault("sa")
    String username();

    /** Password, or a file holding it (password-file), e.g. a mounted Secret. */
    Optional<String> password();

    Optional<String> passwordFile();

    @WithDefault("8")
    int poolSize();

    /** A claim (create or upload in flight) older than this is taken for abandoned by a crashed replica. */
    @WithDefault("2M")
    Duration lease();

    /**
     * How long finished calls (UPLOADED, SKIPPED) stay in the ledger after they last changed, for the operations API
     * and their history; never less than eci.checks.max-age plus a day, so a forgotten call that comes again is
     * skipped as too old rather than created twice (routes/ledger-retention.yaml).
     */
    @WithDefault("30D")
    Duration retention();

    /** Time between two passes of routes/ledger-retention.yaml (its timer's period). */
    @WithDefault("3600000")
    long retentionCheckMs();

    /**
     * How long a conversation's signal records and outbox items (transcripts included) stay after its last signal
     * went out (routes/signals-retention.yaml); its contacts stay, marked FORGOTTEN, so a record that comes again is
     * skipped rather than sent twice. Unset: {@link #retention()}.
     */
    Optional<Duration> signalRetention();

    /**
     * How long the contacts of a forgotten conversation (FORGOTTEN) stay after the conversation started, so that a
     * record of theirs delivered again (a stream replayed from its start, a file dropped twice) is skipped rather than
     * sent a second time; then they are deleted too (routes/signals-retention.yaml). 400 days: longer than a Kinesis
     * stream can keep a record (365 days). Never less than the signal retention.
     */
    @WithDefault("400D")
    Duration signalReplayGuard();

    /**
     * This instance's name in claims, stable across restarts so that a restarted instance takes its own claims back
     * at once. Unset: the pod name (POD_NAME, or HOSTNAME inside Kubernetes), else the id kept in instance-id-file.
     */
    Optional<String> instanceId();

    /** Where an instance outside Kubernetes keeps its id (created 0600 on first start, locked while running). */
    @WithDefault("data/instance-id")
    String instanceIdFile();
}
