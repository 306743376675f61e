package io.eciconnector.send;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.hc.client5.http.entity.mime.HttpMultipartMode;
import org.apache.hc.client5.http.entity.mime.InputStreamBody;
import org.apache.hc.client5.http.entity.mime.MultipartEntityBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.deadletter.DeadLetters;
import io.eciconnector.ingest.CallCoaching;
import io.eciconnector.ingest.IngestSettings;
import io.eciconnector.ingest.RecordingUrlMode;
import io.eciconnector.ledger.Announcements;
import io.eciconnector.ledger.CallKey;
import io.eciconnector.ledger.CallRow;
import io.eciconnector.ledger.CallState;
import io.eciconnector.ledger.Ledger;
import io.eciconnector.metrics.FlowMetrics;
import io.eciconnector.recording.RecordingStore;
import io.eciconnector.salesforce.ApiBudget;
import io.eciconnector.salesforce.ApiResponse;
import io.eciconnector.salesforce.SalesforceApi;
import io.eciconnector.salesforce.SalesforceHttpComponent;
import io.eciconnector.salesforce.SalesforceRequest;
import io.eciconnector.salesforce.SalesforceSettings;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Uploads the recording of each CREATED call to its uploadUrl: streamed from its source as the multipart part
 * audioFileData (never read into memory), or, in recording-url mode, as the recording's URL plus a Named Credential
 * for Salesforce to fetch. 204 makes the call UPLOADED; a 400 is final (dead letter), except a refusal because the
 * provider was disabled, which waits for the provider to be enabled again; 429, 5xx and connection faults are retried
 * with backoff (Retry-After honoured).
 */
@ApplicationScoped
@Named("recordingUploader")
@RegisterForReflection
public class RecordingUploader {

    private static final Logger LOG = Logger.getLogger(RecordingUploader.class);

    @Inject
    Ledger ledger;

    @Inject
    SalesforceApi api;

    @Inject
    SalesforceSettings salesforce;

    @Inject
    RecordingStore recordings;

    @Inject
    IngestSettings settings;

    @Inject
    DeadLetters deadLetters;

    @Inject
    FlowMetrics metrics;

    @Inject
    ObjectMapper mapper;

    @Inject
    CallCoaching callCoaching;

    @Inject
    ApiBudget budget;

    /**
     * Uploads a crashed replica (or this instance before its restart) left in UPLOADING go back to CREATED with an
     * unknown outcome: the org is asked whether it has the recording before anything is sent again.
     */
    public int recoverAbandoned() {
        return ledger.recoverAbandoned(CallState.UPLOADING, CallState.CREATED,
                "upload abandoned (replica stopped mid-upload); outcome unknown: the org is asked for the recording "
                        + "before it is sent again", settings.upload().settleTime());
    }

    @Inject
    Announcements announcements;

    /** Whether recordings may be uploaded now: the provider enabled, the org's API allocation not (nearly) used up. */
    boolean uploading() {
        CallCoaching.Status status = callCoaching.last();
        return status != null && status.enabled() && budget.mode() != ApiBudget.Mode.PAUSED;
    }

    /**
     * The CREATED calls that are due and that nobody announced, oldest first (at most 1000): what a crash, a restart,
     * another replica or a retry time left, for the recovery route to announce.
     */
    public List<CallKey> leftovers() {
        if (!uploading()) {
            return List.of();
        }
        List<CallKey> out = new ArrayList<>();
        for (CallRow r : ledger.due(CallState.CREATED, 1000)) {
            CallKey key = CallKey.of(r);
            if (!announcements.pendingUpload(key)) {
                out.add(key);
            }
        }
        return out;
    }

    /**
     * Claims the announced call's upload in the ledger (CREATED, retry time come, not taken by another replica), and
     * settles an earlier upload with an unknown outcome first (see {@link #settle}). Answers the call to upload, or
     * null: taken elsewhere, settled without sending, or nothing is uploaded now (the provider is disabled, the org's
     * API allocation is used up: the call waits in CREATED and the recovery route announces it again).
     */
    public CallRow claim(CallKey key) throws InterruptedException {
        announcements.takenForUpload(key);
        if (!uploading()) {
            return null;
        }
        List<CallRow> rows = ledger.claim(List.of(key), CallState.CREATED, CallState.UPLOADING);
        Map<String, Instant> unsettled = ledger.settleUntil(rows);
        List<CallRow> out = unsettled.isEmpty() ? rows : restamped(settle(rows, unsettled));
        return out.isEmpty() ? null : out.get(0);
    }

    /**
     * The claim's time is the upload's start in the ledger (a replica that stops mid-upload leaves it, and the upload
     * is settled from it): the route sends the request right after the claim, in the same thread. Settling first
     * asked the org, so the claims that go on are stamped again.
     */
    private List<CallRow> restamped(List<CallRow> rows) {
        List<CallRow> out = new ArrayList<>();
        for (CallRow r : rows) {
            Instant now = Instant.now();
            if (ledger.transition(r.provider(), r.externalId(), CallState.UPLOADING, CallState.UPLOADING, null,
                    Ledger.fields("claimed_at", now))) {
                out.add(r.withClaimedAt(now));
            }
        }
        return out;
    }

    /**
     * The claimed uploads whose earlier upload has an unknown outcome are settled first: {@code SELECT Id,
     * CallRecordingId FROM VoiceCall WHERE Id IN (...)}; a VoiceCall with a recording is UPLOADED without sending it
     * again; one without waits until the earlier upload can no longer be applied (settle_until) and is asked again
     * then; only one still without a recording after that is uploaded again. Answers the calls to upload now.
     */
    List<CallRow> settle(List<CallRow> rows, Map<String, Instant> unsettled) throws InterruptedException {
        List<CallRow> out = new ArrayList<>();
        List<CallRow> ask = new ArrayList<>();
        for (CallRow r : rows) {
            (unsettled.containsKey(r.provider() + "/" + r.externalId()) && r.voiceCallId() != null ? ask : out).add(r);
        }
        Instant now = Instant.now();
        for (int i = 0; i < ask.size(); i += 100) {
            List<CallRow> chunk = ask.subList(i, Math.min(ask.size(), i + 100));
            Map<String, String> recordings = new HashMap<>();
            Set<String> known = new HashSet<>();
            try {
                StringBuilder ids = new StringBuilder();
                for (CallRow r : chunk) {
                    ids.append(ids.length() == 0 ? "" : ",").append('\'')
                            .append(r.voiceCallId().replaceAll("[^A-Za-z0-9]", "")).append('\'');
                }
                try {
                    for (JsonNode rec : api.queryAll("SELECT Id, CallRecordingId FROM VoiceCall WHERE Id IN (" + ids
                            + ")")) {
                        known.add(rec.path("Id").asText());
                        String recording = rec.path("CallRecordingId").asText("");
                        if (!recording.isEmpty() && !"null".equals(recording)) {
                            recordings.put(rec.path("Id").asText(), recording);
                        }
                    }
                } finally {
                    metrics.requests("query", 0);
                }
            } catch (IOException e) {
                for (CallRow r : chunk) {
                    ledger.transition(r.provider(), r.externalId(), CallState.UPLOADING, CallState.CREATED,
                            "could not ask the org whether it has the recording (" + e.getMessage() + "); asked again",
                            Ledger.fields("claimed_by", null, "attempts", Math.max(0, r.attempts() - 1),
                                    "next_attempt_at", Backoff.next(1, settings.create().backoffBase(),
                                            settings.create().backoffMax(), Optional.empty())));
                }
                continue;
            }
            for (CallRow r : chunk) {
                Instant until = unsettled.get(r.provider() + "/" + r.externalId());
                String recording = recordings.get(r.voiceCallId());
                if (recording != null) {
                    if (ledger.transition(r.provider(), r.externalId(), CallState.UPLOADING, CallState.UPLOADED,
                            "reconciled: VoiceCall " + r.voiceCallId() + " has its recording (CallRecordingId "
                                    + recording + "); not sent again",
                            Ledger.fields("claimed_by", null, "next_attempt_at", null, "settle_until", null))) {
                        metrics.call("upload", "uploaded", "reconciled");
                    }
                } else if (until != null && now.isBefore(until)) {
                    ledger.transition(r.provider(), r.externalId(), CallState.UPLOADING, CallState.CREATED,
                            "the org has no recording for VoiceCall " + r.voiceCallId() + " yet; the earlier upload "
                                    + "may still be applied until " + until + ": asked again then, sent again only if "
                                    + "still missing",
                            Ledger.fields("claimed_by", null, "attempts", Math.max(0, r.attempts() - 1),
                                    "next_attempt_at", until));
                } else {
                    if (!known.contains(r.voiceCallId())) {
                        LOG.warnf("Call %s: VoiceCall %s not found when asking for its recording; uploading",
                                r.externalId(), r.voiceCallId());
                    }
                    out.add(r);
                }
            }
        }
        return out;
    }

    /**
     * One upload's outcome: uploaded, retry, unknown, held or dead; a dead one carries its dead letter, which
     * routes/upload-recordings.yaml sends to the dead-letter channel.
     */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record Outcome(String externalId, String outcome, DeadLetters.Letter deadLetter) {
        @Override
        public String toString() {
            return externalId + ": " + outcome;
        }
    }

    /** The dead letter of the call an upload gave up on, for {@link Outcome}. */
    private static final class Letters {
        DeadLetters.Letter letter;
    }

    /** Exchange property: the call whose recording is on its way (set by {@link #request}). */
    static final String ROW = "eciUploadRow";

    /**
     * The upload request of the claimed call for routes/salesforce-request.yaml: POST to its uploadUrl with the
     * recording streamed from its source as the multipart part audioFileData (never read into memory; made afresh for
     * a second send after a 401), or, in recording-url mode, the recording's URL and the Named Credential as request
     * parameters. A call that cannot be sent (no uploadUrl, a recording Salesforce cannot fetch) throws
     * {@link Unsendable}.
     */
    public Object request(CallRow claimed, Exchange exchange) throws IOException {
        // the upload starts now, just after its claim (see restamped): an unknown outcome settles from here
        CallRow row = claimed.withClaimedAt(Instant.now());
        exchange.setProperty(ROW, row);
        if (row.uploadUrl() == null || row.recordingUri() == null) {
            throw new Unsendable("no uploadUrl or recording location in the ledger", null);
        }
        URI recording = URI.create(row.recordingUri());
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        if (RecordingUrlMode.MODE.equals(settings.upload().mode())) {
            exchange.setProperty(SalesforceRequest.PATH, byUrl(row, recording));
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded");
            return "";
        }
        exchange.setProperty(SalesforceRequest.PATH, row.uploadUrl());
        exchange.setProperty(SalesforceRequest.CLIENT, SalesforceHttpComponent.UPLOADS);
        SalesforceRequest.Body body = multipart(row, recording);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, body.contentType());
        return body;
    }

    /** The org answered the upload: the outcome recorded in the ledger. */
    public Outcome answered(ApiResponse response, @ExchangeProperty(ROW) CallRow row) throws InterruptedException {
        metrics.requests("eci.audio_upload", 0);
        Letters letters = new Letters();
        return new Outcome(row.externalId(), answered(row, response, letters), letters.letter);
    }

    /** The call cannot be uploaded (no uploadUrl, a recording Salesforce cannot fetch): final, with the reason. */
    public Outcome unsendable(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception caught,
            @ExchangeProperty(ROW) CallRow row) {
        Throwable t = caught;
        while (t != null && !(t instanceof Unsendable)) {
            t = t.getCause();
        }
        Unsendable e = t instanceof Unsendable u ? u : new Unsendable(String.valueOf(caught), null);
        Letters letters = new Letters();
        dead(row, e.getMessage(), null, e.reasonCode, letters);
        return new Outcome(row.externalId(), "dead", letters.letter);
    }

    /** The recording could not be read from its source (before or while it was sent): tried again later. */
    public Outcome sourceFailed(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception e, @ExchangeProperty(ROW) CallRow row) {
        Letters letters = new Letters();
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return new Outcome(row.externalId(), retry(row, "recording unreadable: " + cause.getMessage(), Optional.empty(),
                "source", letters), letters.letter);
    }

    /** Nothing reached the API (no login, no connection): tried again later. */
    public Outcome notSent(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception e, @ExchangeProperty(ROW) CallRow row) {
        Letters letters = new Letters();
        return new Outcome(row.externalId(), retry(row, "not sent: " + e.getMessage(), Optional.empty(), "connect",
                letters), letters.letter);
    }

    /** Sent, in part or whole, no answer: the org may have the recording now or later (settled before any resend). */
    public Outcome outcomeUnknown(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception e, @ExchangeProperty(ROW) CallRow row) {
        metrics.requests("eci.audio_upload", 0);
        Letters letters = new Letters();
        return new Outcome(row.externalId(), unknown(row, "upload outcome unknown (" + e.getClass().getSimpleName()
                + ": " + e.getMessage() + ")", letters), letters.letter);
    }

    private String answered(CallRow row, ApiResponse response, Letters letters) throws InterruptedException {
        if (response.ok()) {
            ledger.transition(row.provider(), row.externalId(), CallState.UPLOADING, CallState.UPLOADED,
                    "recording uploaded (" + (row.recordingBytes() == null ? "?" : row.recordingBytes()) + " bytes)",
                    Ledger.fields("claimed_by", null, "next_attempt_at", null, "settle_until", null));
            metrics.call("upload", "uploaded", "");
            return "uploaded";
        }
        if (response.status() == 403 && response.body() != null && response.body().contains("REQUEST_LIMIT_EXCEEDED")) {
            budget.limitExceeded();
            return retry(row, "the org's daily API allocation is used up (403 REQUEST_LIMIT_EXCEEDED)", Optional.empty(),
                    "limit", letters);
        }
        if (response.status() == 400 && response.body() != null
                && response.body().toLowerCase(java.util.Locale.ROOT).contains("provider is disabled")) {
            return heldWhileDisabled(row, response, letters);
        }
        if (response.retryable() || response.status() == 401 || response.status() == 403) {
            return retry(row, "upload refused: " + response.describe(), response.retryAfterDuration(),
                    String.valueOf(response.status()), letters);
        }
        dead(row, "upload refused: " + response.describe(), new DeadLetters.ApiError(response.status(),
                errorCode(response), response.body()), null, letters);
        return "dead";
    }

    /**
     * The multipart body: one part, audioFileData, the recording streamed from its source with its file name and
     * audio type; its length known when the ledger knows the recording's size (sent with Content-Length).
     */
    private SalesforceRequest.Body multipart(CallRow row, URI recording) {
        String boundary = "eci-" + UUID.randomUUID();
        String fileName = recording.getPath() == null ? "recording" : recording.getPath().replaceAll(".*/", "");
        String format = formatOf(row);
        ContentType audio = ContentType.create("audio/" + (format.equals("mp3") ? "mpeg" : format));
        long size = row.recordingBytes() == null ? -1 : row.recordingBytes();
        String contentType = "multipart/form-data; boundary=" + boundary;
        return new SalesforceRequest.Body() {
            @Override
            public HttpEntity entity() throws IOException {
                InputStream source;
                try {
                    source = recordings.open(recording);
                } catch (IOException e) {
                    throw new RecordingUnreadable(e);
                }
                return MultipartEntityBuilder.create().setMode(HttpMultipartMode.LEGACY).setBoundary(boundary)
                        .setCharset(StandardCharsets.UTF_8)
                        .addPart("audioFileData", new InputStreamBody(new SourceStream(source), audio,
                                fileName.replace("\"", ""), size))
                        .build();
            }

            @Override
            public String contentType() {
                return contentType;
            }
        };
    }

    /** The recording could not be read from its source (opening it, or part-way): not a failure of the request. */
    public static final class RecordingUnreadable extends IOException {
        private static final long serialVersionUID = 1L;

        RecordingUnreadable(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The recording's stream: a read that fails is the source's failure ({@link RecordingUnreadable}). */
    static final class SourceStream extends FilterInputStream {
        SourceStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (RecordingUnreadable e) {
                throw e;
            } catch (IOException e) {
                throw new RecordingUnreadable(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (RecordingUnreadable e) {
                throw e;
            } catch (IOException e) {
                throw new RecordingUnreadable(e);
            }
        }
    }

    /** A call that cannot be uploaded at all: dead-lettered with the reason (and its reason code). */
    public static class Unsendable extends IOException {
        private static final long serialVersionUID = 1L;
        final String reasonCode;

        Unsendable(String reason, String reasonCode) {
            super(reason);
            this.reasonCode = reasonCode;
        }
    }

    /** A recording that cannot be offered by URL (recording-url mode): the call is dead-lettered with the reason. */
    static final class NotOfferable extends Unsendable {
        private static final long serialVersionUID = 1L;

        NotOfferable(String reason) {
            super(reason, "recording-not-offerable");
        }
    }

    /**
     * Voice Call Audio Upload by URL (API 57.0+): the request parameters recordingURL (the recording below the Named
     * Credential's URL: an S3 key, or an HTTP URL's path and query) and name (the Named Credential), in the resource
     * URL, as the Connect REST API takes request parameters (Content-Type application/x-www-form-urlencoded, no body).
     */
    private String byUrl(CallRow row, URI recording) throws NotOfferable {
        Optional<String> credential = settings.upload().namedCredential().filter(n -> !n.isBlank());
        if (credential.isEmpty()) {
            throw new NotOfferable("call " + row.externalId() + ": eci.upload.mode=" + RecordingUrlMode.MODE
                    + " needs eci.upload.named-credential");
        }
        String relative = RecordingUrlMode.recordingUrl(recording)
                .orElseThrow(() -> new NotOfferable(RecordingUrlMode.notOfferable(row.externalId(), recording)));
        return row.uploadUrl() + (row.uploadUrl().contains("?") ? "&" : "?") + "recordingURL=" + param(relative)
                + "&name=" + param(credential.get());
    }

    private static String param(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }


    private static String formatOf(CallRow row) {
        String payload = row.payload() == null ? "" : row.payload();
        if (payload.contains("\"recordingFormat\":\"mp3\"")) {
            return "mp3";
        }
        return payload.contains("\"recordingFormat\":\"flac\"") ? "flac" : "wav";
    }

    /**
     * The org refused the upload because the provider was disabled at that moment: not final. The status is read
     * again; while it says disabled, the call waits in CREATED (nothing is uploaded while the provider is disabled, see
     * {@link #uploading()}) and goes when the provider is enabled again. A status that still says enabled (or cannot be
     * read) is retried with backoff like any other refusal that may pass, so nothing loops.
     */
    private String heldWhileDisabled(CallRow row, ApiResponse response, Letters letters) throws InterruptedException {
        String reason = "upload refused, the provider was disabled: " + response.describe();
        CallCoaching.Status known = callCoaching.last();
        if (known == null || known.enabled()) {
            callCoaching.invalidate(); // read once: the other uploads of this claim find it disabled already
        }
        boolean disabled;
        try {
            disabled = !callCoaching.current().enabled();
        } catch (IOException e) {
            disabled = false;
        }
        if (!disabled) {
            return retry(row, reason, Optional.empty(), "disabled", letters);
        }
        metrics.retry("upload", "disabled");
        ledger.transition(row.provider(), row.externalId(), CallState.UPLOADING, CallState.CREATED,
                reason + "; uploaded once the provider is enabled again",
                Ledger.fields("next_attempt_at", null, "claimed_by", null));
        LOG.infof("Upload of %s held: the provider is disabled; it goes once the provider is enabled again",
                row.externalId());
        return "held";
    }

    /**
     * An upload whose outcome is unknown: back to CREATED, settle_until = its start + eci.upload.settle-time; the next
     * claim asks the org for the recording before sending anything (see {@link #settle}).
     */
    private String unknown(CallRow row, String reason, Letters letters) {
        metrics.retry("upload", "unknown-outcome");
        if (row.attempts() >= settings.upload().maxAttempts()) {
            dead(row, reason + " (gave up after " + row.attempts() + " attempts)", null, null, letters);
            return "dead";
        }
        Instant until = (row.claimedAt() == null ? Instant.now() : row.claimedAt()).plus(settings.upload().settleTime());
        ledger.transition(row.provider(), row.externalId(), CallState.UPLOADING, CallState.CREATED,
                reason + "; the org is asked for the recording before it is sent again (not before " + until + ")",
                Ledger.fields("next_attempt_at", null, "claimed_by", null, "settle_until", until));
        return "unknown";
    }

    private String retry(CallRow row, String reason, Optional<Duration> retryAfter, String cause, Letters letters) {
        metrics.retry("upload", cause);
        if (row.attempts() >= settings.upload().maxAttempts() && !"limit".equals(cause)) {
            dead(row, reason + " (gave up after " + row.attempts() + " attempts)", null, null, letters);
            return "dead";
        }
        Instant next = Backoff.next(row.attempts(), settings.create().backoffBase(), settings.create().backoffMax(),
                retryAfter);
        ledger.transition(row.provider(), row.externalId(), CallState.UPLOADING, CallState.CREATED,
                reason + "; next attempt at " + next, Ledger.fields("next_attempt_at", next, "claimed_by", null));
        LOG.debugf("Upload of %s: %s", row.externalId(), reason);
        return "retry";
    }

    /** DEAD in the ledger; its dead letter made for the route to send (routes/upload-recordings.yaml). */
    private void dead(CallRow row, String reason, DeadLetters.ApiError error, String reasonCode, Letters letters) {
        String code = reasonCode != null ? reasonCode : error == null ? "upload-gave-up" : "upload-http-" + error.httpStatus();
        if (ledger.transition(row.provider(), row.externalId(), CallState.UPLOADING, CallState.DEAD, reason,
                Ledger.fields("claimed_by", null, "reason_code", code))) {
            letters.letter = deadLetters.callLetter("upload", row, reason, error);
            metrics.call("upload", "dead", reasonCode != null ? reasonCode
                    : error == null ? "gave-up" : "http-" + error.httpStatus());
        }
    }

    private String errorCode(ApiResponse r) {
        try {
            var json = mapper.readTree(r.body());
            return (json.isArray() && json.size() > 0 ? json.get(0) : json).path("errorCode").asText(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
