package io.eciconnector.salesforce;

import java.time.Duration;
import java.util.Optional;

/** One answer of the Salesforce APIs: status, the headers the connector acts on, and the body. */
public record ApiResponse(int status, String body, Optional<String> retryAfter, Optional<String> limitInfo) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    /** Worth sending again: rate limited, or a server-side failure. A 4xx other than 429 is final. */
    public boolean retryable() {
        return status == 429 || status >= 500;
    }

    /** Retry-After in seconds (the only form Salesforce sends); empty when absent or not a number. */
    public Optional<Duration> retryAfterDuration() {
        return retryAfter.flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v.trim()))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** A short description for the ledger and the dead letters: status and the first 500 characters of the body. */
    public String describe() {
        String b = body == null ? "" : body.replaceAll("\\s+", " ");
        return "HTTP " + status + (b.isEmpty() ? "" : ": " + (b.length() > 500 ? b.substring(0, 500) + "..." : b));
    }
}
