package io.eciconnector.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The attempts at a record: counted before reading (a crash counts), kept across a restart, reset by a change. */
class RecordAttemptsTest {

    static final String URL = "jdbc:h2:mem:record-attempts;DB_CLOSE_DELAY=-1";
    Ledger ledger = TestLedgers.open(URL, "sa");

    @AfterEach
    void close() {
        TestLedgers.close(ledger);
    }

    RecordAttempts attempts(Ledger l) {
        RecordAttempts a = new RecordAttempts();
        a.ledger = l;
        return a;
    }

    @Test
    void anAttemptThatNeverEndedCountsAndTheCountOutlivesTheProcess() {
        RecordAttempts a = attempts(ledger);
        assertEquals(1, a.begin("folder:crash.json", "10-1").number());
        // the JVM died while reading: nothing recorded the failure; the next process counts on
        Ledger restarted = TestLedgers.open(URL, "sa");
        try {
            RecordAttempts again = attempts(restarted);
            RecordAttempts.Attempt second = again.begin("folder:crash.json", "10-1");
            assertEquals(2, second.number());
            assertNull(second.lastReason(), "no reason: the attempt never ended");
            again.failed("folder:crash.json", "IOException: refused");
            assertEquals("IOException: refused", again.begin("folder:crash.json", "10-1").lastReason());
        } finally {
            TestLedgers.close(restarted);
        }
    }

    @Test
    void aChangedRecordStartsAgainAndOneTakenInIsForgotten() {
        RecordAttempts a = attempts(ledger);
        a.begin("folder:x.json", "10-1");
        a.begin("folder:x.json", "10-1");
        assertEquals(3, a.begin("folder:x.json", "10-1").number());
        assertEquals(1, a.begin("folder:x.json", "12-2").number(), "fixed and dropped again: a new record");
        a.done("folder:x.json");
        assertEquals(1, a.begin("folder:x.json", "12-2").number());
        a.uncount("folder:x.json");
        assertEquals(1, a.begin("folder:x.json", "12-2").number(), "a stop does not count against it");
    }

    @Test
    void countsOfRecordsLastTriedBeforeTheCutoffAreForgotten() throws Exception {
        RecordAttempts a = attempts(ledger);
        a.begin("folder:left-by-a-crash.json", "10-1");
        a.begin("folder:left-by-a-crash.json", "10-1");
        java.time.Instant cutoff = java.time.Instant.now().plusSeconds(1);
        org.junit.jupiter.api.Assertions.assertTrue(a.forgetTriedBefore(cutoff) >= 1); // other tests' rows too
        assertEquals(1, a.begin("folder:left-by-a-crash.json", "10-1").number(), "counted from one again");
        assertEquals(0, a.forgetTriedBefore(java.time.Instant.now().minusSeconds(3600)), "a recent count stays");
        assertEquals(2, a.begin("folder:left-by-a-crash.json", "10-1").number());
    }

    int rows(Ledger l, String key) {
        return l.inTransaction(c -> {
            try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM record_attempts WHERE record_key = ?")) {
                ps.setString(1, key);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    @Test
    void aRecordTakenInIsForgottenInTheNextAttemptsTransactionNotInOneOfItsOwn() {
        RecordAttempts a = attempts(ledger);
        a.begin("folder:a.json", "10-1");
        a.done("folder:a.json");
        assertEquals(1, rows(ledger, "folder:a.json"), "no transaction of its own: the row waits for the next attempt");
        assertEquals(1, a.begin("folder:b.json", "10-1").number());
        assertEquals(0, rows(ledger, "folder:a.json"), "gone with b's attempt");
        a.done("folder:b.json");
        assertEquals(1, a.begin("folder:b.json", "10-1").number(), "the same name again (its move failed): one");
        a.done("folder:b.json");
        a.flush();
        assertEquals(0, rows(ledger, "folder:b.json"), "flushed when the connector stops");
    }

    @Test
    void theCountsOfRecordsTakenInOutliveAnAttemptWhoseTransactionFailed() {
        RecordAttempts a = attempts(ledger);
        a.begin("folder:c.json", "10-1");
        a.done("folder:c.json");
        Ledger closed = TestLedgers.open("jdbc:h2:mem:record-attempts-closed;DB_CLOSE_DELAY=-1", "sa");
        TestLedgers.close(closed);
        a.ledger = closed;
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> a.begin("folder:d.json", "10-1"));
        a.ledger = ledger;
        assertEquals(1, rows(ledger, "folder:c.json"));
        assertEquals(1, a.begin("folder:d.json", "10-1").number());
        assertEquals(0, rows(ledger, "folder:c.json"), "kept for the next attempt, which forgot it");
    }
}
