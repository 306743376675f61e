package io.eciconnector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The retention never lets the ledger forget a call the intake would still take in (eci.checks.max-age). */
class LedgerRetentionTest {

    @Test
    void aRetentionShorterThanTheIntakesAgeLimitIsRaisedToItPlusADay() {
        assertEquals(Duration.ofDays(8), LedgerRetention.effective(Duration.ofDays(3), Duration.ofDays(7)));
        assertEquals(Duration.ofDays(8), LedgerRetention.effective(Duration.ofDays(7), Duration.ofDays(7)));
        assertEquals(Duration.ofDays(31), LedgerRetention.effective(Duration.ofDays(30), Duration.ofDays(30)));
    }

    @Test
    void aLongerRetentionIsKept() {
        assertEquals(Duration.ofDays(30), LedgerRetention.effective(Duration.ofDays(30), Duration.ofDays(7)));
        assertEquals(Duration.ofDays(365), LedgerRetention.effective(Duration.ofDays(365), Duration.ofDays(7)));
    }
}
