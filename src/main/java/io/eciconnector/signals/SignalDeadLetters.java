package io.eciconnector.signals;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.eciconnector.deadletter.DeadLetters;

/** The signal flow's dead letters: unreadable records, segments that break a rule, items the API refused. */
@ApplicationScoped
public class SignalDeadLetters {

    static final String FLOW = "signals";

    @Inject
    DeadLetters deadLetters;

    @Inject
    SignalStore store;

    /** A record that could not be read at all. */
    public void record(String source, String ref, String reason, String original) {
        deadLetters.signal(FLOW, null, source, reason, null, 1, Map.of("position", ref == null ? "" : ref),
                original.getBytes(StandardCharsets.UTF_8),
                "fix the record and POST it to /signals/contact-lens (or put it back on its stream)");
    }

    /**
     * A post-call analysis file refused whole. {@code original} null: its content is deliberately not copied (an
     * unredacted analysis, or a file over the size bound); {@code location} says where it is.
     */
    public void postCall(String name, String contactId, String reason, byte[] original, String location) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("contactId", contactId == null ? "" : contactId);
        d.put("location", location == null ? name : location);
        deadLetters.signal(FLOW, contactId, name, reason, null, 1, d, original,
                "fix the cause, then drop the file in the post-call folder again");
    }

    /** One segment of a record that breaks a rule; the record's other segments went on. */
    public void segment(SignalContact contact, ContactLensMapper.Problem problem, String source, String ref,
            String original) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("contactId", contact.contactId());
        d.put("segment", problem.segment());
        d.put("position", ref == null ? "" : ref);
        deadLetters.signal(FLOW, contact.vendorCallKey(), source, problem.segment() + ": " + problem.rule(), null, 1,
                d, original.getBytes(StandardCharsets.UTF_8),
                "fix the record and POST it to /signals/contact-lens: segments already sent are not sent again");
    }

    /** Items the telephony API refused, or that ran out of attempts. */
    public void items(String endpoint, String vendorCallKey, List<OutboxItem> items, String reason, Integer status,
            String apiMessage) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("endpoint", endpoint);
        d.put("kind", items.get(0).kind().name());
        d.put("items", items.stream().map(OutboxItem::itemKey).toList());
        d.put("payloads", items.stream().map(OutboxItem::payload).toList());
        Long recordId = items.get(0).recordId();
        byte[] original = recordId == null ? null
                : store.recordBody(recordId).map(b -> b.getBytes(StandardCharsets.UTF_8)).orElse(null);
        int attempts = items.stream().mapToInt(OutboxItem::attempts).max().orElse(1);
        deadLetters.signal(FLOW, vendorCallKey, endpoint, reason,
                new DeadLetters.ApiError(status, null, apiMessage), attempts, d, original,
                "POST /signals/" + vendorCallKey + "/replay (after fixing the cause)");
    }
}
