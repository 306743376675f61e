package io.eciconnector.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Faults injected at run time through POST /sandbox/faults. A fault applies to one endpoint name (see
 * {@link SandboxRoutes#endpointName}) or to all ("*"), for the next {@code count} matching requests and/or at a
 * {@code rate} (probability 0..1).
 */
public class Faults {

    public enum Action {
        /** Answer the given HTTP status (with Retry-After when set) without applying the request. */
        STATUS,
        /** Close the connection before the request is applied: nothing happened. */
        RESET_BEFORE,
        /** Apply the request, then close the connection instead of answering: the outcome is unknown to the client. */
        RESET_AFTER,
        /** Wait delayMs, then handle the request normally (applied late: after a client's timeout, if it is longer). */
        DELAY,
        /**
         * Handle (apply) the request at once, then answer it delayMs later: an org that answers after the client's
         * timeout, the request applied though the client gave up.
         */
        ANSWER_LATE,
        /**
         * Hold the request (received whole; an upload's stream paused) until POST /sandbox/faults/release, then handle
         * it normally, whether the client still waits or not: a test kills or stops a client while its request is in
         * flight without racing a timer.
         */
        HOLD,
        /** Expire every issued access token, then handle the request (which then gets 401 INVALID_SESSION_ID). */
        EXPIRE_TOKEN;

        static Action parse(String value) {
            return valueOf(value.trim().toUpperCase().replace('-', '_'));
        }
    }

    public static final class Fault {
        final long id;
        final String endpoint;
        final Action action;
        final int status;
        final Integer retryAfter;
        final long delayMs;
        final String errorCode;
        final String message;
        final Double rate;
        final AtomicInteger remaining;
        final AtomicLong hits = new AtomicLong();

        Fault(long id, String endpoint, Action action, int status, Integer retryAfter, long delayMs, String errorCode,
                String message, Double rate, Integer count) {
            this.id = id;
            this.endpoint = endpoint;
            this.action = action;
            this.status = status;
            this.retryAfter = retryAfter;
            this.delayMs = delayMs;
            this.errorCode = errorCode;
            this.message = message;
            this.rate = rate;
            this.remaining = count == null ? null : new AtomicInteger(count);
        }

        public Action action() {
            return action;
        }

        public int status() {
            return status;
        }

        public Integer retryAfter() {
            return retryAfter;
        }

        public long delayMs() {
            return delayMs;
        }

        public String errorCode() {
            return errorCode;
        }

        public String message() {
            return message;
        }

        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("endpoint", endpoint);
            m.put("action", action.name().toLowerCase().replace('_', '-'));
            if (action == Action.STATUS) {
                m.put("status", status);
            }
            if (retryAfter != null) {
                m.put("retryAfter", retryAfter);
            }
            if (delayMs > 0) {
                m.put("delayMs", delayMs);
            }
            if (rate != null) {
                m.put("rate", rate);
            }
            if (remaining != null) {
                m.put("remaining", remaining.get());
            }
            m.put("hits", hits.get());
            return m;
        }
    }

    private final List<Fault> faults = new ArrayList<>();
    private final List<Runnable> held = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private Random random = new Random();

    public synchronized Fault add(String endpoint, String action, Integer status, Integer retryAfter, Long delayMs,
            String errorCode, String message, Double rate, Integer count, Long seed) {
        Action a = Action.parse(action == null ? (status != null ? "status" : "") : action);
        if (a == Action.STATUS && (status == null || status < 400 || status > 599)) {
            throw new IllegalArgumentException("a status fault needs a status between 400 and 599");
        }
        if ((a == Action.DELAY || a == Action.ANSWER_LATE) && (delayMs == null || delayMs <= 0)) {
            throw new IllegalArgumentException("a " + a.name().toLowerCase().replace('_', '-') + " fault needs delayMs > 0");
        }
        if (rate != null && (rate <= 0 || rate > 1)) {
            throw new IllegalArgumentException("rate must be within (0, 1]");
        }
        if (count != null && count <= 0) {
            throw new IllegalArgumentException("count must be at least 1");
        }
        if (rate == null && count == null) {
            count = 1;
        }
        if (seed != null) {
            random = new Random(seed);
        }
        Fault f = new Fault(ids.incrementAndGet(), endpoint == null || endpoint.isBlank() ? "*" : endpoint, a,
                status == null ? 0 : status, retryAfter, delayMs == null ? 0 : delayMs, errorCode, message, rate,
                count);
        faults.add(f);
        return f;
    }

    /** The fault that applies to this request, if any; consumes one of its counts. */
    public synchronized Optional<Fault> match(String endpoint) {
        for (Fault f : faults) {
            if (!f.endpoint.equals("*") && !f.endpoint.equals(endpoint)) {
                continue;
            }
            if (f.remaining != null && f.remaining.get() <= 0) {
                continue;
            }
            if (f.rate != null && random.nextDouble() >= f.rate) {
                continue;
            }
            if (f.remaining != null) {
                f.remaining.decrementAndGet();
            }
            f.hits.incrementAndGet();
            return Optional.of(f);
        }
        return Optional.empty();
    }

    public synchronized List<Map<String, Object>> describe() {
        return faults.stream().map(Fault::describe).toList();
    }

    private final AtomicInteger delayed = new AtomicInteger();

    /** A delay fault took a request: it is applied when its delay has passed ({@link #delayEnded}). */
    public void delayStarted() {
        delayed.incrementAndGet();
    }

    public void delayEnded() {
        delayed.decrementAndGet();
    }

    /** Requests that delay faults still keep back (not applied yet). */
    public int delayedCount() {
        return delayed.get();
    }

    /** Keeps a held request's continuation until {@link #release}. */
    public synchronized void hold(Runnable continuation) {
        held.add(continuation);
    }

    /** Lets every held request go on; answers how many. */
    public int release() {
        List<Runnable> go;
        synchronized (this) {
            go = new ArrayList<>(held);
            held.clear();
        }
        go.forEach(Runnable::run);
        return go.size();
    }

    /** How many requests are held. */
    public synchronized int heldCount() {
        return held.size();
    }

    /** Removes every fault; requests still held go on. */
    public void clear() {
        synchronized (this) {
            faults.clear();
        }
        release();
    }
}
