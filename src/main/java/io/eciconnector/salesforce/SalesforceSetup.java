package io.eciconnector.salesforce;

import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.apache.camel.CamelContext;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.SalesforceEndpointConfig;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;


/**
 * The camel-salesforce component: OAuth 2.0 (JWT bearer flow by default), the token cached in its session and
 * refreshed once on 401. Configured from {@link SalesforceSettings}; against the sandbox when no login URL is set.
 */
@ApplicationScoped
public class SalesforceSetup {

    private static final Logger LOG = Logger.getLogger(SalesforceSetup.class);

    @Inject
    SalesforceSettings settings;

    @Inject
    EmbeddedOrg sandbox;

    /** The login URL: configured, else the embedded sandbox on this application's own HTTP port. */
    public String loginUrl() {
        return settings.loginUrl().map(u -> u.replaceAll("/+$", "")).orElseGet(() -> {
            if (!sandbox.enabled()) {
                return "https://login.salesforce.com";
            }
            return sandbox.localUrl();
        });
    }

    /** For API requests: logs in on first use, so the connector starts (and reports not ready) while the org is away. */
    @Produces
    @ApplicationScoped
    @Named("salesforce")
    SalesforceComponent salesforce() {
        return configure(true);
    }

    /**
     * For the streaming consumer (platform events), which camel-salesforce only runs with an eager login: created
     * when routes/callcoaching-events.yaml is loaded, after the org has answered once (see EventSubscription).
     */
    @Produces
    @ApplicationScoped
    @Named("salesforce-events")
    SalesforceComponent salesforceEvents() {
        return configure(false);
    }

    /**
     * With the embedded sandbox the org is this application, whose HTTP server Quarkus closes before Camel stops the
     * components: their logout at stop could only fail, with a stack trace at every stop. Their sessions end here,
     * quietly (a stopped session is not logged out again). A real org, or a sandbox elsewhere, is logged out as usual.
     */
    void endEmbeddedOrgSessions(@Observes @Priority(2) ShutdownEvent event, CamelContext camel) {
        if (!sandbox.enabled() || settings.loginUrl().isPresent()) {
            return;
        }
        for (String name : List.of("salesforce", "salesforce-events")) {
            if (camel.hasComponent(name) instanceof SalesforceComponent sf && sf.getSession() != null
                    && sf.getSession().getAccessToken() != null) {
                try {
                    sf.getSession().stop();
                } catch (RuntimeException e) {
                    LOG.debugf("Session of %s ended without logout (the embedded org stops with the application): %s",
                            name, e.getMessage());
                }
            }
        }
    }

    private SalesforceComponent configure(boolean lazyLogin) {
        SalesforceComponent sf = new SalesforceComponent();
        sf.setLoginUrl(loginUrl());
        sf.setClientId(settings.clientId());
        sf.setLazyLogin(lazyLogin);
        SalesforceEndpointConfig config = new SalesforceEndpointConfig();
        config.setApiVersion(settings.apiVersion());
        sf.setConfig(config);
        switch (settings.auth()) {
            case "jwt" -> {
                sf.setAuthenticationType(AuthenticationType.JWT);
                sf.setUserName(settings.username());
                KeyStoreParameters keystore = new KeyStoreParameters();
                keystore.setType("PKCS12");
                if (settings.keystoreFile().isPresent()) {
                    keystore.setResource("file:" + settings.keystoreFile().get());
                    keystore.setPassword(Secrets.read(settings.keystorePassword(), settings.keystorePasswordFile())
                            .orElseThrow(() -> new IllegalStateException(
                                    "eci.salesforce.keystore-password or keystore-password-file is required")));
                } else if (sandbox.enabled()) {
                    keystore.setResource("file:" + sandbox.keystore());
                    keystore.setPassword(sandbox.keystorePassword());
                } else {
                    throw new IllegalStateException("eci.salesforce.keystore-file is required for the JWT flow");
                }
                sf.setKeystore(keystore);
            }
            case "client-credentials" -> {
                sf.setAuthenticationType(AuthenticationType.CLIENT_CREDENTIALS);
                sf.setClientSecret(secret());
            }
            case "password" -> {
                sf.setAuthenticationType(AuthenticationType.USERNAME_PASSWORD);
                sf.setUserName(settings.username());
                sf.setClientSecret(secret());
                sf.setPassword(Secrets.read(settings.password(), settings.passwordFile())
                        .orElseThrow(() -> new IllegalStateException("eci.salesforce.password or password-file is required")));
            }
            default -> throw new IllegalStateException("eci.salesforce.auth must be jwt, client-credentials or password");
        }
        LOG.infof("Salesforce: %s flow at %s as %s, API v%s", settings.auth(), loginUrl(),
                io.eciconnector.security.LogText.maskEmail(settings.username()),
                settings.apiVersion());
        return sf;
    }

    private String secret() {
        return Secrets.read(settings.clientSecret(), settings.clientSecretFile())
                .orElseThrow(() -> new IllegalStateException("eci.salesforce.client-secret or client-secret-file is required"));
    }
}
