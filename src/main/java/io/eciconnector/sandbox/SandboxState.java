package io.eciconnector.sandbox;

import io.eciconnector.salesforce.SalesforceIds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Everything the sandbox org holds. Thread-safe; reset by {@link #reset()}. */
public class SandboxState {

    public record Provider(String id, String name, String description, boolean active, Instant created) {
    }

    public static final class User {
        public final String id;
        public volatile String email;
        public volatile String phone;
        public volatile String username;
        public final Map<String, String> fields = new ConcurrentHashMap<>();
        public volatile boolean active;
        public volatile boolean callCoaching;
        public volatile boolean featurePermission;
        public volatile String lastModified;

        public User(String id) {
            this.id = id;
        }
    }

    public static final class Recording {
        public volatile String status = "NONE";
        public volatile long bytes;
        public volatile String sha256;
        /** The recording's length in seconds as its header and size tell it (null: not told). */
        public volatile Double seconds;
        public volatile String source;
        public volatile String fileName;
        public volatile String contentType;
        public volatile String recordingUrl;
        public volatile String namedCredential;
        public volatile String error;
        public final AtomicLong uploads = new AtomicLong();
    }

    public static final class VoiceCall {
        public final String id;
        public final String vendorCallKey;
        public final ObjectNode fields;
        public final Instant created;
        public final Recording recording = new Recording();

        VoiceCall(String id, String vendorCallKey, ObjectNode fields, Instant created) {
            this.id = id;
            this.vendorCallKey = vendorCallKey;
            this.fields = fields;
            this.created = created;
        }
    }

    public static final class TelephonyCall {
        public final String vendorCallKey;
        public volatile boolean ended;
        /** Post-call events were accepted: the conversation is closed to realtime events and messages. */
        public volatile boolean closed;
        public final List<Map<String, Object>> received = new ArrayList<>();
        public final Set<String> messageIds = new HashSet<>();

        TelephonyCall(String vendorCallKey) {
            this.vendorCallKey = vendorCallKey;
        }
    }

    /** Salesforce's datetime form in API answers: 2026-11-21T06:58:37.464+0000. */
    static final java.time.format.DateTimeFormatter SF_DATE = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx").withZone(java.time.ZoneOffset.UTC);

    public static String sfDate(Instant t) {
        return t == null ? null : SF_DATE.format(t);
    }

    private final SandboxConfig config;
    private final SalesforceIds ids = new SalesforceIds("Sbx");
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Map<String, Instant> usedJtis = new ConcurrentHashMap<>();
    private final Map<String, Provider> providers = new LinkedHashMap<>();
    private final Map<String, User> users = new LinkedHashMap<>();
    private final Map<String, VoiceCall> voiceCalls = new LinkedHashMap<>();
    private final Map<String, TelephonyCall> telephony = new LinkedHashMap<>();
    private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    private final AtomicBoolean callCoachingEnabled = new AtomicBoolean();
    private final AtomicLong apiUsed = new AtomicLong();
    private final AtomicLong apiMax = new AtomicLong();
    private final AtomicBoolean permissionSet = new AtomicBoolean();
    /** Open query cursors (the rest of a SOQL answer), by query locator; the oldest closed past MAX_CURSORS. */
    private final Map<String, List<Map<String, Object>>> cursors = new LinkedHashMap<>();
    static final int MAX_CURSORS = 50;

    public SandboxState(SandboxConfig config) {
        this.config = config;
        reset();
    }

    public SandboxConfig config() {
        return config;
    }

    public SalesforceIds ids() {
        return ids;
    }

    /** Back to the configured org: no tokens, records, calls, counters or faults; configured users and switches. */
    public synchronized void reset() {
        tokens.clear();
        usedJtis.clear();
        cursors.clear();
        providers.clear();
        voiceCalls.clear();
        telephony.clear();
        requests.clear();
        users.clear();
        for (SandboxConfig.User u : config.users()) {
            User user = new User(u.id());
            user.email = u.email();
            user.phone = u.phone().orElse(null);
            user.username = u.username().orElse(u.email());
            user.fields.putAll(u.fields());
            user.active = u.active();
            user.callCoaching = u.callCoaching();
            user.featurePermission = u.featurePermission();
            user.lastModified = u.lastModified();
            users.put(SalesforceIds.to15(user.id), user);
        }
        config.telephony().knownCalls().ifPresent(keys -> keys.forEach(this::registerTelephonyCall));
        callCoachingEnabled.set(config.callCoachingEnabled());
        permissionSet.set(config.integrationPermissionSet());
        apiUsed.set(0);
        apiMax.set(config.dailyApiLimit());
    }

    // ---- OAuth ----

    /** The clock of token lifetimes (tests move it instead of waiting a lifetime out). */
    private volatile java.time.Clock tokenClock = java.time.Clock.systemUTC();

    void tokenClock(java.time.Clock clock) {
        this.tokenClock = clock;
    }

    public String issueToken() {
        String token = config.orgId().substring(0, 15) + "!" + java.util.UUID.randomUUID().toString().replace("-", "");
        tokens.put(token, tokenClock.instant().plus(config.tokenTtl()));
        return token;
    }

    public boolean tokenValid(String token) {
        Instant expiry = token == null ? null : tokens.get(token);
        return expiry != null && tokenClock.instant().isBefore(expiry);
    }

    public void revokeToken(String token) {
        tokens.remove(token);
    }

    /** Expires every issued token: the next API call gets 401 INVALID_SESSION_ID. */
    public void expireAllTokens() {
        tokens.replaceAll((t, e) -> Instant.EPOCH);
    }

    /** Records a telephony JWT id; false when it was seen before (a replay). */
    public boolean useJti(String jti, Instant expiry) {
        Instant now = Instant.now();
        usedJtis.values().removeIf(e -> e.isBefore(now));
        return usedJtis.putIfAbsent(jti, expiry) == null;
    }

    // ---- API usage ----

    public String countRequest(String endpoint, boolean apiCall) {
        requests.computeIfAbsent(endpoint, k -> new AtomicLong()).incrementAndGet();
        long used = apiCall ? apiUsed.incrementAndGet() : apiUsed.get();
        return "api-usage=" + used + "/" + apiMax.get();
    }

    public String limitInfo() {
        return "api-usage=" + apiUsed.get() + "/" + apiMax.get();
    }

    public void setApiUsage(long used, long max) {
        apiUsed.set(used);
        apiMax.set(max);
    }

    public long apiUsed() {
        return apiUsed.get();
    }

    public long apiMax() {
        return apiMax.get();
    }

    public Map<String, Long> requestCounts() {
        Map<String, Long> counts = new TreeMap<>();
        requests.forEach((k, v) -> counts.put(k, v.get()));
        return counts;
    }

    // ---- org switches ----

    public boolean permissionSet() {
        return permissionSet.get();
    }

    public void setPermissionSet(boolean value) {
        permissionSet.set(value);
    }

    public boolean callCoachingEnabled() {
        return callCoachingEnabled.get();
    }

    public void setCallCoachingEnabled(boolean enabled) {
        callCoachingEnabled.set(enabled);
    }

    // ---- providers ----

    public synchronized Provider createProvider(String name, String description, boolean active) {
        String id = ids.next("0hn");
        Provider p = new Provider(id, name, description, active || config.autoActivateProviders(), Instant.now());
        providers.put(SalesforceIds.to15(id), p);
        return p;
    }

    public synchronized Optional<Provider> provider(String id) {
        return Optional.ofNullable(id == null ? null : providers.get(SalesforceIds.to15(id)));
    }

    public synchronized Collection<Provider> providers() {
        return List.copyOf(providers.values());
    }

    public synchronized Optional<Provider> setProviderActive(String id, boolean active) {
        return provider(id).map(p -> {
            Provider updated = new Provider(p.id(), p.name(), p.description(), active, p.created());
            providers.put(SalesforceIds.to15(p.id()), updated);
            return updated;
        });
    }

    /** Whether calls may be uploaded for this provider: the org feature on and the provider record active. */
    public synchronized boolean providerEnabled(String id) {
        return callCoachingEnabled.get() && provider(id).map(Provider::active).orElse(false);
    }

    // ---- users ----

    public synchronized Optional<User> user(String id) {
        return Optional.ofNullable(id == null ? null : users.get(SalesforceIds.to15(id)));
    }

    public synchronized Optional<User> activeUserByEmail(String email) {
        return users.values().stream().filter(u -> u.active && u.email != null && u.email.equalsIgnoreCase(email))
                .findFirst();
    }

    public synchronized List<User> users() {
        return List.copyOf(users.values());
    }

    public synchronized User upsertUser(String id) {
        return users.computeIfAbsent(SalesforceIds.to15(id), k -> {
            User u = new User(id);
            u.active = true;
            u.featurePermission = true;
            u.lastModified = Instant.now().toString();
            return u;
        });
    }

    // ---- voice calls ----

    public synchronized VoiceCall createVoiceCall(String vendorCallKey, ObjectNode fields) {
        String id = ids.next("0LQ");
        VoiceCall call = new VoiceCall(id, vendorCallKey, fields, Instant.now());
        voiceCalls.put(SalesforceIds.to15(id), call);
        if (config.telephony().knowEciCalls()) {
            registerTelephonyCall(vendorCallKey);
        }
        return call;
    }

    public synchronized Optional<VoiceCall> voiceCall(String id) {
        return Optional.ofNullable(id == null || id.length() < 15 ? null : voiceCalls.get(SalesforceIds.to15(id)));
    }

    public synchronized List<VoiceCall> voiceCalls() {
        return List.copyOf(voiceCalls.values());
    }

    // ---- query cursors ----

    /** Keeps the records of an answer for its later pages; answers the query locator (01g...). */
    public synchronized String openCursor(List<Map<String, Object>> records) {
        String locator = ids.next("01g");
        cursors.put(locator, records);
        while (cursors.size() > MAX_CURSORS) {
            cursors.remove(cursors.keySet().iterator().next());
        }
        return locator;
    }

    /** The records of an open cursor; empty when it is unknown, was closed, or was dropped as the oldest. */
    public synchronized Optional<List<Map<String, Object>>> cursor(String locator) {
        return Optional.ofNullable(cursors.get(locator));
    }

    public synchronized void closeCursor(String locator) {
        cursors.remove(locator);
    }

    // ---- telephony ----

    public synchronized TelephonyCall registerTelephonyCall(String vendorCallKey) {
        return telephony.computeIfAbsent(vendorCallKey, TelephonyCall::new);
    }

    public synchronized Optional<TelephonyCall> telephonyCall(String vendorCallKey) {
        return Optional.ofNullable(telephony.get(vendorCallKey));
    }

    public synchronized Map<String, TelephonyCall> telephonyCalls() {
        return new LinkedHashMap<>(telephony);
    }
}
