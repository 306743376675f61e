package io.eciconnector.send;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try again: the server's Retry-After when it sent one, else exponential backoff with full jitter
 * (base * 2^(attempt-1), capped, a random share of it) so that replicas and calls do not retry in step.
 */
public final class Backoff {

    private Backoff() {
    }

    public static Duration delay(int attempt, Duration base, Duration max, Optional<Duration> retryAfter) {
        if (retryAfter.isPresent()) {
            return retryAfter.get().compareTo(max) > 0 ? max : retryAfter.get();
        }
        long ceiling = Math.min(max.toMillis(), base.toMillis() << Math.min(20, Math.max(0, attempt - 1)));
        long jittered = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        return Duration.ofMillis(jittered);
    }

    public static Instant next(int attempt, Duration base, Duration max, Optional<Duration> retryAfter) {
        return Instant.now().plus(delay(attempt, base, max, retryAfter));
    }
}
