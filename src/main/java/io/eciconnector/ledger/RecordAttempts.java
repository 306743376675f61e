package io.eciconnector.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

/**
 * How many polls have tried a record (a source's file or object) without taking it in (table record_attempts). An
 * attempt is counted durably before the record is read, so one that crashed the JVM counts as well. The count of a
 * record taken in is deleted with the next attempt's transaction (of any record), not in one of its own: the intake
 * commits twice a record (the attempt, the call) instead of three times. Until then the row only says the record
 * was tried once; a record taken in is moved away from its source, and one read again meanwhile (its move failed,
 * or the same name dropped again) has the row deleted before it is counted.
 */
@ApplicationScoped
public class RecordAttempts {

    private static final Logger LOG = Logger.getLogger(RecordAttempts.class);

    @Inject
    Ledger ledger;

    /** This attempt's number (1 for the first since the record appeared or changed) and the last failure's reason. */
    public record Attempt(int number, String lastReason) {
    }

    /** Keys of records taken in whose rows the next {@link #begin} deletes. */
    private final ConcurrentLinkedQueue<String> takenIn = new ConcurrentLinkedQueue<>();

    /**
     * Counts an attempt at the record, before it is read; in the same transaction, forgets the counts of the records
     * taken in since the last attempt (see {@link #done}).
     */
    public Attempt begin(String key, String version) {
        String k = trim(key, 1200);
        String v = trim(version, 200);
        Timestamp now = Timestamp.from(Instant.now());
        List<String> forget = drain();
        try {
            return ledger.inGroup(c -> {
                forget(c, forget);
                return count(c, k, v, now);
            });
        } catch (RuntimeException e) {
            takenIn.addAll(forget); // for the next attempt
            throw e;
        }
    }

    /** The keys {@link #done} queued, taken off the queue. */
    private List<String> drain() {
        List<String> keys = new ArrayList<>();
        for (String key; (key = takenIn.poll()) != null;) {
            keys.add(key);
        }
        return keys;
    }

    private static void forget(Connection c, List<String> keys) throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM record_attempts WHERE record_key = ?")) {
            for (String key : keys) {
                ps.setString(1, key);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static Attempt count(Connection c, String k, String v, Timestamp now) throws SQLException {
        Integer before = null;
        String prevVersion = null;
        String reason = null;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT attempts, record_version, last_reason FROM record_attempts WHERE record_key = ? FOR UPDATE")) {
            ps.setString(1, k);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    before = rs.getInt(1);
                    prevVersion = rs.getString(2);
                    reason = rs.getString(3);
                }
            }
        }
        if (before == null) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO record_attempts (record_key, record_version,"
                    + " attempts, first_at, last_at) VALUES (?, ?, 1, ?, ?)")) {
                ps.setString(1, k);
                ps.setString(2, v);
                ps.setTimestamp(3, now);
                ps.setTimestamp(4, now);
                ps.executeUpdate();
            }
            return new Attempt(1, null);
        }
        boolean changed = !Objects.equals(prevVersion, v);
        int number = changed ? 1 : before + 1;
        try (PreparedStatement ps = c.prepareStatement("UPDATE record_attempts SET attempts = ?, record_version = ?,"
                + " last_at = ?" + (changed ? ", last_reason = NULL, first_at = ?" : "") + " WHERE record_key = ?")) {
            int i = 1;
            ps.setInt(i++, number);
            ps.setString(i++, v);
            ps.setTimestamp(i++, now);
            if (changed) {
                ps.setTimestamp(i++, now);
            }
            ps.setString(i, k);
            ps.executeUpdate();
        }
        return new Attempt(number, changed ? null : reason);
    }

    /** The attempt failed (the record stays for the next poll): why. */
    public void failed(String key, String reason) {
        update("UPDATE record_attempts SET last_reason = ? WHERE record_key = ?", trim(reason, 2000), key);
    }

    /** The attempt did not count against the record (the connector was stopping). */
    public void uncount(String key) {
        update("UPDATE record_attempts SET attempts = attempts - 1 WHERE record_key = ? AND attempts > 0", key);
    }

    /**
     * The record was taken in (or dead-lettered): its count is forgotten with the next attempt's transaction, or by
     * {@link #flush()}.
     */
    public void done(String key) {
        if (key != null) {
            takenIn.add(trim(key, 1200));
        }
    }

    @PreDestroy
    void stop() {
        try {
            flush();
        } catch (RuntimeException e) {
            // the ledger closed first: the rows stay until the next start's first attempt or the retention pass
            LOG.debugf("Counts of records taken in left for the next start: %s", e.toString());
        }
    }

    /** Forgets now the counts {@link #done} left for the next attempt (the connector is stopping). */
    public void flush() {
        List<String> forget = drain();
        if (!forget.isEmpty()) {
            ledger.inTransaction(c -> {
                forget(c, forget);
                return null;
            });
        }
    }

    /**
     * Forgets the counts of records last tried before the cutoff (left by a connector that stopped between a
     * record's read and its move, or by a record taken away from the source meanwhile); answers how many.
     */
    public int forgetTriedBefore(Instant cutoff) {
        return ledger.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM record_attempts WHERE last_at < ?")) {
                ps.setTimestamp(1, Timestamp.from(cutoff));
                return ps.executeUpdate();
            }
        });
    }

    private void update(String sql, String... params) {
        ledger.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setString(i + 1, i == params.length - 1 ? trim(params[i], 1200) : params[i]);
                }
                return ps.executeUpdate();
            }
        });
    }

    private static String trim(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
