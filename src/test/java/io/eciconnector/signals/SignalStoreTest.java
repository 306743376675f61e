package io.eciconnector.signals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eciconnector.ledger.Ledger;
import io.eciconnector.ledger.TestLedgers;

/**
 * SignalStore.storing: a transaction that met a unique key another writer inserted meanwhile (the contact's stream
 * record and its post-call file at the same moment: the README's main job showed a post-call file failing with a
 * primary-key violation on signal_contact and read again at the next poll) runs again and finds that row; nothing
 * else is retried.
 */
class SignalStoreTest {

    Ledger ledger;
    SignalStore store;

    @BeforeEach
    void open() throws Exception {
        ledger = TestLedgers.fresh("h2", TestLedgers.unique(), Duration.ofMinutes(2));
        store = new SignalStore();
        store.ledger = ledger;
    }

    @AfterEach
    void close() {
        TestLedgers.close(ledger);
    }

    @AfterAll
    static void dropSchemas() throws Exception {
        TestLedgers.dropSchemas();
    }

    @Test
    void aTransactionThatMetARowStoredMeanwhileRunsAgainAndFindsIt() {
        SignalContact k = new SignalContact("RACE-1", "RACE-1", 1000, "agent-connected", "STARTED", null);
        AtomicInteger runs = new AtomicInteger();
        String status = store.storing(c -> {
            if (runs.incrementAndGet() == 1) {
                // the other writer commits the contact first; this transaction's own insert then meets its key
                store.inTransaction(other -> store.insertContact(other, k, 1000));
                try (var ps = c.prepareStatement("INSERT INTO signal_contact (contact_id, vendor_call_key, started_at, "
                        + "start_basis, status, created_at, updated_at) VALUES ('RACE-1', 'RACE-1', 1, 'x', 'STARTED', 1, 1)")) {
                    ps.executeUpdate();
                }
            }
            return store.contact(c, "RACE-1").orElseThrow().startBasis();
        });
        assertEquals("agent-connected", status, "the second pass found the other writer's contact");
        assertEquals(2, runs.get());
    }

    @Test
    void otherFailuresAndAKeyMetEveryTimeAreThrown() {
        AtomicInteger runs = new AtomicInteger();
        assertThrows(Ledger.LedgerException.class, () -> store.storing(c -> {
            runs.incrementAndGet();
            throw new SQLException("syntax", "42000");
        }));
        assertEquals(1, runs.get(), "not a duplicate key: not run again");
        runs.set(0);
        assertThrows(Ledger.LedgerException.class, () -> store.storing(c -> {
            runs.incrementAndGet();
            throw new SQLException("duplicate key", "23505");
        }));
        assertEquals(SignalStore.STORE_ATTEMPTS, runs.get(), "a bounded number of passes");
    }
}
