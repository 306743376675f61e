package io.eciconnector.sandbox;

import java.nio.file.Path;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** The embedded Salesforce sandbox: its org state, injected faults and the key pairs it made at start. */
@ApplicationScoped
public class Sandbox implements io.eciconnector.salesforce.EmbeddedOrg {

    private static final Logger LOG = Logger.getLogger(Sandbox.class);

    @Inject
    SandboxConfig config;

    @ConfigProperty(name = "eci.sandbox.keystore-password", defaultValue = "sandbox-keystore")
    String keystorePassword;

    private SandboxState state;
    private final Faults faults = new Faults();
    private SandboxKeys keys;

    @PostConstruct
    void init() {
        state = new SandboxState(config);
        if (config.enabled()) {
            keys = new SandboxKeys(Path.of(config.workDir()), keystorePassword,
                    config.telephony().publicKeyFile().orElse(null));
            LOG.warnf("**************************************************************************");
            LOG.warnf("*  SANDBOX MODE: talking to the embedded Salesforce sandbox, not a real org *");
            LOG.warnf("*  (eci.sandbox.enabled=true). Key pairs made in %s", Path.of(config.workDir()).toAbsolutePath());
            LOG.warnf("**************************************************************************");
        }
    }

    @Override
    public String orgId() {
        return config.orgId();
    }

    @Override
    public String callCenterApiName() {
        return config.telephony().callCenterApiName();
    }

    @Override
    public Path telephonyPrivateKey() {
        return keys().telephonyPrivateKey();
    }

    @Override
    public Path keystore() {
        return keys().keystore();
    }

    @Override
    public String keystorePassword() {
        return keys().keystorePassword();
    }

    @Override
    public void registerTelephonyCall(String vendorCallKey) {
        state().registerTelephonyCall(vendorCallKey);
    }

    @Override
    public boolean enabled() {
        return config.enabled();
    }

    /**
     * This application's own address, where the sandbox answers. With a random port (tests) the port is known only
     * once the HTTP server listens, which a poller started early can precede: then this waits for it (at most 60 s)
     * rather than hand out port 0.
     */
    @Override
    public String localUrl() {
        String key = io.quarkus.runtime.LaunchMode.current() == io.quarkus.runtime.LaunchMode.TEST
                ? "quarkus.http.test-port" : "quarkus.http.port";
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            int port = org.eclipse.microprofile.config.ConfigProvider.getConfig().getOptionalValue(key, Integer.class)
                    .orElse(8080);
            if (port > 0) {
                return "http://localhost:" + port;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the HTTP server's port is still unknown (" + key + "=0)");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the HTTP server's port");
            }
        }
    }

    public SandboxConfig config() {
        return config;
    }

    public SandboxState state() {
        return state;
    }

    public Faults faults() {
        return faults;
    }

    /** The key pairs made at start; null when the sandbox is off. */
    public SandboxKeys keys() {
        return keys;
    }

    public void reset() {
        state.reset();
        faults.clear();
        if (bayeux != null) {
            bayeux.reset();
        }
    }

    private Bayeux bayeux;

    synchronized Bayeux bayeux(com.fasterxml.jackson.databind.ObjectMapper mapper, io.vertx.core.Vertx vertx) {
        if (bayeux == null) {
            bayeux = new Bayeux(mapper, vertx);
        }
        return bayeux;
    }

    /**
     * Publishes the configuration-change platform event on both spellings' channels: CallCoachConfigModifyEvent
     * (the object reference) and CallCoachConfigModEvent (the seed).
     */
    public void publishConfigChange(String changeType) {
        if (bayeux == null) {
            return;
        }
        java.util.Map<String, Object> payload = new java.util.LinkedHashMap<>();
        payload.put("ChangeType", changeType);
        payload.put("OrganizationId", config.orgId());
        payload.put("EventUuid", java.util.UUID.randomUUID().toString());
        payload.put("CreatedDate", SandboxState.sfDate(java.time.Instant.now()));
        bayeux.publish("/event/CallCoachConfigModifyEvent", payload);
        bayeux.publish("/event/CallCoachConfigModEvent", payload);
    }
}
