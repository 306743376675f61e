package io.eciconnector.signals;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.eciconnector.security.SecretToken;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Who may POST records to the HTTP source (routes/signals-http.yaml): a shared token, as EventBridge API destinations
 * send it ({@code Authorization: Bearer <token>} or an API-key header, {@code x-api-key} by default), read from
 * {@code eci.signals.http.token-file} (a mounted Secret, read again when it changes) or {@code eci.signals.http.token}.
 * Without a token the endpoint is open only while the sandbox is on: with the sandbox off and the HTTP source on
 * ({@code eci.signals.http.enabled}, default true), a start without a token stops with that reason.
 */
@ApplicationScoped
@Named("signalWebhook")
@RegisterForReflection
public class SignalWebhook {

    private static final Logger LOG = Logger.getLogger(SignalWebhook.class);

    @ConfigProperty(name = "eci.signals.http.token")
    Optional<String> token;

    @ConfigProperty(name = "eci.signals.http.token-file")
    Optional<String> tokenFile;

    @ConfigProperty(name = "eci.signals.http.api-key-header", defaultValue = "x-api-key")
    String apiKeyHeader;

    @ConfigProperty(name = "eci.signals.http.enabled", defaultValue = "true")
    boolean enabled;

    /** The sandbox's switch, read as configuration: the product does not reach into the sandbox's classes. */
    @ConfigProperty(name = "eci.sandbox.enabled", defaultValue = "true")
    boolean sandboxEnabled;

    private volatile SecretToken expected;
    private volatile boolean warned;

    /** A webhook without a token outside the sandbox would take records from anyone: the start stops instead. */
    void check(@Observes StartupEvent start) {
        String problem = configurationProblem(enabled, sandboxEnabled, expected().current() != null);
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    /** Why the HTTP source cannot start so; null when it can. */
    public static String configurationProblem(boolean webhookEnabled, boolean sandboxEnabled, boolean tokenConfigured) {
        if (webhookEnabled && !sandboxEnabled && !tokenConfigured) {
            return "the HTTP signal source (eci.signals.http.enabled=true, POST /signals/contact-lens) needs its token "
                    + "outside the sandbox: set eci.signals.http.token-file to a file holding it (a mounted Secret), "
                    + "or switch the source off with eci.signals.http.enabled=false";
        }
        return null;
    }

    /** True when the request must be answered 401. */
    public boolean refused(Exchange exchange) {
        SecretToken want = expected();
        if (want.current() == null) {
            if (sandboxEnabled) {
                if (!warned) {
                    warned = true;
                    LOG.warn("POST /signals/contact-lens is open (sandbox mode, no eci.signals.http.token-file)");
                }
                return false;
            }
            return true;
        }
        String auth = exchange.getMessage().getHeader("Authorization", String.class);
        String given = auth != null && auth.startsWith("Bearer ") ? auth.substring(7)
                : exchange.getMessage().getHeader(apiKeyHeader, String.class);
        return !want.matches(given);
    }

    private SecretToken expected() {
        SecretToken t = expected;
        if (t == null) {
            t = new SecretToken("signal webhook token", token, tokenFile);
            expected = t;
        }
        return t;
    }
}
