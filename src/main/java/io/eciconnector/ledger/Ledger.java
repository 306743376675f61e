package io.eciconnector.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.eciconnector.salesforce.Secrets;
import io.eciconnector.security.OwnerOnly;

/**
 * The call ledger: one row per call, every transition recorded in its history. Every change of state is a
 * conditional update ({@code WHERE state = expected}), so two replicas sharing the database never both act on a call.
 */
@ApplicationScoped
public class Ledger {

    private static final Logger LOG = Logger.getLogger(Ledger.class);
    private static final String COLUMNS = "provider, external_id, state, reason, voice_call_id, upload_url, user_id, "
            + "user_email, call_start, payload, original, source, recording_uri, recording_bytes, attempts, "
            + "next_attempt_at, claimed_by, claimed_at, created_at, updated_at, reason_code";

    @Inject
    LedgerSettings settings;

    private AgroalDataSource dataSource;
    private InstanceId instanceId;
    private String instance = UUID.randomUUID().toString().substring(0, 8);
    /** When this instance started: its own claims from before are from a previous life (a crash or kill). */
    private final Instant started = Instant.now();

    @PostConstruct
    void start() {
        instanceId = InstanceId.resolve(settings.instanceId(), System.getenv(), java.nio.file.Path.of(settings.instanceIdFile()));
        instance = instanceId.id();
        LOG.infof("Ledger claims are made as instance '%s' (from %s)", instance, instanceId.source());
        try {
            Optional<Path> h2File = h2File(settings.url());
            if (h2File.isPresent()) {
                // the ledger holds personal data (numbers, user ids, original records): its directory is 0700
                OwnerOnly.directory(h2File.get().toAbsolutePath().getParent());
            }
            String password = Secrets.read(settings.password(), settings.passwordFile()).orElse("");
            dataSource = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                    .connectionPoolConfiguration(pool -> pool.maxSize(settings.poolSize()).minSize(1)
                            .acquisitionTimeout(Duration.ofSeconds(30))
                            .connectionFactoryConfiguration(cf -> cf.jdbcUrl(settings.url()).connectionProviderClass(driver(settings.url()))
                                    .principal(new NamePrincipal(settings.username()))
                                    .credential(new SimplePassword(password)))));
            Flyway.configure(Ledger.class.getClassLoader()).dataSource(dataSource).locations("classpath:db/ledger")
                    .load().migrate();
            if (h2File.isPresent()) {
                restrictFiles(h2File.get().toAbsolutePath());
            }
            LOG.infof("Ledger ready at %s", settings.url().replaceAll("password=[^;&]*", "password=***"));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the ledger at " + settings.url(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the ledger's files owner-only: " + settings.url(), e);
        }
    }

    /** The database path of an H2 file URL ({@code jdbc:h2:file:./data/ledger/eci;...}, {@code jdbc:h2:./x}); else empty. */
    static Optional<Path> h2File(String url) {
        String rest;
        if (url.startsWith("jdbc:h2:file:")) {
            rest = url.substring("jdbc:h2:file:".length());
        } else if (url.startsWith("jdbc:h2:") && !url.substring("jdbc:h2:".length()).matches("^[a-z]+:.*")) {
            rest = url.substring("jdbc:h2:".length());
        } else {
            return Optional.empty();
        }
        int semicolon = rest.indexOf(';');
        rest = semicolon < 0 ? rest : rest.substring(0, semicolon);
        if (rest.startsWith("~/")) {
            rest = System.getProperty("user.home") + rest.substring(1);
        }
        return rest.isBlank() ? Optional.empty() : Optional.of(Path.of(rest));
    }

    /** The database's files (eci.mv.db, eci.trace.db, ...) made 0600, whatever the umask created them with. */
    private static void restrictFiles(Path database) throws IOException {
        String name = database.getFileName().toString() + ".";
        try (Stream<Path> files = Files.list(database.getParent())) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(name)).toList()) {
                OwnerOnly.file(f);
            }
        }
    }

    /** The JDBC driver by URL, named explicitly rather than looked up through DriverManager. */
    static Class<?> driver(String url) {
        if (url.startsWith("jdbc:postgresql:")) {
            return org.postgresql.Driver.class;
        }
        if (url.startsWith("jdbc:h2:")) {
            return org.h2.Driver.class;
        }
        throw new IllegalArgumentException("eci.ledger.url must be jdbc:h2:... or jdbc:postgresql:..., not " + url);
    }

    @PreDestroy
    void stop() {
        if (dataSource != null) {
            dataSource.close();
        }
        if (instanceId != null) {
            instanceId.close();
        }
    }

    /** Work done in one transaction. */
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs the work in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                commits.increment();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new LedgerException(e);
        }
    }

    /** Transactions committed since this ledger opened (a group of works counts once). */
    public long commits() {
        return commits.sum();
    }

    /** Works committed through {@link #inGroup} since this ledger opened (each counts, whatever it shared). */
    public long groupedWorks() {
        return groupedWorks.sum();
    }

    /** This instance's claim name: the same after a restart (see {@link InstanceId}). */
    public String instance() {
        return instance;
    }

    /** When this instance started. */
    public Instant started() {
        return started;
    }

    public Duration lease() {
        return settings.lease();
    }

    // ------------------------------------------------------------------ reads

    public Optional<CallRow> find(String provider, String externalId) {
        List<CallRow> rows = select("SELECT " + COLUMNS + " FROM call_ledger WHERE provider = ? AND external_id = ?",
                provider, externalId);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Every row with this externalId, whatever the provider. */
    public List<CallRow> findByExternalId(String externalId) {
        return select("SELECT " + COLUMNS + " FROM call_ledger WHERE external_id = ? ORDER BY provider", externalId);
    }

    /**
     * The oldest calls of a state, read in the order of index ix_call_ledger_state (state, created_at, external_id):
     * the state leads the ORDER BY so that H2 reads the index in order and stops after the rows asked for, instead of
     * sorting every call of the state (V7_5). Followed by the number of rows and " ROWS ONLY".
     */
    static final String IN_STATE = "SELECT " + COLUMNS + " FROM call_ledger WHERE state = ?"
            + " ORDER BY state, created_at, external_id FETCH FIRST ";

    /** The same for the calls of a state whose next attempt is due (or unset): the senders' claims, the recoveries. */
    static final String DUE = "SELECT " + COLUMNS + " FROM call_ledger WHERE state = ? AND (next_attempt_at IS NULL"
            + " OR next_attempt_at <= ?) ORDER BY state, created_at, external_id FETCH FIRST ";

    public List<CallRow> inState(CallState state, int limit) {
        return select(IN_STATE + limit + " ROWS ONLY", state.name());
    }

    public List<HistoryEntry> history(String provider, String externalId) {
        List<HistoryEntry> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT at, state, reason FROM call_history WHERE provider = ? AND external_id = ? ORDER BY id")) {
            ps.setString(1, provider);
            ps.setString(2, externalId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new HistoryEntry(instant(rs, 1), CallState.valueOf(rs.getString(2)), rs.getString(3)));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException(e);
        }
        return out;
    }

    /** Number of calls in each state. */
    public Map<CallState, Long> counts() {
        Map<CallState, Long> counts = new LinkedHashMap<>();
        for (CallState s : CallState.values()) {
            counts.put(s, 0L);
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT state, COUNT(*) FROM call_ledger GROUP BY state");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(CallState.valueOf(rs.getString(1)), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw new LedgerException(e);
        }
        return counts;
    }

    /** How many calls in a state are ready, and when the oldest and the newest of them came in. */
    public record Ready(long count, Instant oldest, Instant newest) {
    }

    public Ready ready(CallState state) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), MIN(created_at), MAX(created_at) FROM call_ledger"
                        + " WHERE state = ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)")) {
            ps.setString(1, state.name());
            setInstant(ps, 2, Instant.now());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Ready(rs.getLong(1), instant(rs, 2), instant(rs, 3));
            }
        } catch (SQLException e) {
            throw new LedgerException(e);
        }
    }

    // ------------------------------------------------------------------ writes

    /** Stores a new call; false (and nothing written) when the ledger already has it. */
    public boolean insert(CallRow r) {
        try {
            return inGroup(c -> { // a duplicate fails its group, whose works then run alone: this one answers false
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO call_ledger (" + COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    int i = 1;
                    ps.setString(i++, r.provider());
                    ps.setString(i++, r.externalId());
                    ps.setString(i++, r.state().name());
                    ps.setString(i++, trim(r.reason()));
                    ps.setString(i++, r.voiceCallId());
                    ps.setString(i++, r.uploadUrl());
                    ps.setString(i++, r.userId());
                    ps.setString(i++, r.userEmail());
                    setInstant(ps, i++, r.callStart());
                    ps.setString(i++, r.payload());
                    ps.setString(i++, r.original());
                    ps.setString(i++, r.source());
                    ps.setString(i++, r.recordingUri());
                    setObject(ps, i++, r.recordingBytes());
                    ps.setInt(i++, r.attempts());
                    setInstant(ps, i++, r.nextAttemptAt());
                    ps.setString(i++, null);
                    setInstant(ps, i++, null);
                    setInstant(ps, i++, r.createdAt());
                    setInstant(ps, i++, r.updatedAt());
                    ps.setString(i, r.reasonCode());
                    ps.executeUpdate();
                    history(c, r.provider(), r.externalId(), r.state(), r.reason());
                    return true;
                }
            });
        } catch (LedgerException e) {
            if (e.getCause() instanceof SQLException sql && isDuplicateKey(sql)) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Takes a SKIPPED or DEAD call in again (a replay or a retry) with fresh content; false when the call is in any
     * other state (in flight or done: never sent twice).
     */
    public boolean reopen(CallRow r, String why) {
        return update(r.provider(), r.externalId(), List.of(CallState.SKIPPED, CallState.DEAD, CallState.WAITING), r.state(),
                why + (r.reason() == null ? "" : ": " + r.reason()), fields("reason_code", r.reasonCode(), "payload",
                        r.payload(), "original",
                        r.original(), "user_id", r.userId(), "user_email", r.userEmail(), "call_start", r.callStart(),
                        "source", r.source(), "recording_uri", r.recordingUri(), "recording_bytes", r.recordingBytes(),
                        "attempts", 0, "next_attempt_at", null, "voice_call_id", null, "upload_url", null));
    }

    /**
     * Claims up to {@code limit} rows in state {@code from} whose next attempt is due, moving them to {@code to}
     * with this instance's name. Rows another replica claimed first are left out.
     */
    public List<CallRow> claim(CallState from, CallState to, int limit) {
        List<CallRow> candidates = select(DUE + limit + " ROWS ONLY", from.name(), Instant.now());
        return claimRows(candidates, from, to);
    }

    /**
     * Claims exactly these calls, those of them still in state {@code from} with their next attempt due, moving them to
     * {@code to} with this instance's name, in the order given. A call another replica claimed (or created) first, or
     * whose retry time has not come, is left out.
     */
    public List<CallRow> claim(Collection<CallKey> keys, CallState from, CallState to) {
        List<CallRow> candidates = new ArrayList<>();
        Instant now = Instant.now();
        for (CallKey k : new java.util.LinkedHashSet<>(keys)) {
            candidates.addAll(select("SELECT " + COLUMNS + " FROM call_ledger WHERE provider = ? AND external_id = ?"
                    + " AND state = ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)", k.provider(),
                    k.externalId(), from.name(), now));
        }
        return claimRows(candidates, from, to);
    }

    private List<CallRow> claimRows(List<CallRow> candidates, CallState from, CallState to) {
        Instant now = Instant.now();
        Batch batch = batch();
        for (CallRow r : candidates) {
            batch.transition(r.provider(), r.externalId(), from, to, null,
                    fields("claimed_by", instance, "claimed_at", now, "attempts", r.attempts() + 1));
        }
        boolean[] won = batch.commit();
        List<CallRow> claimed = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            CallRow r = candidates.get(i);
            if (won[i]) {
                claimed.add(new CallRow(r.provider(), r.externalId(), to, r.reason(), r.voiceCallId(), r.uploadUrl(),
                        r.userId(), r.userEmail(), r.callStart(), r.payload(), r.original(), r.source(),
                        r.recordingUri(), r.recordingBytes(), r.attempts() + 1, r.nextAttemptAt(), instance, now,
                        r.createdAt(), now, r.reasonCode()));
            }
        }
        return claimed;
    }

    /** Transitions applied together in one transaction (one commit for a whole create answer or claim). */
    public Batch batch() {
        return new Batch();
    }

    public final class Batch {
        private final List<Object[]> changes = new ArrayList<>();

        public Batch transition(String provider, String externalId, CallState from, CallState to, String reason,
                Map<String, Object> fields) {
            changes.add(new Object[] { provider, externalId, List.of(from), to, reason, fields });
            return this;
        }

        /**
         * Applies every transition in one transaction (possibly with other callers' transitions: see the group
         * commit); answers, per transition, whether it took place.
         */
        public boolean[] commit() {
            if (changes.isEmpty()) {
                return new boolean[0];
            }
            return grouped(new ArrayList<>(changes));
        }
    }

    /**
     * Claims whose lease ran out (their replica died), and this instance's own claims from before its start (it was
     * killed and came back: no need to wait out the lease): moved from {@code from} to {@code to}.
     */
    public int recoverAbandoned(CallState from, CallState to, String reason) {
        return recoverAbandoned(from, to, reason, null);
    }

    /**
     * As {@link #recoverAbandoned(CallState, CallState, String)}; with a {@code settle} time the request the claim
     * stood for has an unknown outcome: {@code settle_until} = the claim's time + settle (until when the org may
     * still apply it), due at once for a first look-up.
     */
    public int recoverAbandoned(CallState from, CallState to, String reason, Duration settle) {
        Instant cutoff = Instant.now().minus(settings.lease());
        List<CallRow> stale = select("SELECT " + COLUMNS + " FROM call_ledger WHERE state = ? AND (claimed_at < ?"
                + " OR (claimed_by = ? AND claimed_at < ?))", from.name(), cutoff, instance, started);
        int n = 0;
        for (CallRow r : stale) {
            boolean own = instance.equals(r.claimedBy()) && r.claimedAt() != null && r.claimedAt().isBefore(started)
                    && !r.claimedAt().isBefore(cutoff);
            String why = reason + (own ? " (this instance's claim from before its restart, taken back at once)" : "");
            Map<String, Object> f = settle == null ? fields("claimed_by", null)
                    : fields("claimed_by", null, "next_attempt_at", null, "settle_until",
                            (r.claimedAt() == null ? Instant.now() : r.claimedAt()).plus(settle));
            if (update(r.provider(), r.externalId(), List.of(from), to, why, f)) {
                n++;
            }
        }
        return n;
    }

    /** Rows in a state whose next attempt is due (or unset), oldest first. */
    public List<CallRow> due(CallState state, int limit) {
        return select(DUE + limit + " ROWS ONLY", state.name(), Instant.now());
    }

    /**
     * Until when the org may still apply an earlier request of these calls (provider + "/" + externalId -> time),
     * for the calls that have one (in the past too: the call was sent again after an unknown outcome).
     */
    public Map<String, Instant> settleUntil(Collection<CallRow> rows) {
        Map<String, Instant> out = new LinkedHashMap<>();
        if (rows.isEmpty()) {
            return out;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT settle_until FROM call_ledger WHERE provider = ? "
                        + "AND external_id = ? AND settle_until IS NOT NULL")) {
            for (CallRow r : rows) {
                ps.setString(1, r.provider());
                ps.setString(2, r.externalId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out.put(r.provider() + "/" + r.externalId(), instant(rs, 1));
                    }
                }
            }
        } catch (SQLException e) {
            throw new LedgerException(e);
        }
        return out;
    }

    /**
     * Records that the org holds more VoiceCalls for this call than the one the ledger keeps: the extra ids in the
     * row (for the console) and an entry in its history, whatever its state. False when already recorded.
     */
    public boolean reportDuplicates(String provider, String externalId, String extraIds, String reason) {
        return inTransaction(c -> {
            String state;
            try (PreparedStatement ps = c.prepareStatement("UPDATE call_ledger SET duplicates = ?, updated_at = ? "
                    + "WHERE provider = ? AND external_id = ? AND (duplicates IS NULL OR duplicates <> ?)")) {
                ps.setString(1, trim(extraIds));
                setInstant(ps, 2, Instant.now());
                ps.setString(3, provider);
                ps.setString(4, externalId);
                ps.setString(5, trim(extraIds));
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT state FROM call_ledger WHERE provider = ? AND external_id = ?")) {
                ps.setString(1, provider);
                ps.setString(2, externalId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    state = rs.getString(1);
                }
            }
            history(c, provider, externalId, CallState.valueOf(state), reason);
            return true;
        });
    }

    /** A call for which the org holds more than one VoiceCall. */
    public record Duplicate(String provider, String externalId, String state, String voiceCallId, String extraIds,
            Instant at) {
    }

    /** The calls with duplicate VoiceCalls, newest first, and how many there are in all. */
    public List<Duplicate> duplicates(int limit) {
        List<Duplicate> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT provider, external_id, state, voice_call_id, "
                        + "duplicates, updated_at FROM call_ledger WHERE duplicates IS NOT NULL ORDER BY updated_at DESC"
                        + " FETCH FIRST " + limit + " ROWS ONLY");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Duplicate(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), instant(rs, 6)));
            }
        } catch (SQLException e) {
            throw new LedgerException(e);
        }
        return out;
    }

    public long duplicateCount() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM call_ledger WHERE duplicates IS NOT NULL");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new LedgerException(e);
        }
    }

    /**
     * Forgets finished calls: at most {@code limit} rows in UPLOADED or SKIPPED whose call started (when it has a
     * start) and that last changed before {@code cutoff}, with their history, in one transaction. Rows with a reported
     * duplicate stay, as do calls in any other state (DEAD ones wait for the operator's replay). Answers how many were
     * forgotten. The caller chooses a cutoff older than the intake's age limit, so a forgotten call that comes again is
     * skipped as too old, never created twice.
     */
    public int forgetFinished(Instant cutoff, int limit) {
        return inTransaction(c -> {
            String condition = "state IN ('UPLOADED', 'SKIPPED') AND updated_at < ? AND (call_start IS NULL OR"
                    + " call_start < ?) AND duplicates IS NULL";
            List<CallKey> keys = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT provider, external_id FROM call_ledger WHERE "
                    + condition + " FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY")) {
                setInstant(ps, 1, cutoff);
                setInstant(ps, 2, cutoff);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        keys.add(new CallKey(rs.getString(1), rs.getString(2)));
                    }
                }
            }
            int forgotten = 0;
            try (PreparedStatement row = c.prepareStatement("DELETE FROM call_ledger WHERE provider = ? AND"
                    + " external_id = ? AND " + condition);
                    PreparedStatement history = c.prepareStatement(
                            "DELETE FROM call_history WHERE provider = ? AND external_id = ?")) {
                for (CallKey k : keys) {
                    row.setString(1, k.provider());
                    row.setString(2, k.externalId());
                    setInstant(row, 3, cutoff);
                    setInstant(row, 4, cutoff);
                    if (row.executeUpdate() == 1) { // still finished and old: another replica may have changed it
                        history.setString(1, k.provider());
                        history.setString(2, k.externalId());
                        history.executeUpdate();
                        forgotten++;
                    }
                }
            }
            return forgotten;
        });
    }

    /** Moves a call from {@code from} to {@code to}, recording the reason; false when it was not in {@code from}. */
    public boolean transition(String provider, String externalId, CallState from, CallState to, String reason,
            Map<String, Object> fields) {
        return update(provider, externalId, List.of(from), to, reason, fields);
    }

    /** Helper for the {@code fields} of a transition: column, value, column, value... */
    public static Map<String, Object> fields(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private boolean update(String provider, String externalId, Collection<CallState> from, CallState to,
            String reason, Map<String, Object> fields) {
        List<Object[]> one = new ArrayList<>(1);
        one.add(new Object[] { provider, externalId, from, to, reason, fields });
        return grouped(one)[0];
    }

    // ------------------------------------------------------------------ group commit

    /** Works waiting for a commit, in the order their callers asked. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Pending> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Held by the thread committing a group; the others wait for it, as they would for the database's own lock. */
    private final java.util.concurrent.locks.ReentrantLock committer = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.atomic.LongAdder commits = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder groupedWorks = new java.util.concurrent.atomic.LongAdder();
    /** At most this many works in one group. */
    static final int MAX_GROUP = 64;

    /** One caller's work: run with other callers' works in one transaction, or alone when their group failed. */
    private static final class Pending {
        final Work<?> work;
        Object result;
        RuntimeException failure;
        boolean finished;

        Pending(Work<?> work) {
            this.work = work;
        }
    }

    /**
     * Group commit: runs the work in one transaction, possibly shared with the works other threads ask for at the same
     * time, and answers its result once committed. Callers that ask while another group commits wait, as they would
     * for the database's store lock, and the next of them commits every work queued meanwhile in one transaction:
     * under load (the intake, the uploads and the creates at once) one commit, and one chunk written, for several
     * calls, and never a caller answered before its changes are durable. When a group fails, each of its works runs
     * again alone, so a failure stays with its caller.
     * <p>
     * So a work given here must change nothing but the database, through the connection it is given (it may run
     * twice). An SQL error fails the whole group (on PostgreSQL it aborts the shared transaction), which then runs one
     * by one: an error the work meets only rarely is fine (the duplicate key {@link #insert} tells a call taken in
     * twice by), one it uses on a normal path to decide an outcome belongs in {@link #inTransaction}
     * (SignalStore.claim's "claimed elsewhere").
     */
    @SuppressWarnings("unchecked")
    public <T> T inGroup(Work<T> work) {
        Pending mine = new Pending(work);
        pending.add(mine);
        committer.lock();
        try {
            while (!mine.finished) {
                // only the thread holding the committer takes from the queue, so what it peeks is what it polls
                List<Pending> group = new ArrayList<>();
                while (group.size() < MAX_GROUP && pending.peek() != null) {
                    group.add(pending.poll());
                }
                commitGroup(group);
            }
        } finally {
            committer.unlock();
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return (T) mine.result;
    }

    private void commitGroup(List<Pending> group) {
        boolean[] answered = new boolean[group.size()];
        try {
            List<Object> results = inTransaction(c -> {
                List<Object> r = new ArrayList<>(group.size());
                for (Pending p : group) {
                    r.add(p.work.run(c));
                }
                return r;
            });
            for (int i = 0; i < group.size(); i++) {
                group.get(i).result = results.get(i); // answered only once committed
                answered[i] = true;
            }
            groupedWorks.add(group.size());
        } catch (RuntimeException e) {
            if (group.size() == 1) {
                group.get(0).failure = e;
                answered[0] = true;
            } else {
                for (int i = 0; i < group.size(); i++) { // rolled back: each alone, so a failure stays with its caller
                    Pending p = group.get(i);
                    try {
                        p.result = inTransaction(p.work);
                        groupedWorks.increment();
                    } catch (RuntimeException own) {
                        p.failure = own;
                    }
                    answered[i] = true;
                }
            }
        } finally {
            for (int i = 0; i < group.size(); i++) {
                if (!answered[i]) { // an Error on the way: nobody waits for ever
                    group.get(i).failure = new IllegalStateException("the ledger's commit did not finish");
                }
                group.get(i).finished = true;
            }
        }
    }

    /** Applies the transitions in one group commit; answers, per transition, whether it took place. */
    private boolean[] grouped(List<Object[]> changes) {
        return inGroup(c -> apply(c, changes));
    }

    @SuppressWarnings("unchecked")
    private boolean[] apply(Connection c, List<Object[]> changes) throws SQLException {
        boolean[] done = new boolean[changes.size()];
        for (int i = 0; i < changes.size(); i++) {
            Object[] ch = changes.get(i);
            done[i] = update(c, (String) ch[0], (String) ch[1], (Collection<CallState>) ch[2], (CallState) ch[3],
                    (String) ch[4], (Map<String, Object>) ch[5]);
        }
        return done;
    }

    /** For tests: the works waiting for a commit. */
    int queued() {
        return pending.size();
    }

    /** For tests: holds the committer, so that the works asked meanwhile queue for one group. */
    java.util.concurrent.locks.Lock committer() {
        return committer;
    }

    /** One conditional update (and its history entry) on an open transaction. */
    private boolean update(Connection c, String provider, String externalId, Collection<CallState> from, CallState to,
            String reason, Map<String, Object> fields) throws SQLException {
        StringBuilder sql = new StringBuilder("UPDATE call_ledger SET state = ?, updated_at = ?");
        if (reason != null) {
            sql.append(", reason = ?");
        }
        for (String column : fields.keySet()) {
            if (!column.matches("[a-z_]+")) {
                throw new IllegalArgumentException(column);
            }
            sql.append(", ").append(column).append(" = ?");
        }
        sql.append(" WHERE provider = ? AND external_id = ? AND state IN (")
                .append(String.join(", ", from.stream().map(s -> "?").toList())).append(")");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            ps.setString(i++, to.name());
            setInstant(ps, i++, Instant.now());
            if (reason != null) {
                ps.setString(i++, trim(reason));
            }
            for (Object v : fields.values()) {
                setObject(ps, i++, v);
            }
            ps.setString(i++, provider);
            ps.setString(i++, externalId);
            for (CallState s : from) {
                ps.setString(i++, s.name());
            }
            boolean changed = ps.executeUpdate() == 1;
            if (changed && (from.size() != 1 || from.iterator().next() != to || reason != null)) {
                history(c, provider, externalId, to, reason);
            }
            return changed;
        }
    }

    private void history(Connection c, String provider, String externalId, CallState state, String reason)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO call_history (provider, external_id, at, state, reason) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, provider);
            ps.setString(2, externalId);
            setInstant(ps, 3, Instant.now());
            ps.setString(4, state.name());
            ps.setString(5, trim(reason));
            ps.executeUpdate();
        }
    }

    /** The call-coaching status as last read: enabled, users as JSON, when it was first enabled, when read. */
    public record CoachingState(boolean enabled, String usersJson, Instant firstEnabledAt, Instant readAt) {
    }

    public Optional<CoachingState> coachingState(String providerId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT enabled, users, first_enabled_at, read_at FROM "
                        + "callcoaching_state WHERE provider_id = ?")) {
            ps.setString(1, providerId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new CoachingState(rs.getBoolean(1), rs.getString(2), instant(rs, 3),
                        instant(rs, 4))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new LedgerException(e);
        }
    }

    public void saveCoachingState(String providerId, CoachingState state) {
        inTransaction(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM callcoaching_state WHERE provider_id = ?");
                    PreparedStatement ins = c.prepareStatement("INSERT INTO callcoaching_state (provider_id, enabled, users,"
                            + " first_enabled_at, read_at) VALUES (?, ?, ?, ?, ?)")) {
                del.setString(1, providerId);
                del.executeUpdate();
                ins.setString(1, providerId);
                ins.setBoolean(2, state.enabled());
                ins.setString(3, state.usersJson());
                setInstant(ins, 4, state.firstEnabledAt());
                setInstant(ins, 5, state.readAt());
                return ins.executeUpdate();
            }
        });
    }

    /** Rows by an arbitrary condition on the ledger's own columns (used by the operations endpoints). */
    public List<CallRow> where(String condition, Object... params) {
        return select("SELECT " + COLUMNS + " FROM call_ledger WHERE " + condition, params);
    }

    private List<CallRow> select(String sql, Object... params) {
        List<CallRow> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                setObject(ps, i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(row(rs));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException(e);
        }
        return rows;
    }

    private static CallRow row(ResultSet rs) throws SQLException {
        long bytes = rs.getLong("recording_bytes");
        Long recordingBytes = rs.wasNull() ? null : bytes;
        return new CallRow(rs.getString("provider"), rs.getString("external_id"),
                CallState.valueOf(rs.getString("state")), rs.getString("reason"), rs.getString("voice_call_id"),
                rs.getString("upload_url"), rs.getString("user_id"), rs.getString("user_email"),
                instant(rs, "call_start"), rs.getString("payload"), rs.getString("original"), rs.getString("source"),
                rs.getString("recording_uri"), recordingBytes, rs.getInt("attempts"), instant(rs, "next_attempt_at"),
                rs.getString("claimed_by"), instant(rs, "claimed_at"), instant(rs, "created_at"),
                instant(rs, "updated_at"), rs.getString("reason_code"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static void setInstant(PreparedStatement ps, int i, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, value.atOffset(ZoneOffset.UTC));
        }
    }

    private static void setObject(PreparedStatement ps, int i, Object v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.NULL);
        } else if (v instanceof Instant t) {
            setInstant(ps, i, t);
        } else if (v instanceof Integer n) {
            ps.setInt(i, n);
        } else if (v instanceof Long n) {
            ps.setLong(i, n);
        } else if (v instanceof CallState s) {
            ps.setString(i, s.name());
        } else {
            ps.setString(i, v.toString());
        }
    }

    private static String trim(String s) {
        return s == null || s.length() <= 4000 ? s : s.substring(0, 3997) + "...";
    }

    private static boolean isDuplicateKey(SQLException e) {
        String state = e.getSQLState();
        return "23505".equals(state) || "23000".equals(state);
    }

    public static class LedgerException extends RuntimeException {
        LedgerException(SQLException e) {
            super("ledger: " + e.getMessage(), e);
        }
    }
}
