package io.eciconnector.signals;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import io.eciconnector.ledger.LedgerSettings;
import io.eciconnector.ledger.Pages;
import io.eciconnector.metrics.FlowMetrics;

/**
 * Keeps the signal tables from holding transcripts for good (routes/signals-retention.yaml): a conversation whose
 * signals all went out more than eci.ledger.signal-retention ago loses its records and outbox items; its contacts
 * stay, marked {@value SignalStore#FORGOTTEN}, so a record of theirs that a stream or a file delivers again is
 * skipped rather than sent twice (Contact Lens segments carry offsets, not times, so nothing else could tell it is
 * old). Conversations with an item unsent, dead or in flight stay until the operator acts.
 */
@ApplicationScoped
@Named("signalRetention")
public class SignalRetention {

    /** Never shorter: a conversation quiet for less than a day may still be going on (hold, transfer, post-call). */
    static final Duration FLOOR = Duration.ofDays(1);

    @Inject
    SignalStore store;

    @Inject
    LedgerSettings settings;

    @Inject
    FlowMetrics metrics;

    /** The retention in force: eci.ledger.signal-retention, else eci.ledger.retention; at least a day. */
    public Duration retention() {
        return effective(settings.signalRetention(), settings.retention());
    }

    static Duration effective(Optional<Duration> configured, Duration callRetention) {
        Duration d = configured.orElse(callRetention);
        return d.compareTo(FLOOR) < 0 ? FLOOR : d;
    }

    /** How long a forgotten conversation's contacts stay: eci.ledger.signal-replay-guard, at least the retention. */
    public Duration replayGuard() {
        return guard(settings.signalReplayGuard(), retention());
    }

    static Duration guard(Duration configured, Duration retention) {
        return configured.compareTo(retention) < 0 ? retention : configured;
    }

    /**
     * One pass: the contacts of forgotten conversations that started more than eci.ledger.signal-replay-guard ago are
     * deleted, {@code page} a transaction, at most {@code maxPages} transactions (the next pass goes on); answers how
     * many. A record of theirs that comes after this is taken for a new conversation's.
     */
    public int forgetReplayGuards(int page, int maxPages) {
        long cutoff = System.currentTimeMillis() - replayGuard().toMillis();
        int total = Pages.untilShort(page, maxPages, () -> store.deleteForgottenContacts(cutoff, page));
        metrics.signals("CONTACT", "guard-expired", total);
        return total;
    }

    /**
     * One pass: the records refused whole (signal_refusal) received before now minus the signal retention are
     * deleted, whether or not their contact was ever known, {@code page} a transaction, at most {@code maxPages}
     * transactions (the next pass goes on); answers how many.
     */
    public int forgetRefusals(int page, int maxPages) {
        long cutoff = System.currentTimeMillis() - retention().toMillis();
        int total = Pages.untilShort(page, maxPages, () -> store.deleteRefusals(cutoff, page));
        metrics.signals("REFUSAL", "forgotten", total);
        return total;
    }

    /**
     * One pass: for each status a contact has before it is forgotten, at most {@code maxPages} transactions of
     * {@code page} contacts, oldest first (the next pass goes on); answers how many conversations were forgotten.
     */
    public int forget(int page, int maxPages) {
        long now = System.currentTimeMillis();
        long cutoff = now - retention().toMillis();
        int total = 0;
        for (String status : SignalStore.LIVE_STATUSES) {
            Optional<SignalStore.Cursor> cursor = Optional.of(SignalStore.Cursor.first(status));
            for (int i = 0; i < maxPages && cursor.isPresent(); i++) {
                SignalStore.ForgetPage p = store.forgetSent(cursor.get(), cutoff, page, now);
                total += p.forgotten();
                cursor = p.next();
            }
        }
        metrics.signals("CONVERSATION", "forgotten", total);
        return total;
    }
}
