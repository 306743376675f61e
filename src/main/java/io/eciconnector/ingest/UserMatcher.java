package io.eciconnector.ingest;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.model.CanonicalCall;
import io.eciconnector.salesforce.SalesforceApi;
import io.eciconnector.vendor.PhoneNumbers;

/**
 * Matches a call to a Salesforce user by the Voice Connector's rules: the vendor's user id in a per-vendor User field;
 * else the vendor's user e-mail to User.Email; else the rep's phone number to User.Phone. Amazon Connect: the agent's
 * username in the configured User field, then as User.Email, then the phone. Several matches: the user modified most
 * recently. The active users are read once per call-coaching refresh (one query), never per call; a call that matches
 * nobody makes them be read again at most once per eci.users.reread-on-miss (a user just added in Salesforce).
 */
@ApplicationScoped
public class UserMatcher {

    private static final Logger LOG = Logger.getLogger(UserMatcher.class);

    /**
     * An active user as read from the org. {@code e164} is the Phone as {@link PhoneNumbers#e164} gives it and
     * {@code phoneIsNumber} whether libphonenumber reads it as a phone number, both worked out once when the directory
     * is read: every call is compared with every user's Phone (an internal call, a rep matched by number), and parsing
     * each of them again for each call made the intake's cost grow with the size of the org.
     */
    record User(String id, String email, String phone, String username, JsonNode record, Instant lastModified,
            String e164, boolean phoneIsNumber) {

        User(String id, String email, String phone, String username, JsonNode record, Instant lastModified,
                String region) {
            this(id, email, phone, username, record, lastModified, PhoneNumbers.e164(phone, region),
                    PhoneNumbers.isPhoneNumber(phone, region));
        }
    }

    @Inject
    UserSettings settings;

    @Inject
    CallCoachingSettings refresh;

    @Inject
    SalesforceApi api;

    @Inject
    ObjectMapper mapper;

    @ConfigProperty(name = "eci.phone.default-region", defaultValue = "US")
    String region;

    private volatile List<User> users;
    private volatile Instant readAt = Instant.EPOCH;

    /** The call with its userId filled when it had none and a user matches; the call unchanged otherwise. */
    public CanonicalCall match(CanonicalCall call) throws IOException, InterruptedException {
        if (call.userId() != null) {
            return call;
        }
        Optional<String> id = find(call);
        return id.map(u -> withUser(call, u)).orElse(call);
    }

    Optional<String> find(CanonicalCall c) throws IOException, InterruptedException {
        Optional<String> found = find(c, users());
        if (found.isEmpty() && rereadAllowed()) {
            // a user added in Salesforce since the last read: read the directory again (rate-limited)
            List<User> again = reread();
            if (again != null) {
                found = find(c, again);
                LOG.infof("No user matched call %s: user directory read again (%d active users): %s", c.externalId(),
                        again.size(), found.isPresent() ? "matched now" : "still no match");
            }
        }
        return found;
    }

    private boolean rereadAllowed() {
        Duration every = settings.rereadOnMiss();
        return !every.isZero() && !every.isNegative() && readAt.plus(every).isBefore(Instant.now());
    }

    /** Reads the users again unless another thread just did; answers the new list, or null when not read. */
    private synchronized List<User> reread() throws IOException, InterruptedException {
        if (!rereadAllowed()) {
            return null;
        }
        users = read();
        readAt = Instant.now();
        return users;
    }

    private Optional<String> find(CanonicalCall c, List<User> all) {
        String field = settings.matchField().get(c.vendor());
        List<Predicate<User>> rules = new ArrayList<>();
        if (field != null && c.vendorUserId() != null) {
            rules.add(u -> c.vendorUserId().equals(u.record().path(field).asText(null)));
        }
        if (field != null && c.agentUsername() != null) {
            rules.add(u -> c.agentUsername().equalsIgnoreCase(u.record().path(field).asText("")));
        }
        if (c.userEmail() != null) {
            rules.add(u -> c.userEmail().equalsIgnoreCase(u.email()));
        }
        if (c.agentUsername() != null) {
            rules.add(u -> c.agentUsername().equalsIgnoreCase(u.email()));
        }
        String internal = PhoneNumbers.e164(c.internalNumber(), region);
        if (internal != null) {
            rules.add(u -> internal.equals(u.e164()));
        }
        for (Predicate<User> rule : rules) {
            Optional<User> best = all.stream().filter(rule)
                    .max(Comparator.comparing(User::lastModified, Comparator.nullsFirst(Comparator.naturalOrder())));
            if (best.isPresent()) {
                return Optional.of(best.get().id());
            }
        }
        return Optional.empty();
    }

    /**
     * The agent of a streamed contact by the vendor's user id or username (the configured User field, then as e-mail),
     * as {@link #match} does for a call record.
     */
    public Optional<String> agent(String vendor, String vendorUserId, String username)
            throws IOException, InterruptedException {
        if (vendorUserId == null && username == null) {
            return Optional.empty();
        }
        return find(io.eciconnector.model.CanonicalCall.builder(vendor).externalId("agent-lookup")
                .vendorUserId(vendorUserId).agentUsername(username).build());
    }

    private List<User> users() throws IOException, InterruptedException {
        if (users == null || readAt.plus(refresh.refreshInterval()).isBefore(Instant.now())) {
            synchronized (this) {
                if (users == null || readAt.plus(refresh.refreshInterval()).isBefore(Instant.now())) {
                    users = read();
                    readAt = Instant.now();
                }
            }
        }
        return users;
    }

    /** Makes the next match read the users again. */
    public void invalidate() {
        readAt = Instant.EPOCH;
    }

    private List<User> read() throws IOException, InterruptedException {
        Set<String> fields = new LinkedHashSet<>(List.of("Id", "Email", "Phone", "Username", "LastModifiedDate"));
        fields.addAll(settings.matchField().values());
        List<JsonNode> records;
        try {
            // every page: a user on the second page (orgs with more than 2,000 active users) is matched too
            records = api.queryAll("SELECT " + String.join(", ", fields) + " FROM User WHERE IsActive = true");
        } catch (SalesforceApi.QueryException e) {
            throw new IOException("cannot read the org's users: " + e.getMessage(), e);
        }
        List<User> out = new ArrayList<>();
        for (JsonNode u : records) {
            Instant modified = null;
            try {
                modified = u.hasNonNull("LastModifiedDate")
                        ? java.time.OffsetDateTime.parse(u.get("LastModifiedDate").asText().replace("+0000", "Z")).toInstant()
                        : null;
            } catch (java.time.format.DateTimeParseException e) {
                // unordered then
            }
            out.add(new User(u.path("Id").asText(), u.path("Email").asText(null), u.path("Phone").asText(null),
                    u.path("Username").asText(null), u, modified, region));
        }
        LOG.debugf("User directory: %d active users", out.size());
        return out;
    }

    private static CanonicalCall withUser(CanonicalCall c, String userId) {
        return c.withUserId(userId);
    }

    /** The org's active users as this matcher read them (every page), for the participant checks. */
    List<User> directory() throws IOException, InterruptedException {
        return users();
    }

}
