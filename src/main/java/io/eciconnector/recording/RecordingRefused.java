package io.eciconnector.recording;

import java.io.IOException;

/**
 * A recording reference the connector will not follow: outside the source's own root, a scheme or URL not allowed by
 * configuration, a malformed S3 location. Final for the call (a dead letter with this reason), never retried.
 */
public class RecordingRefused extends IOException {

    private final String rule;

    public RecordingRefused(String rule, String message) {
        super(message);
        this.rule = rule;
    }

    /** The rule that refused it, e.g. {@code outside-root}, {@code url-not-allowed}, {@code s3-location}. */
    public String rule() {
        return rule;
    }
}
