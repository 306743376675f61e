package io.eciconnector.ingest;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings under eci.provider. */
@ConfigMapping(prefix = "eci.provider")
public interface ProviderSettings {
    /** ProviderName of the CallCoachingMediaProvider record the connector registers as. */
    @WithDefault("eci-connector")
    String name();

    @WithDefault("eci-connector: phone-system calls into Einstein Conversation Insights")
    String description();

    /** Use this CallCoachingMediaProvider id instead of finding or creating the record. */
    Optional<String> id();
}
