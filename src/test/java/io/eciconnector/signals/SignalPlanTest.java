package io.eciconnector.signals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The pure steps of the send path: readiness, the realtime rule and bulk packing by messages. */
class SignalPlanTest {

    static final Duration WINDOW = Duration.ofSeconds(1);
    static final long NOW = 1_000_000;
    long nextId = 1;

    OutboxItem message(String key, long receivedAt) {
        return new OutboxItem(nextId++, key, OutboxItem.Kind.MESSAGE, "m" + nextId, 0, "{}", null, "PENDING", 0, 0,
                receivedAt);
    }

    List<OutboxItem> call(String key, int messages, long receivedAt) {
        List<OutboxItem> c = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            c.add(message(key, receivedAt));
        }
        return c;
    }

    static List<Integer> fills(List<List<List<OutboxItem>>> requests) {
        return requests.stream().map(r -> r.stream().mapToInt(List::size).sum()).toList();
    }

    @Test
    void fiveCallsWithFiveMessagesEachAreOneFullRequestAtOnce() {
        List<List<OutboxItem>> calls = new ArrayList<>();
        for (int c = 0; c < 5; c++) {
            calls.add(call("k" + c, 5, NOW));
        }
        List<List<List<OutboxItem>>> requests = SignalPlan.pack(calls, NOW, WINDOW);
        assertEquals(List.of(25), fills(requests));
    }

    @Test
    void fiveCallsWithOneMessageEachWaitForMoreOrTheirWindow() {
        List<List<OutboxItem>> calls = new ArrayList<>();
        for (int c = 0; c < 5; c++) {
            calls.add(call("k" + c, 1, NOW - 100));
        }
        assertEquals(List.of(), SignalPlan.pack(calls, NOW, WINDOW), "five calls are not a full request");
        assertEquals(List.of(5), fills(SignalPlan.pack(calls, NOW + 900, WINDOW)), "once the oldest waited the window");
    }

    @Test
    void twelveCallsWithTwoMessagesFillByMessagesWithinTheFiveCallCap() {
        List<List<OutboxItem>> calls = new ArrayList<>();
        for (int c = 0; c < 12; c++) {
            calls.add(call("k" + c, 2, NOW - 2000));
        }
        List<List<List<OutboxItem>>> requests = SignalPlan.pack(calls, NOW, WINDOW);
        assertEquals(List.of(10, 10, 4), fills(requests));
        assertTrue(requests.stream().allMatch(r -> r.size() <= 5));
    }

    @Test
    void aDueCallTakesTheCallsWithTheMostMessagesAlong() {
        List<OutboxItem> due = call("due", 1, NOW - 2000);
        List<OutboxItem> one = call("one", 1, NOW - 10);
        List<OutboxItem> four = call("four", 4, NOW - 10);
        List<OutboxItem> three = call("three", 3, NOW - 10);
        List<OutboxItem> two = call("two", 2, NOW - 10);
        List<OutboxItem> five = call("five", 5, NOW - 10);
        List<List<List<OutboxItem>>> requests = SignalPlan.pack(List.of(one, due, four, three, two, five), NOW, WINDOW);
        assertEquals(1, requests.size(), "the others are not due yet");
        assertEquals(List.of(due, five, four, three, two), requests.get(0));
    }

    @Test
    void aRetryIsDueAtOnceAndNothingOvertakesAnItemWaitingForItsRetry() {
        OutboxItem waiting = new OutboxItem(1, "k", OutboxItem.Kind.MESSAGE, "a", 0, "{}", null, "PENDING", 1, NOW + 500,
                NOW - 10);
        OutboxItem later = message("k", NOW);
        assertEquals(List.of(), SignalPlan.lead(List.of(waiting, later), NOW, 5));
        OutboxItem ready = new OutboxItem(1, "k", OutboxItem.Kind.MESSAGE, "a", 0, "{}", null, "PENDING", 1, NOW,
                NOW - 10);
        List<OutboxItem> lead = SignalPlan.lead(List.of(ready, later), NOW, 5);
        assertEquals(List.of(ready, later), lead);
        assertEquals(List.of(2), fills(SignalPlan.pack(List.of(lead), NOW, WINDOW)));
    }

    @Test
    void anIdleCallsRealtimeEventsAreDueAtOnceWithoutAWindow() {
        List<OutboxItem> ready = List.of(new OutboxItem(1, "k", OutboxItem.Kind.EVENT, "e", 0, "{}", null, "PENDING", 0,
                NOW, NOW));
        assertTrue(SignalPlan.realtimeDue(ready, NOW, Long.MIN_VALUE / 2, Duration.ZERO));
        assertTrue(SignalPlan.realtimeDue(ready, NOW, Long.MIN_VALUE / 2, Duration.ofHours(1)), "idle: no hold");
        assertFalse(SignalPlan.realtimeDue(ready, NOW, NOW - 10, Duration.ofHours(1)), "a request 10 ms ago");
        assertTrue(SignalPlan.realtimeDue(ready, NOW, NOW - 10, Duration.ZERO));
        assertFalse(SignalPlan.realtimeDue(List.of(), NOW, 0, Duration.ZERO));
    }
}
