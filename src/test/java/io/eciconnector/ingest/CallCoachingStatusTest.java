package io.eciconnector.ingest;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.ledger.Ledger;
import io.eciconnector.ledger.TestLedgers;

/**
 * The status one thread reads from the org is not undone by another thread that, at the same time, looked for the
 * ledger's copy and found none (CI: the next refresh failed with "this.status is null").
 */
class CallCoachingStatusTest {

    static final String URL = "jdbc:h2:mem:callcoaching-status;DB_CLOSE_DELAY=-1";
    static final String PROVIDER = "0mp5e000000PRV1AAA";

    final Ledger ledger = TestLedgers.open(URL, "sa");

    @AfterEach
    void close() {
        TestLedgers.close(ledger);
    }

    @Test
    void aLookForTheStoredCopyThatFoundNoneDoesNotEraseAStatusReadMeanwhile() throws Exception {
        CountDownLatch looking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread[] slowReader = new Thread[1];
        CallCoaching coaching = new CallCoaching() {
            @Override
            Optional<Status> stored() {
                if (Thread.currentThread() == slowReader[0]) {
                    looking.countDown(); // found nothing stored yet, and is slow to say so
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return Optional.empty();
            }
        };
        coaching.ledger = ledger;
        coaching.mapper = new ObjectMapper();
        slowReader[0] = new Thread(coaching::last, "uploader");
        slowReader[0].start();
        assertTrue(looking.await(10, TimeUnit.SECONDS), "the other thread looks for the stored status");

        CallCoaching.Status read = coaching.accept(PROVIDER, coaching.mapper.readTree(
                "{\"enabled\":true,\"users\":[{\"userId\":\"0055e000001Ava0AAC\",\"userEmail\":\"ava@example.com\"}]}"))
                .after();
        release.countDown();
        slowReader[0].join(10_000);

        CallCoaching.Status last = coaching.last();
        assertNotNull(last, "the status read from the org is still known");
        assertTrue(last.enabled());
        assertTrue(last == read, "the org's reading, not an older copy");
        assertTrue(ledger.coachingState(PROVIDER).orElseThrow().enabled(), "and kept in the ledger");
    }
}
