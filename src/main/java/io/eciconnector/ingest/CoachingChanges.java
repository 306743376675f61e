package io.eciconnector.ingest;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.eciconnector.ledger.CallRow;
import io.eciconnector.ledger.CallState;
import io.eciconnector.ledger.Ledger;

/**
 * Acts on a change of the call-coaching status (read on the schedule, on a configuration-change event, or when
 * stale): a user added has the calls that waited for them taken in again at once; a user removed has the calls not
 * yet sent skipped (a create or upload already in flight finishes). Provider disabled: the sources skip their polls,
 * and neither creates nor uploads go out, until it is enabled again.
 */
@ApplicationScoped
public class CoachingChanges {

    private static final Logger LOG = Logger.getLogger(CoachingChanges.class);

    @Inject
    Ledger ledger;

    @Inject
    Intake intake;

    void onChange(@Observes CallCoaching.CoachingChange change) throws IOException, InterruptedException {
        CallCoaching.Status after = change.after();
        Set<String> before = change.before() == null ? Set.of() : change.before().users().keySet();
        if (!after.enabled()) {
            LOG.info("Call coaching disabled: drops stay in place, nothing is created or uploaded until it is enabled");
            return;
        }
        Set<String> added = new HashSet<>(after.users().keySet());
        added.removeAll(before);
        Set<String> removed = new HashSet<>(before);
        removed.removeAll(after.users().keySet());
        int released = 0;
        for (String id15 : added) {
            String id = after.fullIds().get(id15);
            for (CallRow r : ledger.where("state = ? AND reason_code = ? AND (user_id = ? OR user_id = ?)",
                    CallState.SKIPPED.name(), "user-not-coached", id, id15)) {
                released += intake.retake(r, "user " + id + " added to call coaching").isPresent() ? 1 : 0;
            }
        }
        int held = 0;
        for (String id15 : removed) {
            String id = change.before().fullIds().get(id15);
            for (CallState state : new CallState[] { CallState.CHECKED, CallState.CREATED }) {
                for (CallRow r : ledger.where("state = ? AND (user_id = ? OR user_id = ?)", state.name(), id, id15)) {
                    held += ledger.transition(r.provider(), r.externalId(), state, CallState.SKIPPED,
                            "user " + id + " removed from call coaching",
                            Ledger.fields("reason_code", "user-not-coached", "claimed_by", null)) ? 1 : 0;
                }
            }
        }
        if (!added.isEmpty() || !removed.isEmpty()) {
            LOG.infof("Call coaching users: %d added (%d waiting calls taken in again), %d removed (%d calls held back)",
                    added.size(), released, removed.size(), held);
        }
    }
}
