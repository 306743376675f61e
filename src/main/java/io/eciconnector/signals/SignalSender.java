package io.eciconnector.signals;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
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
import io.eciconnector.ops.FlowMetrics;
import io.eciconnector.sandbox.Sandbox;
import io.eciconnector.send.Backoff;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Sends the outbox to the telephony API (routes/telephony-send.yaml calls {@link #drain} on a short timer):
 * <ul>
 * <li>realtime events: per call, what is ready, sorted by startTime, once the oldest has waited the realtime window;</li>
 * <li>transcript messages: packed across calls into bulk requests of at most 5 calls x 5 messages, sent when full or
 * once the oldest has waited the bulk window; a call with a request in flight or waiting for a retry takes no part in
 * another request, so no request overtakes an earlier one of the same call;</li>
 * <li>post-call chunks: one request each, in order, once the contact completed.</li>
 * </ul>
 * 429, 5xx, 401 and connection faults are retried with backoff and jitter honouring Retry-After (a time in the
 * ledger, no thread sleeps); a multi-status answer retries only its retryable entries; a 400 entry goes to the dead
 * letters and holds nothing else back. Items are claimed in the ledger, so replicas share one outbox.
 */
@ApplicationScoped
@Named("signalSender")
@RegisterForReflection
public class SignalSender {

    private static final Logger LOG = Logger.getLogger(SignalSender.class);
    static final int MAX_CALLS = 5;
    static final int MAX_MESSAGES = 5;
    static final int MAX_EVENTS = 100;
    static final int SCAN_LIMIT = 5000;
    /** The answer to messages sent again whose ids the conversation already holds. */
    static final java.util.regex.Pattern ALREADY_STORED = java.util.regex.Pattern.compile("(?i)messageId .* not unique");

    @Inject
    TelephonySettings settings;

    @Inject
    SignalStore store;

    @Inject
    SignalDeadLetters deadLetters;

    @Inject
    FlowMetrics metrics;

    @Inject
    Sandbox sandbox;

    @Inject
    Ledger ledger;

    @Inject
    ObjectMapper json;

    private volatile TelephonyClient client;
    private TelephonyToken token;
    private ExecutorService pool;
    private Semaphore slots;
    private volatile boolean woken = true;
    private volatile boolean busy;
    private long lastFullScan;
    private long lastRecovery;

    /** New items were stored: the next drain looks at once rather than at its next idle check. */
    public void wake() {
        woken = true;
    }

    /** One pass over the outbox: sends what is due, within the concurrency limit. */
    public synchronized void drain() {
        long now = System.currentTimeMillis();
        if (!woken && !busy && now - lastFullScan < 1000) {
            return; // idle: look once a second (another replica may have stored items)
        }
        woken = false;
        lastFullScan = now;
        if (now - lastRecovery > settings.lease().toMillis() / 4) {
            lastRecovery = now;
            int recovered = store.recoverAbandoned(now - settings.lease().toMillis());
            if (recovered > 0) {
                LOG.warnf("%d signal items claimed by a stopped replica are sent again", recovered);
            }
        }
        boolean pending = false;
        pending |= realtime(now);
        pending |= messages(now);
        pending |= postCall(now);
        busy = pending;
    }

    // ------------------------------------------------------------------ realtime events

    private boolean realtime(long now) {
        boolean pending = false;
        for (Map.Entry<String, List<OutboxItem>> call : store.unfinished(OutboxItem.Kind.EVENT, SCAN_LIMIT).entrySet()) {
            List<OutboxItem> items = call.getValue();
            pending = true;
            if (items.stream().anyMatch(i -> i.state().equals("SENDING"))) {
                continue;
            }
            List<OutboxItem> ready = items.stream().filter(i -> i.nextAttemptAt() <= now).limit(MAX_EVENTS).toList();
            if (ready.isEmpty() || !due(ready, now, settings.realtimeWindow(), ready.size() >= MAX_EVENTS)) {
                continue;
            }
            if (!reserve(ready, now)) {
                return true;
            }
            pool().execute(() -> sendRealtime(call.getKey(), ready));
        }
        return pending;
    }

    private void sendRealtime(String key, List<OutboxItem> items) {
        try {
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
            TelephonyClient.Answer a = client().realtime(key, body.toString());
            settle("realtimeConversationEvents", key, items, a);
        } catch (IOException | RuntimeException e) {
            failed("realtimeConversationEvents", key, items, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed("realtimeConversationEvents", key, items, e);
        } finally {
            release();
        }
    }

    // ------------------------------------------------------------------ post-call events

    private boolean postCall(long now) {
        boolean pending = false;
        for (Map.Entry<String, List<OutboxItem>> call : store.unfinished(OutboxItem.Kind.POSTCALL, SCAN_LIMIT).entrySet()) {
            pending = true;
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
            if (!reserve(List.of(first), now)) {
                return true;
            }
            pool().execute(() -> {
                try {
                    settle("postConversationEvents", call.getKey(), List.of(first),
                            client().postCall(call.getKey(), first.payload()));
                } catch (IOException | RuntimeException e) {
                    failed("postConversationEvents", call.getKey(), List.of(first), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed("postConversationEvents", call.getKey(), List.of(first), e);
                } finally {
                    release();
                }
            });
        }
        return pending;
    }

    // ------------------------------------------------------------------ bulk transcripts

    private boolean messages(long now) {
        Map<String, List<OutboxItem>> unfinished = store.unfinished(OutboxItem.Kind.MESSAGE, SCAN_LIMIT);
        // per call: the leading messages that are ready, in order; a call with one in flight waits
        List<List<OutboxItem>> candidates = new ArrayList<>();
        for (List<OutboxItem> items : unfinished.values()) {
            if (items.stream().anyMatch(i -> i.state().equals("SENDING"))) {
                continue;
            }
            List<OutboxItem> lead = new ArrayList<>();
            for (OutboxItem i : items) {
                if (i.nextAttemptAt() > now || lead.size() == MAX_MESSAGES) {
                    break;
                }
                lead.add(i);
            }
            if (!lead.isEmpty()) {
                candidates.add(lead);
            }
        }
        for (int from = 0; from < candidates.size(); from += MAX_CALLS) {
            List<List<OutboxItem>> request = candidates.subList(from, Math.min(candidates.size(), from + MAX_CALLS));
            List<OutboxItem> all = request.stream().flatMap(List::stream).toList();
            boolean full = request.size() == MAX_CALLS || request.stream().allMatch(l -> l.size() == MAX_MESSAGES);
            if (!due(all, now, settings.bulkWindow(), full)) {
                continue;
            }
            if (!reserve(all, now)) {
                return true;
            }
            List<List<OutboxItem>> entries = List.copyOf(request);
            pool().execute(() -> {
                try {
                    sendBulk(entries);
                } finally {
                    release();
                }
            });
        }
        return !unfinished.isEmpty();
    }

    private void sendBulk(List<List<OutboxItem>> entries) {
        List<OutboxItem> all = entries.stream().flatMap(List::stream).toList();
        try {
            TelephonyClient.Answer a = client().bulkMessages(bulkBody(entries));
            metrics.telephonyRequest("messages", a.status());
            metrics.bulkFill(all.size());
            if (a.ok() && a.status() != 207 && !a.body().contains("errorResponse")) {
                sent("messages", all);
                return;
            }
            if (a.ok()) {
                multiStatus(entries, a);
                return;
            }
            if (a.status() == 400 && entries.size() > 1) {
                // the request as a whole was refused: each call alone, so one bad entry holds no other back
                for (List<OutboxItem> entry : entries) {
                    try {
                        TelephonyClient.Answer alone = client().bulkMessages(bulkBody(List.of(entry)));
                        metrics.telephonyRequest("messages", alone.status());
                        if (alone.ok() && alone.status() != 207) {
                            sent("messages", entry);
                        } else if (alone.ok()) {
                            multiStatus(List.of(entry), alone);
                        } else {
                            settleFailure("messages", entry.get(0).vendorCallKey(), entry, alone);
                        }
                    } catch (IOException | RuntimeException e) {
                        failed("messages", entry.get(0).vendorCallKey(), entry, e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        failed("messages", entry.get(0).vendorCallKey(), entry, e);
                    }
                }
                return;
            }
            for (List<OutboxItem> entry : entries) {
                settleFailure("messages", entry.get(0).vendorCallKey(), entry, a);
            }
        } catch (IOException | RuntimeException e) {
            for (List<OutboxItem> entry : entries) {
                failed("messages", entry.get(0).vendorCallKey(), entry, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            for (List<OutboxItem> entry : entries) {
                failed("messages", entry.get(0).vendorCallKey(), entry, e);
            }
        }
    }

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
    private void multiStatus(List<List<OutboxItem>> entries, TelephonyClient.Answer a) throws IOException {
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
                        new TelephonyClient.Answer(status, s.path("message").asText(""), Optional.empty()));
            }
        }
    }

    // ------------------------------------------------------------------ outcomes

    private void settle(String endpoint, String key, List<OutboxItem> items, TelephonyClient.Answer a) {
        metrics.telephonyRequest(endpoint, a.status());
        if (a.ok()) {
            sent(endpoint, items);
        } else {
            settleFailure(endpoint, key, items, a);
        }
    }

    private void sent(String endpoint, List<OutboxItem> items) {
        long now = System.currentTimeMillis();
        store.sent(items, 202, now);
        String kind = items.get(0).kind().name();
        metrics.signals(kind, "sent", items.size());
        for (OutboxItem i : items) {
            metrics.telephonyLatency(kind, now - i.receivedAt());
        }
    }

    /** 429, 5xx, 401 (after signing anew): again later; any other refusal: the dead letters. */
    private void settleFailure(String endpoint, String key, List<OutboxItem> items, TelephonyClient.Answer a) {
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
            retry(endpoint, key, items, a.status(), "HTTP " + a.status() + ": " + message, a.retryAfter());
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
        store.retry(items, status, error, now + wait.toMillis(), now);
        metrics.signals(items.get(0).kind().name(), "retried", items.size());
        metrics.retry("signals", status == 0 ? "connection" : Integer.toString(status));
        LOG.infof("%s for %s: %s; %d item(s) again in %d ms", endpoint, key, error.length() > 200
                ? error.substring(0, 200) : error, items.size(), wait.toMillis());
        woken = true;
    }

    private void dead(String endpoint, String key, List<OutboxItem> items, int status, String reason, String message) {
        long now = System.currentTimeMillis();
        store.dead(items, status, reason, now);
        metrics.signals(items.get(0).kind().name(), "dead", items.size());
        deadLetters.items(endpoint, key, items.stream().map(i -> new OutboxItem(i.id(), i.vendorCallKey(), i.kind(),
                i.itemKey(), i.startTime(), i.payload(), i.recordId(), "DEAD", i.attempts() + 1, i.nextAttemptAt(),
                i.receivedAt())).toList(), reason, status == 0 ? null : status, message);
    }

    // ------------------------------------------------------------------ plumbing

    /** Due: full, a retry, or the oldest item has waited the window. */
    private static boolean due(List<OutboxItem> items, long now, Duration window, boolean full) {
        if (full) {
            return true;
        }
        long oldest = items.stream().mapToLong(OutboxItem::receivedAt).min().orElse(now);
        boolean retry = items.stream().anyMatch(i -> i.attempts() > 0);
        return retry || now - oldest >= window.toMillis();
    }

    /** A concurrency slot and the ledger claim; false (nothing taken) when either is not to be had. */
    private boolean reserve(List<OutboxItem> items, long now) {
        if (!slots().tryAcquire()) {
            woken = true;
            return false;
        }
        if (!store.claim(items, ledger.instance(), now)) {
            slots.release();
            woken = true;
            return true; // another replica took them: nothing to do here, the loop goes on
        }
        return true;
    }

    private void release() {
        slots.release();
        woken = true;
    }

    private synchronized Semaphore slots() {
        if (slots == null) {
            slots = new Semaphore(settings.concurrency());
        }
        return slots;
    }

    private synchronized ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(settings.concurrency(), r -> {
                Thread t = new Thread(r, "telephony-send");
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    TelephonyClient client() {
        TelephonyClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = newClient();
                }
                c = client;
            }
        }
        return c;
    }

    private TelephonyClient newClient() {
        TelephonySettings.Jwt jwt = settings.jwt();
        String issuer = jwt.orgId().orElseGet(() -> sandboxOr(() -> sandbox.config().orgId(), "eci.telephony.jwt.org-id"));
        String subject = jwt.callCenterApiName().orElseGet(
                () -> sandboxOr(() -> sandbox.config().telephony().callCenterApiName(), "eci.telephony.jwt.call-center-api-name"));
        Path key = jwt.privateKeyFile().map(Path::of).orElseGet(
                () -> sandboxOr(() -> sandbox.keys().telephonyPrivateKey(), "eci.telephony.jwt.private-key-file"));
        String base = settings.baseUrl().orElseGet(() -> sandboxOr(() -> sandbox.localUrl() + "/telephony/v1",
                "eci.telephony.base-url"));
        token = new TelephonyToken(key, new TelephonyToken.Claims(issuer, subject, jwt.audience().orElse(null),
                jwt.jti(), jwt.lifetime(), jwt.renewBefore()), Clock.systemUTC());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1).build();
        LOG.infof("Telephony API: %s (provider %s, call center %s)", base, settings.providerName(), subject);
        return new TelephonyClient(http, base, settings.providerName(), token, settings.requestTimeout());
    }

    private <T> T sandboxOr(java.util.function.Supplier<T> fromSandbox, String key) {
        if (!sandbox.enabled()) {
            throw new IllegalStateException(key + " is required (the sandbox is off)");
        }
        return fromSandbox.get();
    }

    /** The JWT signer in use (tests read how often it signed and read the key). */
    TelephonyToken token() {
        client();
        return token;
    }

    @PreDestroy
    void stop() throws InterruptedException {
        if (pool != null) {
            pool.shutdown();
            pool.awaitTermination(20, TimeUnit.SECONDS);
        }
    }
}
