package io.eciconnector.ingest;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings under eci.callcoaching. */
@ConfigMapping(prefix = "eci.callcoaching")
public interface CallCoachingSettings {
    /** The call-coaching status (enabled, active users) is read again when older than this. */
    @WithDefault("5M")
    Duration refreshInterval();
}
