package io.eciconnector.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The recording-ingest flow's settings, one mapping per group (eci.provider, eci.callcoaching, eci.checks, eci.create, eci.upload). */
@ApplicationScoped
public class IngestSettings {

    @Inject
    ProviderSettings provider;

    @Inject
    CallCoachingSettings callcoaching;

    @Inject
    ChecksSettings checks;

    @Inject
    CreateSettings create;

    @Inject
    UploadSettings upload;

    public ProviderSettings provider() {
        return provider;
    }

    public CallCoachingSettings callcoaching() {
        return callcoaching;
    }

    public ChecksSettings checks() {
        return checks;
    }

    public CreateSettings create() {
        return create;
    }

    public UploadSettings upload() {
        return upload;
    }
}
