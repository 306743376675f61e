package io.eciconnector.signals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The pure steps of the send path (no ledger, no clock, no Camel): which of a call's waiting items are ready, when a
 * call's realtime events go, and how transcript messages pack into bulk requests.
 */
final class SignalPlan {

    static final int MAX_CALLS = 5;
    static final int MAX_MESSAGES = 5;
    static final int MAX_EVENTS = 100;

    private SignalPlan() {
    }

    /**
     * A call's leading items that are ready ({@code nextAttemptAt <= now}), in the order given (the outbox's), at most
     * {@code max}. It stops at the first item not ready (waiting for a retry), so nothing overtakes it.
     */
    static List<OutboxItem> lead(Collection<OutboxItem> inOrder, long now, int max) {
        List<OutboxItem> lead = new ArrayList<>();
        for (OutboxItem i : inOrder) {
            if (i.nextAttemptAt() > now || lead.size() == max) {
                break;
            }
            lead.add(i);
        }
        return lead;
    }

    /**
     * Whether a call's ready realtime events go now (the call has no request in flight): a retry, a full request, or
     * {@code window} since the call's last request (0: at once). An idle call's events are never held.
     */
    static boolean realtimeDue(List<OutboxItem> ready, long now, long lastRequestAt, Duration window) {
        if (ready.isEmpty()) {
            return false;
        }
        return ready.size() >= MAX_EVENTS || retry(ready) || now - lastRequestAt >= window.toMillis();
    }

    /** When a call's ready messages are due on their own: their oldest has waited {@code window}; a retry at once. */
    static long bulkDueAt(List<OutboxItem> lead, Duration window) {
        if (retry(lead)) {
            return Long.MIN_VALUE;
        }
        return oldest(lead) + window.toMillis();
    }

    /**
     * Packs calls' leading messages (each list one call's, at most 5, in order) into bulk requests of at most 5 calls
     * x 5 messages, filling by messages:
     * <ol>
     * <li>five calls with five messages each make a full request (25 messages): it goes at once;</li>
     * <li>a call whose oldest message waited {@code window} (or a retry) goes now, with up to four other calls, those
     * with the most messages waiting first (then the oldest);</li>
     * <li>the others wait for more messages or their window.</li>
     * </ol>
     * Each request is a list of entries (one call each); no call is in two requests.
     */
    static List<List<List<OutboxItem>>> pack(List<List<OutboxItem>> calls, long now, Duration window) {
        List<List<OutboxItem>> rest = new ArrayList<>();
        for (List<OutboxItem> c : calls) {
            if (!c.isEmpty()) {
                rest.add(c);
            }
        }
        // each call's oldest message and due time read once, not at every comparison of the sort and every seed
        // looked for (a stream each: the largest allocation of the send path in SignalBench)
        java.util.Map<List<OutboxItem>, long[]> times = new java.util.IdentityHashMap<>();
        for (List<OutboxItem> c : rest) {
            times.put(c, new long[] { oldest(c), bulkDueAt(c, window) });
        }
        rest.sort(Comparator.comparingLong((List<OutboxItem> c) -> times.get(c)[0])
                .thenComparingLong(c -> c.get(0).id()));
        List<List<List<OutboxItem>>> requests = new ArrayList<>();
        List<List<OutboxItem>> full = new ArrayList<>(rest.stream().filter(c -> c.size() >= MAX_MESSAGES).toList());
        while (full.size() >= MAX_CALLS) {
            List<List<OutboxItem>> request = new ArrayList<>(full.subList(0, MAX_CALLS));
            full.removeAll(request);
            rest.removeAll(request);
            requests.add(request);
        }
        while (true) {
            List<OutboxItem> seed = rest.stream().filter(c -> times.get(c)[1] <= now).findFirst().orElse(null);
            if (seed == null) {
                break;
            }
            rest.remove(seed);
            List<List<OutboxItem>> request = new ArrayList<>();
            request.add(seed);
            List<List<OutboxItem>> byFill = new ArrayList<>(rest);
            byFill.sort(Comparator.comparingInt((List<OutboxItem> c) -> -c.size())); // stable: then the oldest
            for (List<OutboxItem> c : byFill) {
                if (request.size() == MAX_CALLS) {
                    break;
                }
                request.add(c);
                rest.remove(c);
            }
            requests.add(request);
        }
        return requests;
    }

    static boolean retry(List<OutboxItem> items) {
        for (OutboxItem i : items) {
            if (i.attempts() > 0) {
                return true;
            }
        }
        return false;
    }

    static long oldest(List<OutboxItem> items) {
        long oldest = Long.MAX_VALUE;
        for (OutboxItem i : items) {
            oldest = Math.min(oldest, i.receivedAt());
        }
        return oldest;
    }
}
