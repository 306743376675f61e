package io.eciconnector.ingest;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings under eci.checks. */
@ConfigMapping(prefix = "eci.checks")
public interface ChecksSettings {
    /** Calls of this many seconds or less are skipped (the Voice Connector's rule: 10). */
    @WithDefault("10")
    long minDurationSeconds();

    /** Calls with any participant on this list are skipped (E.164 or as the vendor writes them). */
    Optional<List<String>> excludedNumbers();

    /** ECI does not process recordings over 64 MB: they are refused before any request. */
    @WithDefault("67108864")
    long maxRecordingBytes();

    /** Calls that started longer ago than this are skipped (the Voice Connector's 7-day backfill on enable). */
    @WithDefault("7D")
    Duration maxAge();

    /** A record whose recording is not there yet waits this long (looked for again every recording-recheck). */
    @WithDefault("15M")
    Duration recordingGrace();

    @WithDefault("30S")
    Duration recordingRecheck();
}
