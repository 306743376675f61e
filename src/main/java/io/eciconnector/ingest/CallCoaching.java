package io.eciconnector.ingest;

import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.salesforce.ApiResponse;
import io.eciconnector.salesforce.SalesforceApi;
import io.eciconnector.salesforce.SalesforceIds;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The org's call-coaching status for this provider (GET callcoaching/{providerId}): whether uploads are enabled and
 * which users are active call-coaching users. Read again when older than eci.callcoaching.refresh-interval, or at
 * once after {@link #invalidate()}.
 */
@ApplicationScoped
@Named("callCoaching")
@RegisterForReflection
public class CallCoaching {

    private static final Logger LOG = Logger.getLogger(CallCoaching.class);

    /** users: 15-character user id to e-mail. */
    public record Status(boolean enabled, Map<String, String> users, Map<String, String> idsByEmail,
            Map<String, String> fullIds, Instant readAt) {

        /** The 18-character id of the active call-coaching user given by id or e-mail, if any. */
        public Optional<String> activeUser(String userId, String email) {
            if (userId != null && users.containsKey(SalesforceIds.to15(userId))) {
                return Optional.of(fullIds.get(SalesforceIds.to15(userId)));
            }
            if (email != null) {
                return Optional.ofNullable(idsByEmail.get(email.trim().toLowerCase(Locale.ROOT)));
            }
            return Optional.empty();
        }
    }

    @Inject
    ProviderRegistry provider;

    @Inject
    SalesforceApi api;

    @Inject
    ObjectMapper mapper;

    @Inject
    IngestSettings settings;

    private volatile Status status;
    private volatile boolean stale = true;

    /** The status, read again when stale. Throws when it has never been read and cannot be now. */
    public Status current() throws IOException, InterruptedException {
        Status s = status;
        if (s == null || stale || s.readAt().plus(settings.callcoaching().refreshInterval()).isBefore(Instant.now())) {
            try {
                return refresh();
            } catch (IOException e) {
                if (s == null) {
                    throw e;
                }
                LOG.warnf("Call-coaching status not refreshed (%s); keeping the one read at %s", e.getMessage(), s.readAt());
            }
        }
        return status;
    }

    /** The last status read, without a request; null before the first read. */
    public Status last() {
        return status;
    }

    /** Reads the status now. */
    public synchronized Status refresh() throws IOException, InterruptedException {
        ApiResponse r = api.get(api.connectBase() + "/callcoaching/" + provider.providerId());
        if (!r.ok()) {
            throw new IOException("GET callcoaching answered " + r.describe());
        }
        JsonNode json = mapper.readTree(r.body());
        Map<String, String> users = new TreeMap<>();
        Map<String, String> byEmail = new TreeMap<>();
        Map<String, String> fullIds = new TreeMap<>();
        for (JsonNode u : json.path("users")) {
            String id = u.path("userId").asText();
            String email = u.path("userEmail").asText("");
            users.put(SalesforceIds.to15(id), email);
            fullIds.put(SalesforceIds.to15(id), id);
            if (!email.isEmpty()) {
                byEmail.put(email.toLowerCase(Locale.ROOT), id);
            }
        }
        Status previous = status;
        status = new Status(json.path("enabled").asBoolean(false), users, byEmail, fullIds, Instant.now());
        stale = false;
        if (previous == null || previous.enabled() != status.enabled() || !previous.users().equals(users)) {
            LOG.infof("Call coaching: %s, %d active users", status.enabled() ? "enabled" : "DISABLED (nothing is uploaded)",
                    users.size());
        }
        return status;
    }

    /** Makes the next {@link #current()} read the status again (a rejected call hinted that it changed). */
    public void invalidate() {
        stale = true;
    }
}
