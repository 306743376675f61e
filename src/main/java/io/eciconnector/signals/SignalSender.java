package io.eciconnector.signals;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eciconnector.ledger.Ledger;
import io.eciconnector.metrics.FlowMetrics;
import io.eciconnector.salesforce.ApiResponse;
import io.eciconnector.salesforce.SalesforceRequest;
import io.eciconnector.send.Backoff;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Sends the outbox to the telephony API, event-driven (routes/telephony-send.yaml):
 * <ul>
 * <li>the intake hands over what it stored once its transaction committed ({@link #stored}); that triggers
 * {@code seda:telephony-due}, whose consumer calls {@link #plan}: what is due now, claimed in the ledger in one
 * transaction, one {@link Request} per telephony request, each handed to {@code seda:telephony-request} whose
 * consumers ({@code eci.telephony.concurrency}) send it through Camel's HTTP endpoint: {@link #request} makes the
 * body, routes/salesforce-request.yaml sends it as {@link TelephonyCredential}, {@link #answered} records the answer
 * ({@link #failed}: no answer), {@link #settled} ends the claim;</li>
 * <li>realtime events: an idle call's go at once, sorted by startTime; what comes while a request of the call is in
 * flight (or within {@code realtime-window} of its last one) goes together in its next request;</li>
 * <li>transcript messages: packed across calls by messages ({@link SignalPlan#pack}): five calls with five messages
 * each go at once, a call whose oldest message waited {@code bulk-window} goes with the calls that have the most
 * messages waiting;</li>
 * <li>post-call chunks: one request each, in order, once the contact completed (found by {@link #recover}).</li>
 * </ul>
 * A call with a request in flight or an item waiting for a retry takes no part in another request of the same kind,
 * so no request overtakes an earlier one of the same call. The slow timer ({@code eci.telephony.poll-ms}) calls
 * {@link #recover}: claims a stopped replica left, items no notification brought (another replica's, a restart's, a
 * replay), post-call chunks now due. 429, 5xx, 401 and connection faults are retried with backoff and jitter
 * honouring Retry-After (a time in the ledger and a timer here, no thread sleeps); a multi-status answer retries only
 * its retryable entries; a 400 entry goes to the dead letters and holds nothing else back. Items are claimed in the
 * ledger, so replicas share one outbox.
 */
@ApplicationScoped
@Named("signalSender")
@RegisterForReflection
public class SignalSender {

    private static final Logger LOG = Logger.getLogger(SignalSender.class);
    static final int MAX_CALLS = SignalPlan.MAX_CALLS;
    static final int MAX_MESSAGES = SignalPlan.MAX_MESSAGES;
    static final int MAX_EVENTS = SignalPlan.MAX_EVENTS;
    static final int SCAN_LIMIT = 5000;
    /** Items held in memory at most (beyond: left in the outbox for the recovery pass). */
    static final int MAX_HELD = 20_000;
    /** Where the sender is triggered (routes/telephony-send.yaml). */
    static final String DUE = "seda:telephony-due";
    /** The answer to messages sent again whose ids the conversation already holds. */
    static final java.util.regex.Pattern ALREADY_STORED = java.util.regex.Pattern.compile("(?i)messageId .* not unique");

    /** One telephony request: realtime events or a post-call chunk of one call, or a bulk of entries (one per call). */
    @RegisterForReflection
    public record Request(OutboxItem.Kind kind, String key, List<List<OutboxItem>> entries) {
        List<OutboxItem> items() {
            return entries.stream().flatMap(List::stream).toList();
        }

        @Override
        public String toString() {
            return kind + " " + (key == null ? entries.size() + " calls" : key) + ", " + items().size() + " item(s)";
        }
    }

    /** One call's waiting items of one kind, as this replica knows them. */
    private static final class Lane {
        final OutboxItem.Kind kind;
        final String key;
        final java.util.TreeMap<Long, OutboxItem> pending = new java.util.TreeMap<>();
        boolean inFlight;
        long lastRequestAt = Long.MIN_VALUE / 2;

        Lane(OutboxItem.Kind kind, String key) {
            this.kind = kind;
            this.key = key;
        }
    }

    @Inject
    TelephonySettings settings;

    @Inject
    SignalStore store;

    @Inject
    SignalDeadLetters deadLetters;

    @Inject
    FlowMetrics metrics;

    @Inject
    Ledger ledger;

    @Inject
    ObjectMapper json;

    @Inject
    org.apache.camel.ProducerTemplate producer;

    private Semaphore slots;
    /** Items stored and committed, not taken into the lanes yet. */
    private final java.util.concurrent.ConcurrentLinkedQueue<OutboxItem> inbox = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger inboxSize = new java.util.concurrent.atomic.AtomicInteger();
    /** kind|vendorCallKey -> lane; guarded by this. */
    private final Map<String, Lane> lanes = new LinkedHashMap<>();
    /** Ids of the items in the lanes or in flight; guarded by this. */
    private final java.util.Set<Long> known = new java.util.HashSet<>();
    private volatile int knownSize;
    private final java.util.concurrent.atomic.AtomicBoolean triggered = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean scanSoon = true;
    private java.util.concurrent.ScheduledExecutorService timer;
    private long wakeAt = Long.MAX_VALUE;
    private long lastRecovery;
    private long lastPlan;
    /** The least time between two plan passes: under load, one claim transaction for what came meanwhile. */
    static final long PASS_GAP_MS = 10;

    /** Items stored and committed (the intake, after its transaction): sent as soon as they are due. */
    public void stored(List<OutboxItem> items) {
        if (items == null || items.isEmpty()) {
            return;
        }
        if (inboxSize.get() + knownSize < MAX_HELD) {
            for (OutboxItem i : items) {
                if (i.kind() != OutboxItem.Kind.POSTCALL) {
                    inbox.add(i);
                    inboxSize.incrementAndGet();
                }
            }
        } else {
            scanSoon = true; // a backlog: the outbox is read again once the sender caught up
        }
        trigger();
    }

    /** The outbox changed in a way no notification carries (a replay, post-call items): look at it soon. */
    public void wake() {
        scanSoon = true;
        trigger();
    }

    /** Asks for a {@link #plan} pass; one pass pending at a time is enough (it sees everything committed before it). */
    void trigger() {
        if (triggered.compareAndSet(false, true)) {
            try {
                producer.sendBody(DUE, "due");
            } catch (RuntimeException e) {
                triggered.set(false); // not started yet or stopping: the recovery timer looks again
                LOG.debugf("telephony trigger not taken: %s", e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ planning

    /**
     * What is due now, claimed in the ledger in one transaction: one request per realtime call, bulk requests packed
     * by messages, at most as many as there are free sending slots.
     */
    public synchronized List<Request> plan() {
        triggered.set(false);
        long now = System.currentTimeMillis();
        if (now - lastPlan < PASS_GAP_MS && now >= lastPlan) {
            // under load, passes at most every PASS_GAP_MS: what came meanwhile is claimed in one transaction (an idle
            // sender plans at once)
            long at = lastPlan + PASS_GAP_MS;
            if (!(wakeAt > now && wakeAt <= at)) {
                wakeAt = at;
                timer().schedule(this::trigger, at - now, TimeUnit.MILLISECONDS);
            }
            return List.of();
        }
        lastPlan = now;
        if (scanSoon) {
            scanSoon = false;
            adopt(now, Long.MAX_VALUE);
        }
        absorb();
        int free = slots().availablePermits();
        List<Request> wanted = new ArrayList<>();
        Duration realtimeWindow = settings.realtimeWindow();
        List<List<OutboxItem>> candidates = new ArrayList<>();
        for (Lane lane : lanes.values()) {
            if (lane.inFlight || lane.pending.isEmpty()) {
                continue;
            }
            if (lane.kind == OutboxItem.Kind.EVENT) {
                List<OutboxItem> ready = SignalPlan.lead(lane.pending.values(), now, MAX_EVENTS);
                if (SignalPlan.realtimeDue(ready, now, lane.lastRequestAt, realtimeWindow)) {
                    wanted.add(new Request(OutboxItem.Kind.EVENT, lane.key, List.of(ready)));
                }
            } else if (lane.kind == OutboxItem.Kind.MESSAGE) {
                List<OutboxItem> lead = SignalPlan.lead(lane.pending.values(), now, MAX_MESSAGES);
                if (!lead.isEmpty()) {
                    candidates.add(lead);
                }
            }
        }
        // bulk requests first: they form only when full or due (a few a second, each up to 25 messages), so the
        // realtime requests of many calls never keep them waiting; the rest when a slot frees
        int bulk = 0;
        for (List<List<OutboxItem>> entries : SignalPlan.pack(candidates, now, settings.bulkWindow())) {
            wanted.add(bulk++, new Request(OutboxItem.Kind.MESSAGE, null, entries));
        }
        if (wanted.size() > free) {
            wanted = new ArrayList<>(wanted.subList(0, free));
        }
        int permits = 0;
        while (permits < wanted.size() && slots.tryAcquire()) {
            permits++;
        }
        wanted = wanted.subList(0, permits);
        List<Request> out;
        try {
            out = claim(wanted, now);
        } catch (RuntimeException e) {
            slots.release(permits);
            throw e; // the ledger could not be reached: the recovery timer looks again
        }
        slots.release(permits - out.size()); // requests none of whose calls could be claimed
        forgetIdle(now);
        scheduleNext(now);
        return out;
    }

    /** Claims the requests' items in one transaction; a call that cannot be claimed is left to the outbox. */
    private List<Request> claim(List<Request> wanted, long now) {
        if (wanted.isEmpty()) {
            return List.of();
        }
        List<List<OutboxItem>> groups = new ArrayList<>();
        for (Request r : wanted) {
            groups.addAll(r.entries());
        }
        Map<Long, OutboxItem> claimed = store.claimGroups(groups, ledger.instance(), now);
        List<Request> out = new ArrayList<>();
        for (Request r : wanted) {
            List<List<OutboxItem>> entries = new ArrayList<>();
            for (List<OutboxItem> entry : r.entries()) {
                Lane lane = lane(entry.get(0));
                if (!claimed.containsKey(entry.get(0).id())) {
                    // taken by another replica, or something earlier of the call is not in memory: the outbox has it
                    forget(lane);
                    continue;
                }
                List<OutboxItem> fresh = new ArrayList<>();
                for (OutboxItem i : entry) {
                    fresh.add(claimed.get(i.id()));
                    lane.pending.remove(i.id());
                }
                lane.inFlight = true;
                lane.lastRequestAt = now;
                entries.add(fresh);
            }
            if (!entries.isEmpty()) {
                out.add(new Request(r.kind(), r.key(), entries));
            }
        }
        return out;
    }

    /** Takes the stored items into their lanes (unless already known: in a lane or in flight). */
    private void absorb() {
        OutboxItem i;
        while ((i = inbox.poll()) != null) {
            inboxSize.decrementAndGet();
            hold(i);
        }
        knownSize = known.size();
    }

    private void hold(OutboxItem i) {
        if (known.add(i.id())) {
            lane(i).pending.put(i.id(), i);
        }
    }

    private Lane lane(OutboxItem i) {
        return lanes.computeIfAbsent(i.kind().name() + "|" + i.vendorCallKey(), k -> new Lane(i.kind(), i.vendorCallKey()));
    }

    /** Drops what memory holds of a call (not in flight): the outbox still has it, the recovery pass reads it again. */
    private void forget(Lane lane) {
        for (Long id : lane.pending.keySet()) {
            known.remove(id);
        }
        lane.pending.clear();
        knownSize = known.size();
    }

    private void forgetIdle(long now) {
        long window = settings.realtimeWindow().toMillis();
        lanes.values().removeIf(l -> !l.inFlight && l.pending.isEmpty() && now - l.lastRequestAt >= window);
    }

    /** A trigger when the next waiting item falls due (a bulk window, a realtime window, a retry time). */
    private void scheduleNext(long now) {
        long next = Long.MAX_VALUE;
        long realtimeWindow = settings.realtimeWindow().toMillis();
        for (Lane lane : lanes.values()) {
            if (lane.inFlight || lane.pending.isEmpty()) {
                continue;
            }
            OutboxItem head = lane.pending.firstEntry().getValue();
            if (head.nextAttemptAt() > now) {
                next = Math.min(next, head.nextAttemptAt());
            } else if (lane.kind == OutboxItem.Kind.EVENT) {
                next = Math.min(next, lane.lastRequestAt + realtimeWindow);
            } else {
                next = Math.min(next, SignalPlan.bulkDueAt(SignalPlan.lead(lane.pending.values(), now, MAX_MESSAGES),
                        settings.bulkWindow()));
            }
        }
        if (next == Long.MAX_VALUE || next <= now || (wakeAt > now && wakeAt <= next)) {
            // nothing waits; or what is due now waits for a sending slot (its release triggers a pass); or a
            // trigger is already set for then
            return;
        }
        wakeAt = next;
        timer().schedule(this::trigger, wakeAt - now, TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------ recovery (the slow timer)

    /**
     * The slow path: claims of a stopped replica back to the outbox, items the outbox holds that no notification
     * brought (another replica's, a restart's, a replay), and the post-call chunks now due (claimed here).
     */
    public synchronized List<Request> recover() {
        long now = System.currentTimeMillis();
        if (now - lastRecovery > settings.lease().toMillis() / 4) {
            lastRecovery = now;
            int recovered = store.recoverAbandoned(now - settings.lease().toMillis());
            if (recovered > 0) {
                LOG.warnf("%d signal items claimed by a stopped replica are sent again", recovered);
            }
        }
        // items younger than this are left to the replica that stored them (its notification)
        long adoptBefore = now - Math.max(settings.bulkWindow().toMillis(), settings.realtimeWindow().toMillis()) - 1000;
        if (adopt(now, adoptBefore) > 0 || !lanes.isEmpty()) {
            trigger();
        }
        return postCall(now);
    }

    /** Takes into the lanes the PENDING items of calls with nothing in flight elsewhere; answers how many were new. */
    private int adopt(long now, long receivedBefore) {
        absorb();
        int added = 0;
        for (OutboxItem.Kind kind : List.of(OutboxItem.Kind.EVENT, OutboxItem.Kind.MESSAGE)) {
            for (List<OutboxItem> items : store.unfinished(kind, SCAN_LIMIT).values()) {
                if (items.stream().anyMatch(i -> i.state().equals("SENDING") && !known.contains(i.id()))) {
                    continue; // another replica (or a stopped one) is sending for this call
                }
                for (OutboxItem i : items) {
                    if (i.state().equals("PENDING") && (i.receivedAt() < receivedBefore || i.attempts() > 0)
                            && !known.contains(i.id())) {
                        hold(i);
                        added++;
                    }
                }
            }
        }
        knownSize = known.size();
        return added;
    }

    // ------------------------------------------------------------------ sending

    /**
     * The body of one telephony request (routes/telephony-send.yaml, direct:telephony-attempt), with what
     * routes/salesforce-request.yaml needs to send it: the path, the telephony API's credential and component, the
     * Content-Type. Realtime events of a call sorted by startTime; a post-call chunk as stored; a bulk of entries.
     */
    public String request(@org.apache.camel.Body Request r, org.apache.camel.Exchange exchange) throws IOException {
        exchange.setProperty(SalesforceRequest.PATH, switch (r.kind()) {
            case EVENT -> "/voiceCalls/" + encode(r.key()) + "/realtimeConversationEvents";
            case POSTCALL -> "/voiceCalls/" + encode(r.key()) + "/postConversationEvents";
            case MESSAGE -> "/voiceCalls/messages";
        });
        exchange.setProperty(SalesforceRequest.CREDENTIAL, TelephonyCredential.NAME);
        exchange.setProperty(SalesforceRequest.CLIENT, TelephonyCredential.CLIENT);
        exchange.getMessage().setHeader("Content-Type", "application/json");
        return switch (r.kind()) {
            case EVENT -> realtimeBody(r.items());
            case POSTCALL -> r.items().get(0).payload();
            case MESSAGE -> bulkBody(r.entries());
        };
    }

    /**
     * The answer to one telephony request, recorded for each of its items: sent, again later, or dead. A bulk request
     * of several calls refused as a whole (400) is not settled: its calls come back as requests of one call each, for
     * the route to send alone, so that one bad entry holds no other back.
     */
    public List<Request> answered(@org.apache.camel.ExchangeProperty(ATTEMPT) Request r,
            @org.apache.camel.Body ApiResponse a) throws IOException {
        String endpoint = endpoint(r.kind());
        metrics.telephonyRequest(endpoint, a.status());
        if (r.kind() != OutboxItem.Kind.MESSAGE) {
            if (a.ok()) {
                sent(endpoint, r.items());
            } else {
                settleFailure(endpoint, r.key(), r.items(), a);
            }
            return List.of();
        }
        metrics.bulkFill(r.items().size());
        if (a.ok() && a.status() != 207 && !a.body().contains("errorResponse")) {
            sent(endpoint, r.items());
        } else if (a.ok()) {
            multiStatus(r.entries(), a);
        } else if (a.status() == 400 && r.entries().size() > 1) {
            return r.entries().stream().map(entry -> new Request(OutboxItem.Kind.MESSAGE, null, List.of(entry))).toList();
        } else {
            for (List<OutboxItem> entry : r.entries()) {
                settleFailure(endpoint, entry.get(0).vendorCallKey(), entry, a);
            }
        }
        return List.of();
    }

    /** A request that failed without an answer (not sent, or sent and cut): each call's items again later. */
    public List<Request> failed(@org.apache.camel.ExchangeProperty(ATTEMPT) Request r,
            @org.apache.camel.ExchangeProperty(org.apache.camel.Exchange.EXCEPTION_CAUGHT) Exception e) {
        for (List<OutboxItem> entry : r.entries()) {
            failed(endpoint(r.kind()), r.key() != null ? r.key() : entry.get(0).vendorCallKey(), entry, e);
        }
        return List.of();
    }

    /** Exchange property of routes/telephony-send.yaml: the request being sent (the claim, or one call of it alone). */
    static final String ATTEMPT = "eciTelephonyAttempt";

    private static String endpoint(OutboxItem.Kind kind) {
        return switch (kind) {
            case EVENT -> "realtimeConversationEvents";
            case POSTCALL -> "postConversationEvents";
            case MESSAGE -> "messages";
        };
    }

    static String encode(String key) {
        return java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * The claimed request is over (every send of it answered or failed): its calls take part in the next plan
     * (routes/telephony-send.yaml's doFinally).
     */
    public void settled(@org.apache.camel.ExchangeProperty(CLAIM) Request r) {
        synchronized (this) {
            for (List<OutboxItem> entry : r.entries()) {
                Lane lane = lanes.get(entry.get(0).kind().name() + "|" + entry.get(0).vendorCallKey());
                for (OutboxItem i : entry) {
                    if (lane == null || !lane.pending.containsKey(i.id())) {
                        known.remove(i.id());
                    }
                }
                if (lane != null) {
                    lane.inFlight = false;
                }
            }
            knownSize = known.size();
        }
        slots.release();
        trigger();
    }

    /** Exchange property of routes/telephony-send.yaml: the request as the plan claimed it. */
    static final String CLAIM = "eciTelephonyClaim";

    private String realtimeBody(List<OutboxItem> items) throws IOException {
        List<OutboxItem> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingLong(OutboxItem::startTime).thenComparingLong(OutboxItem::id));
        ObjectNode body = json.createObjectNode();
        body.put("service", settings.service());
        settings.persist().ifPresent(p -> body.put("persist", p));
        ArrayNode events = body.putArray("events");
        for (OutboxItem i : sorted) {
            ObjectNode e = (ObjectNode) json.readTree(i.payload());
            if (settings.scoreAsString() && e.has("score")) {
                e.put("score", e.get("score").asText());
            }
            events.add(e);
        }
        return body.toString();
    }

    // ------------------------------------------------------------------ post-call events

    private List<Request> postCall(long now) {
        List<Request> out = new ArrayList<>();
        for (Map.Entry<String, List<OutboxItem>> call : store.unfinished(OutboxItem.Kind.POSTCALL, SCAN_LIMIT).entrySet()) {
            OutboxItem first = call.getValue().get(0);
            if (!first.state().equals("PENDING") || first.nextAttemptAt() > now) {
                continue; // one chunk at a time, in order; the first waits for the contact to complete
            }
            // only after every realtime event and transcript message of the call went out (or died), and every
            // contact of the conversation (a transfer's too) completed, unless the completion wait ran out
            boolean waitedOut = now - first.receivedAt() >= settings.postCallCompletionWait().toMillis();
            if (store.holdsPostCall(call.getKey(), waitedOut)) {
                continue;
            }
            if (first.recordId() != null && SignalIntake.Base.AWAITING.equals(store.startBasisOfRecord(first.recordId()))) {
                // the wait ran out and nothing gave the contact a start: its offsets cannot be placed
                String reason = "no time base: nothing of the contact (no stream record, no contact trace record with "
                        + "Agent.ConnectedToAgentTimestamp) gave the start its offsets count from within "
                        + "eci.telephony.post-call-completion-wait; drop the file again once one is in, or set "
                        + "eci.contact-lens.post-call-recording-name-time=true";
                dead("postConversationEvents", call.getKey(), call.getValue(), 0, reason, reason);
                continue;
            }
            if (!slots().tryAcquire()) {
                break;
            }
            Map<Long, OutboxItem> claimed = store.claimGroups(List.of(List.of(first)), ledger.instance(), now);
            if (claimed.isEmpty()) {
                slots.release(); // another replica took it
                continue;
            }
            out.add(new Request(OutboxItem.Kind.POSTCALL, call.getKey(), List.of(List.of(claimed.get(first.id())))));
        }
        return out;
    }

    // ------------------------------------------------------------------ bulk transcripts

    private String bulkBody(List<List<OutboxItem>> entries) throws IOException {
        ObjectNode body = json.createObjectNode();
        ArrayNode array = body.putArray("entries");
        for (List<OutboxItem> entry : entries) {
            ObjectNode e = array.addObject();
            e.put("vendorCallKey", entry.get(0).vendorCallKey());
            ArrayNode messages = e.putArray("messages");
            for (OutboxItem m : entry) {
                messages.add(json.readTree(m.payload()));
            }
        }
        return body.toString();
    }

    /** A multi-status answer: each entry by its own status; entries it does not list were accepted. */
    private void multiStatus(List<List<OutboxItem>> entries, ApiResponse a) throws IOException {
        Map<String, JsonNode> byKey = new LinkedHashMap<>();
        JsonNode root = json.readTree(a.body());
        for (JsonNode s : root.path("errorResponse").path("errorResponseEntries")) {
            byKey.put(s.path("vendorCallKey").asText(), s);
        }
        for (List<OutboxItem> entry : entries) {
            String key = entry.get(0).vendorCallKey();
            JsonNode s = byKey.get(key);
            int status = s == null ? 202 : s.path("status").asInt(s.path("statusCode").asInt(500));
            if (status >= 200 && status < 300) {
                sent("messages", entry);
            } else {
                settleFailure("messages", key, entry,
                        new ApiResponse(status, s.path("message").asText(""), Optional.empty(), Optional.empty()));
            }
        }
    }

    // ------------------------------------------------------------------ outcomes

    private void sent(String endpoint, List<OutboxItem> items) {
        long now = System.currentTimeMillis();
        outcome(c -> store.finish(c, items, "SENT", 202, null, now, now));
        String kind = items.get(0).kind().name();
        metrics.signals(kind, "sent", items.size());
        for (OutboxItem i : items) {
            metrics.telephonyLatency(kind, now - i.receivedAt());
        }
    }

    /** 429, 5xx, 401 (after signing anew): again later; any other refusal: the dead letters. */
    private void settleFailure(String endpoint, String key, List<OutboxItem> items, ApiResponse a) {
        String message = a.body() == null ? "" : a.body().length() > 1000 ? a.body().substring(0, 1000) : a.body();
        if (a.status() == 400 && endpoint.equals("messages") && ALREADY_STORED.matcher(message).find()
                && items.stream().anyMatch(i -> i.attempts() > 0)) {
            // sent before (a replica stopped before it recorded the answer): the org has these messages already
            LOG.infof("messages for %s were accepted before the sender stopped; recorded as sent", key);
            sent(endpoint, items);
            return;
        }
        boolean retryable = a.status() == 429 || a.status() >= 500 || a.status() == 401;
        if (retryable) {
            retry(endpoint, key, items, a.status(), "HTTP " + a.status() + ": " + message, a.retryAfterDuration());
        } else {
            dead(endpoint, key, items, a.status(), "the telephony API refused it: HTTP " + a.status() + ": " + message,
                    message);
        }
    }

    private void failed(String endpoint, String key, List<OutboxItem> items, Exception e) {
        retry(endpoint, key, items, 0, e.getClass().getSimpleName() + ": " + e.getMessage(), Optional.empty());
    }

    private void retry(String endpoint, String key, List<OutboxItem> items, int status, String error,
            Optional<Duration> retryAfter) {
        long now = System.currentTimeMillis();
        int attempts = items.stream().mapToInt(OutboxItem::attempts).max().orElse(0) + 1;
        if (attempts >= settings.maxAttempts()) {
            dead(endpoint, key, items, status, "gave up after " + attempts + " attempts; last: " + error, error);
            return;
        }
        Duration wait = Backoff.delay(attempts, settings.backoffBase(), settings.backoffMax(), retryAfter);
        long next = now + wait.toMillis();
        outcome(c -> store.finish(c, items, "PENDING", status, error, next, now));
        metrics.signals(items.get(0).kind().name(), "retried", items.size());
        metrics.retry("signals", status == 0 ? "connection" : Integer.toString(status));
        LOG.infof("%s for %s: %s; %d item(s) again in %d ms", endpoint, key, error.length() > 200
                ? error.substring(0, 200) : error, items.size(), wait.toMillis());
        if (items.get(0).kind() != OutboxItem.Kind.POSTCALL) {
            synchronized (this) { // they wait in their lane for their time (a trigger is scheduled when it settles)
                for (OutboxItem i : items) {
                    OutboxItem again = new OutboxItem(i.id(), i.vendorCallKey(), i.kind(), i.itemKey(), i.startTime(),
                            i.payload(), i.recordId(), "PENDING", i.attempts() + 1, next, i.receivedAt());
                    if (known.contains(i.id())) {
                        lane(i).pending.put(i.id(), again);
                    }
                }
            }
        }
    }

    private void dead(String endpoint, String key, List<OutboxItem> items, int status, String reason, String message) {
        long now = System.currentTimeMillis();
        outcome(c -> store.finish(c, items, "DEAD", status, reason, now, now));
        metrics.signals(items.get(0).kind().name(), "dead", items.size());
        deadLetters.items(endpoint, key, items.stream().map(i -> new OutboxItem(i.id(), i.vendorCallKey(), i.kind(),
                i.itemKey(), i.startTime(), i.payload(), i.recordId(), "DEAD", i.attempts() + 1, i.nextAttemptAt(),
                i.receivedAt())).toList(), reason, status == 0 ? null : status, message);
    }

    // ------------------------------------------------------------------ outcomes committed together

    @FunctionalInterface
    private interface SqlWork {
        void run(java.sql.Connection c) throws java.sql.SQLException;
    }

    /**
     * Records an outcome in the ledger and returns once it is committed. Requests that end together share one
     * transaction (the ledger's group commit, {@link io.eciconnector.ledger.Ledger#inGroup}), with the plan's claims
     * and the ingest's changes asked at the same time; a call takes part in its next request only after its outcome
     * is committed.
     */
    private void outcome(SqlWork work) {
        store.inGroup(c -> {
            work.run(c);
            return null;
        });
    }

    // ------------------------------------------------------------------ plumbing

    private synchronized Semaphore slots() {
        if (slots == null) {
            slots = new Semaphore(settings.concurrency());
        }
        return slots;
    }

    private synchronized java.util.concurrent.ScheduledExecutorService timer() {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "telephony-due");
                t.setDaemon(true);
                return t;
            });
        }
        return timer;
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
