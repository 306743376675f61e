package io.eciconnector.ingest;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings under eci.upload. */
@ConfigMapping(prefix = "eci.upload")
public interface UploadSettings {
    /** multipart (stream the recording as audioFileData) or recording-url (v57.0+: Salesforce fetches it). */
    @WithDefault("multipart")
    String mode();

    /** Named Credential for the recording-url mode. */
    Optional<String> namedCredential();

    /** Recordings uploaded at once. */
    @WithDefault("4")
    int concurrency();

    @WithDefault("8")
    int maxAttempts();

    /**
     * As eci.create.settle-time, for an upload whose outcome is unknown: the org is asked at once whether the
     * VoiceCall has its recording (CallRecordingId); the recording is sent again only when it still has none once
     * this has passed since the upload began.
     */
    @WithDefault("11M")
    java.time.Duration settleTime();

    /**
     * How often the recovery route (routes/upload-recordings.yaml, upload-recordings-recovery) looks in the ledger for
     * uploads the in-memory channel does not bring: abandoned claims, retries whose time came, a provider enabled again.
     */
    @WithDefault("5000")
    long recoveryMs();
}
