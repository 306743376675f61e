package io.eciconnector.ledger;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.LRUCacheFactory;

/**
 * Camel's idempotent repository kept in the ledger database (table processed_object): the keys of the objects a
 * read-only source has processed, so a source that leaves a vendor's objects where they are (the post-call analysis
 * files of routes/signals-postcall-s3.yaml, keyed bucket/key#etag) processes each once, across restarts. Used with
 * {@code eager: false}: a key is kept once its exchange completed, so an object whose processing failed or was cut
 * short by a kill is taken again.
 */
@Singleton
@Named("postCallS3Seen")
public class ProcessedObjects implements IdempotentRepository {

    static final String REPOSITORY = "signals-postcall-s3";

    /**
     * Keys known to be kept, answered without asking the ledger: every poll lists the recent day folders again, so
     * most keys asked about were kept before. At most {@value #KNOWN_MAX}, in Camel's LRU cache (the least recently
     * used go first; about two days of files at 10,000 calls a day), a few MB.
     */
    static final int KNOWN_MAX = 20_000;
    private final Map<String, Boolean> known = LRUCacheFactory.newLRUCache(KNOWN_MAX);

    private void remember(String key) {
        known.put(key, Boolean.TRUE);
    }

    @Inject
    Ledger ledger;

    @Override
    public boolean add(String key) {
        if (contains(key)) {
            return false;
        }
        try {
            boolean added = ledger.inTransaction(c -> {
                try (PreparedStatement st = c.prepareStatement(
                        "INSERT INTO processed_object (repository, object_key, created_at) VALUES (?, ?, ?)")) {
                    st.setString(1, REPOSITORY);
                    st.setString(2, key);
                    st.setTimestamp(3, Timestamp.from(Instant.now()));
                    return st.executeUpdate() == 1;
                }
            });
            if (added) {
                remember(key);
            }
            return added;
        } catch (Ledger.LedgerException e) {
            if (contains(key)) {
                return false; // added meanwhile
            }
            throw e;
        }
    }

    @Override
    public boolean contains(String key) {
        if (known.containsKey(key)) {
            return true;
        }
        boolean kept = ledger.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT 1 FROM processed_object WHERE repository = ? AND object_key = ?")) {
                st.setString(1, REPOSITORY);
                st.setString(2, key);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next();
                }
            }
        });
        if (kept) {
            remember(key);
        }
        return kept;
    }

    @Override
    public boolean remove(String key) {
        known.remove(key);
        return ledger.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "DELETE FROM processed_object WHERE repository = ? AND object_key = ?")) {
                st.setString(1, REPOSITORY);
                st.setString(2, key);
                return st.executeUpdate() > 0;
            }
        });
    }

    /**
     * Forgets the keys kept before {@code cutoff}, {@code page} a transaction, at most {@code maxPages} transactions
     * (the next pass goes on); answers how many. For keys the source will not list again (see
     * PostCallS3Listing#forgetBefore): without this the table grows with the bucket for good.
     */
    public int forgetBefore(Instant cutoff, int page, int maxPages) {
        int total = Pages.untilShort(page, maxPages, () -> ledger.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM processed_object WHERE repository = ? AND"
                    + " object_key IN (SELECT object_key FROM processed_object WHERE repository = ? AND created_at < ?"
                    + " FETCH FIRST " + Math.max(1, page) + " ROWS ONLY)")) {
                st.setString(1, REPOSITORY);
                st.setString(2, REPOSITORY);
                st.setTimestamp(3, Timestamp.from(cutoff));
                return st.executeUpdate();
            }
        }));
        if (total > 0) {
            known.clear(); // refilled from the ledger by the next polls
        }
        return total;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        known.clear();
        ledger.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM processed_object WHERE repository = ?")) {
                st.setString(1, REPOSITORY);
                return st.executeUpdate();
            }
        });
    }

    @Override
    public void start() {
    }

    @Override
    public void stop() {
    }
}
