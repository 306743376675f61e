package io.eciconnector.ingest;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings under eci.create. */
@ConfigMapping(prefix = "eci.create")
public interface CreateSettings {
    /**
     * Calls per POST voicecalls (ECI takes at most 200): the completionSize of the aggregate in
     * routes/create-voicecalls.yaml, which may say a number there instead.
     */
    @WithDefault("200")
    int batchSize();

    /**
     * A batch smaller than batch-size goes out once no call joined it for this long (the aggregate's completionTimeout
     * in routes/create-voicecalls.yaml), or once its first call has waited three times this long.
     */
    @WithDefault("10S")
    Duration maxWait();

    /** Attempts of a create request before its calls are dead-lettered (429, 5xx, faults). */
    @WithDefault("8")
    int maxAttempts();

    @WithDefault("2S")
    Duration backoffBase();

    @WithDefault("10M")
    Duration backoffMax();

    /**
     * How long after a create request went out the org may still apply it: Salesforce ends a REST request after 10
     * minutes (API Timeout Limits), plus a minute for the way there. A request whose outcome is unknown (timeout,
     * reset, a replica killed mid-request) is looked up at once, and its calls are sent again only once this has
     * passed and they are still not in the org.
     */
    @WithDefault("11M")
    Duration settleTime();

    /**
     * How often the recovery route (routes/create-voicecalls.yaml, create-voicecalls-recovery) looks in the ledger
     * for what the in-memory channel does not bring: calls a crash, a restart or another replica left, retries whose
     * time came, unknown outcomes to look up (eci.create.settle-time). Checked calls themselves are announced at once.
     */
    @WithDefault("5000")
    long recoveryMs();
}
