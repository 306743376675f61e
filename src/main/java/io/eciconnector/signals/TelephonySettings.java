package io.eciconnector.signals;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How the connector reaches the Service Cloud Voice telephony API (prefix {@code eci.telephony}). With the sandbox on
 * and no base URL set, it talks to the embedded sandbox with the CallCenter key the sandbox made at start.
 */
@ConfigMapping(prefix = "eci.telephony")
public interface TelephonySettings {

    /** https://{my-domain}.my.salesforce-scrt.com/telephony/v1. Default: the sandbox. */
    Optional<String> baseUrl();

    /** The Telephony-Provider-Name header. */
    @WithDefault("eci-connector")
    String providerName();

    /** The {@code service} of realtime and post-call events: the intelligence source. */
    @WithDefault("AmazonConnectContactLens")
    String service();

    /** The optional {@code persist} flag of realtime events (not sent when unset). */
    Optional<Boolean> persist();

    /** The documented parameter table types {@code score} as a string, its example sends a number. */
    @WithDefault("false")
    boolean scoreAsString();

    Jwt jwt();

    /** Timeout of one request. */
    @WithDefault("30S")
    Duration requestTimeout();

    /**
     * How often the recovery pass of routes/telephony-send.yaml reads the outbox (ms): what no notification brought
     * (another replica's items, a restart's backlog, a replay), claims a stopped replica left, post-call chunks due.
     * Items stored by this replica are sent as soon as they are due, not on this timer.
     */
    @WithDefault("1000")
    long pollMs();

    /** Requests in flight at once. */
    @WithDefault("4")
    int concurrency();

    /**
     * The least time between two realtime requests of a call: an idle call's events go at once; those that come
     * within this long of its last request are collected and go together once it passed. 0 (default): a call's
     * events wait only while a request of the call is in flight.
     */
    @WithDefault("0MS")
    Duration realtimeWindow();

    /**
     * Transcript messages wait at most this long (from the oldest) for a request filled by messages (5 calls x 5);
     * five calls with five messages each go at once.
     */
    @WithDefault("1S")
    Duration bulkWindow();

    /** Post-call events per request (a call's sentiment periods are split into requests of this size). */
    @WithDefault("100")
    int postCallChunkSize();

    /**
     * Post-call events go only after the contact completed (COMPLETED or FAILED on the stream, or its contact trace
     * record); a contact whose stream is still open is waited for at most this long (the analysis file itself is
     * only written after the contact ends).
     */
    @WithDefault("10M")
    Duration postCallCompletionWait();

    @WithDefault("1S")
    Duration backoffBase();

    @WithDefault("5M")
    Duration backoffMax();

    /** Attempts before an item goes to the dead letters. */
    @WithDefault("10")
    int maxAttempts();

    /**
     * An item claimed by a replica that died is sent again after this long (longer than request-timeout, so a request
     * still running is never doubled). A resent transcript message the org already holds is recorded as sent.
     */
    @WithDefault("45S")
    Duration lease();

    interface Jwt {
        /** The org id (00D...): the JWT {@code iss}. Default: the sandbox org. */
        Optional<String> orgId();

        /** The CallCenter's API name: the JWT {@code sub}. Default: the sandbox call center. */
        Optional<String> callCenterApiName();

        /** Optional {@code aud} claim. */
        Optional<String> audience();

        /** Send a {@code jti}: then every request gets its own token (Salesforce rejects a replayed jti). */
        @WithDefault("false")
        boolean jti();

        /** exp - iat (at most 24 hours). */
        @WithDefault("1H")
        Duration lifetime();

        /** A token is reused until this long before it expires. */
        @WithDefault("5M")
        Duration renewBefore();

        /** PEM file with the CallCenter's RSA private key (PKCS#8 or PKCS#1), mounted from a Secret. */
        Optional<String> privateKeyFile();
    }
}
