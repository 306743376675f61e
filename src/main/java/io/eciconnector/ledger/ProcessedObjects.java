package io.eciconnector.ledger;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;

import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import org.apache.camel.spi.IdempotentRepository;

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

    @Inject
    Ledger ledger;

    @Override
    public boolean add(String key) {
        if (contains(key)) {
            return false;
        }
        try {
            return ledger.inTransaction(c -> {
                try (PreparedStatement st = c.prepareStatement(
                        "INSERT INTO processed_object (repository, object_key, created_at) VALUES (?, ?, ?)")) {
                    st.setString(1, REPOSITORY);
                    st.setString(2, key);
                    st.setTimestamp(3, Timestamp.from(Instant.now()));
                    return st.executeUpdate() == 1;
                }
            });
        } catch (Ledger.LedgerException e) {
            if (contains(key)) {
                return false; // added meanwhile
            }
            throw e;
        }
    }

    @Override
    public boolean contains(String key) {
        return ledger.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT 1 FROM processed_object WHERE repository = ? AND object_key = ?")) {
                st.setString(1, REPOSITORY);
                st.setString(2, key);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public boolean remove(String key) {
        return ledger.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "DELETE FROM processed_object WHERE repository = ? AND object_key = ?")) {
                st.setString(1, REPOSITORY);
                st.setString(2, key);
                return st.executeUpdate() > 0;
            }
        });
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
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
