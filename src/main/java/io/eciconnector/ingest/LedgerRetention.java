package io.eciconnector.ingest;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.jboss.logging.Logger;

import io.eciconnector.ledger.Ledger;
import io.eciconnector.ledger.LedgerSettings;
import io.eciconnector.ledger.Pages;
import io.eciconnector.ledger.RecordAttempts;
import io.eciconnector.metrics.FlowMetrics;

/**
 * Keeps the ledger from growing without end (routes/ledger-retention.yaml): finished calls (UPLOADED, SKIPPED) that
 * last changed more than eci.ledger.retention ago are forgotten with their history, a batch per transaction, and
 * the counts of records tried that long ago. The retention is never shorter than eci.checks.max-age plus a day: a
 * call the ledger forgot started before the intake's age limit, so if its record comes again it is skipped as
 * {@code too-old}, not created twice. DEAD calls and calls with a reported duplicate stay until the operator acts.
 */
@ApplicationScoped
@Named("ledgerRetention")
public class LedgerRetention {

    private static final Logger LOG = Logger.getLogger(LedgerRetention.class);
    static final Duration MARGIN = Duration.ofDays(1);

    @Inject
    Ledger ledger;

    @Inject
    RecordAttempts recordAttempts;

    @Inject
    LedgerSettings settings;

    @Inject
    ChecksSettings checks;

    @Inject
    FlowMetrics metrics;

    /** The retention in force: the configured one, raised to eci.checks.max-age plus a day when shorter. */
    public Duration retention() {
        return effective(settings.retention(), checks.maxAge());
    }

    static Duration effective(Duration configured, Duration maxAge) {
        Duration floor = maxAge.plus(MARGIN);
        return configured.compareTo(floor) < 0 ? floor : configured;
    }

    /**
     * One pass: forgets finished calls older than the retention, {@code batch} per transaction, at most
     * {@code maxBatches} transactions (the next pass goes on); answers how many calls were forgotten.
     */
    public int forget(int batch, int maxBatches) {
        Duration retention = retention();
        if (retention.compareTo(settings.retention()) > 0) {
            LOG.debugf("eci.ledger.retention %s is shorter than eci.checks.max-age plus a day: %s applies",
                    settings.retention(), retention);
        }
        Instant cutoff = Instant.now().minus(retention);
        int total = Pages.untilShort(batch, maxBatches, () -> ledger.forgetFinished(cutoff, batch));
        recordAttempts.forgetTriedBefore(cutoff);
        if (total > 0) {
            metrics.calls("ledger", "forgotten", "retention", total);
        }
        return total;
    }
}
