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

    /** Subscribe to the configuration-change platform event (routes/callcoaching-events.yaml). */
    @WithDefault("true")
    boolean eventsEnabled();

    /** The platform event's name (CallCoachConfigModifyEvent, or CallCoachConfigModEvent as the ECI API spells it). */
    @WithDefault("CallCoachConfigModifyEvent")
    String event();

    /**
     * A streaming connection that answers no /meta/connect for this long is dead: the subscription is started anew
     * (a new login, a new handshake). Longer than the org's long poll (Salesforce holds one at most 110 s).
     */
    @WithDefault("3M")
    Duration eventsStall();

    /** When routes/callcoaching-status.yaml reads the status (Quartz cron). */
    @WithDefault("0 0 * * * ?")
    String cron();
}
