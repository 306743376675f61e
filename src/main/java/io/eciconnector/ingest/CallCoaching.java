package io.eciconnector.ingest;

import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.ledger.Ledger;
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

    /** users: 15-character user id to e-mail; firstEnabledAt: when uploads were first enabled (backfill). */
    public record Status(boolean enabled, Map<String, String> users, Map<String, String> idsByEmail,
            Map<String, String> fullIds, Instant readAt, Instant firstEnabledAt) {

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

    @Inject
    Ledger ledger;

    @Inject
    Event<CoachingChange> changes;

    @Inject
    EventSubscription subscription;

    /** What changed between two readings of the status. */
    public record CoachingChange(Status before, Status after) {
    }

    /** Set by a reading of the org (or the ledger's copy after a restart); never set back to null. */
    private final AtomicReference<Status> status = new AtomicReference<>();
    private volatile boolean stale = true;

    /** The status, read again when stale. Throws when it has never been read and cannot be now. */
    public Status current() throws IOException, InterruptedException {
        Status s = status.get();
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
        return status.get();
    }

    /** The last status read, without a request (after a restart: the one kept in the ledger); null before any. */
    public Status last() {
        if (status.get() == null) {
            try {
                // only where nothing is known yet: a reading of the org that came meanwhile is newer than the copy
                stored().ifPresent(kept -> status.compareAndSet(null, kept));
            } catch (IOException | InterruptedException | RuntimeException e) {
                LOG.debugf("No stored call-coaching status: %s", e.getMessage());
            }
        }
        return status.get();
    }

    Optional<Status> stored() throws IOException, InterruptedException {
        Optional<Ledger.CoachingState> kept = ledger.coachingState(provider.providerId());
        if (kept.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(parse(mapper.readTree(kept.get().usersJson()), kept.get().enabled(), kept.get().readAt(),
                kept.get().firstEnabledAt()));
    }

    /** Reads the status now. */
    public synchronized Status refresh() throws IOException, InterruptedException {
        String providerId = provider.providerId();
        ApiResponse r = api.get(api.connectBase() + "/callcoaching/" + providerId);
        if (!r.ok()) {
            throw new IOException("GET callcoaching answered " + r.describe());
        }
        CoachingChange read = accept(providerId, mapper.readTree(r.body()));
        Status now = read.after();
        if (read.before() == null || read.before().enabled() != now.enabled() || !read.before().users().equals(now.users())) {
            LOG.infof("Call coaching: %s, %d active users", now.enabled() ? "enabled" : "DISABLED (nothing is uploaded)",
                    now.users().size());
            changes.fire(read);
        }
        subscription.orgAnswered();
        return now;
    }

    /** Takes a status just read from the org: kept (here and in the ledger) with when uploads were first enabled. */
    CoachingChange accept(String providerId, JsonNode json) throws IOException {
        Status previous = last();
        Instant firstEnabled = previous == null ? null : previous.firstEnabledAt();
        boolean enabled = json.path("enabled").asBoolean(false);
        if (enabled && firstEnabled == null) {
            firstEnabled = Instant.now();
        }
        Status now = parse(json.path("users"), enabled, Instant.now(), firstEnabled);
        status.set(now);
        stale = false;
        ledger.saveCoachingState(providerId, new Ledger.CoachingState(now.enabled(),
                mapper.writeValueAsString(json.path("users")), now.firstEnabledAt(), now.readAt()));
        return new CoachingChange(previous, now);
    }

    private static Status parse(JsonNode list, boolean enabled, Instant readAt, Instant firstEnabledAt) {
        Map<String, String> users = new TreeMap<>();
        Map<String, String> byEmail = new TreeMap<>();
        Map<String, String> fullIds = new TreeMap<>();
        for (JsonNode u : list) {
            String id = u.path("userId").asText();
            String email = u.path("userEmail").asText("");
            users.put(SalesforceIds.to15(id), email);
            fullIds.put(SalesforceIds.to15(id), id);
            if (!email.isEmpty()) {
                byEmail.put(email.toLowerCase(Locale.ROOT), id);
            }
        }
        return new Status(enabled, users, byEmail, fullIds, readAt, firstEnabledAt);
    }

    /** Makes the next {@link #current()} read the status again (a rejected call hinted that it changed). */
    public void invalidate() {
        stale = true;
    }
}
