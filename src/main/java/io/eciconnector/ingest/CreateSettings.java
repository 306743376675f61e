package io.eciconnector.ingest;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings under eci.create. */
@ConfigMapping(prefix = "eci.create")
public interface CreateSettings {
    /** Calls per POST voicecalls (ECI takes at most 200). */
    @WithDefault("200")
    int batchSize();

    /** A batch smaller than batch-size goes out once its oldest call has waited this long. */
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

    /** How often the create route looks for work, in milliseconds (routes/create-voicecalls.yaml). */
    @WithDefault("1000")
    long pollMs();
}
