package io.eciconnector.ingest;

import java.net.URI;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.eciconnector.salesforce.SalesforceSettings;
import io.quarkus.runtime.StartupEvent;

/**
 * {@code eci.upload.mode=recording-url}: Salesforce fetches each recording itself. Voice Call Audio Upload takes the
 * request parameters {@code recordingURL} (the recording's link, below the Named Credential's URL) and {@code name}
 * (the Named Credential) from API 57.0. Only a recording Salesforce can reach can be offered so: one in S3 (the
 * object key) or behind HTTP(S) (the URL's path and query); a local or SFTP file cannot.
 */
@ApplicationScoped
public class RecordingUrlMode {

    public static final String MODE = "recording-url";
    /** The first API version whose audio_upload takes recordingURL and name. */
    public static final int MIN_API_VERSION = 57;

    @Inject
    UploadSettings upload;

    @Inject
    SalesforceSettings salesforce;

    /** A configuration that cannot work stops the start, with the reason, rather than failing every call. */
    void check(@Observes StartupEvent start) {
        String problem = configurationProblem(upload.mode(), upload.namedCredential(), salesforce.apiVersion());
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    /** Why this configuration cannot upload; null when it can. */
    public static String configurationProblem(String mode, Optional<String> namedCredential, String apiVersion) {
        if (!MODE.equals(mode) && !"multipart".equals(mode)) {
            return "eci.upload.mode must be multipart or " + MODE + ", not '" + mode + "'";
        }
        if (!MODE.equals(mode)) {
            return null;
        }
        if (namedCredential.filter(n -> !n.isBlank()).isEmpty()) {
            return "eci.upload.mode=" + MODE + " needs eci.upload.named-credential: the Named Credential Salesforce "
                    + "fetches the recordings with";
        }
        int major;
        try {
            major = (int) Double.parseDouble(apiVersion.trim());
        } catch (NumberFormatException e) {
            return "eci.salesforce.api-version '" + apiVersion + "' is not a version such as 60.0";
        }
        if (major < MIN_API_VERSION) {
            return "eci.upload.mode=" + MODE + " needs eci.salesforce.api-version " + MIN_API_VERSION + ".0 or later "
                    + "(Voice Call Audio Upload takes recordingURL and name from API " + MIN_API_VERSION
                    + ".0); configured: " + apiVersion;
        }
        return null;
    }

    /**
     * The recordingURL of a recording: an S3 object's key, or an HTTP(S) URL's path and query (the Named
     * Credential's URL being the bucket's or the host's); empty when Salesforce cannot fetch it (file:, sftp:).
     */
    public static Optional<String> recordingUrl(URI recording) {
        if (recording == null || recording.getScheme() == null) {
            return Optional.empty();
        }
        return switch (recording.getScheme()) {
            case "s3" -> Optional.ofNullable(recording.getPath()).map(p -> p.replaceFirst("^/", ""))
                    .filter(p -> !p.isEmpty());
            case "http", "https" -> Optional.ofNullable(recording.getRawPath()).map(p -> p.replaceFirst("^/", "")
                    + (recording.getRawQuery() == null ? "" : "?" + recording.getRawQuery()));
            default -> Optional.empty();
        };
    }

    /** Why a recording at this location cannot be offered by URL. */
    public static String notOfferable(String externalId, URI recording) {
        String where = recording == null ? "no location" : recording.getScheme() == null ? "no scheme"
                : switch (recording.getScheme()) {
                    case "file" -> "a local file";
                    case "sftp" -> "a file on an SFTP server";
                    default -> "a " + recording.getScheme() + ": location";
                };
        return "call " + externalId + ": eci.upload.mode=" + MODE + " offers recordings by URL, and this one is " + where
                + ", which Salesforce cannot fetch through a Named Credential (only S3 objects and HTTP(S) URLs can be "
                + "offered; use eci.upload.mode=multipart for the others)";
    }
}
