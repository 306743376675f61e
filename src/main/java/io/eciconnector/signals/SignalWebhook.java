package io.eciconnector.signals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.eciconnector.salesforce.Secrets;
import io.eciconnector.sandbox.Sandbox;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Who may POST records to the HTTP source (routes/signals-http.yaml): a shared token, as EventBridge API destinations
 * send it ({@code Authorization: Bearer <token>} or an API-key header, {@code x-api-key} by default), read from
 * {@code eci.signals.http.token-file} (a mounted Secret) or {@code eci.signals.http.token}. Without a token the
 * endpoint is open only while the sandbox is on.
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

    @Inject
    Sandbox sandbox;

    private volatile byte[] expected;
    private volatile boolean warned;

    /** True when the request must be answered 401. */
    public boolean refused(Exchange exchange) {
        byte[] want = expected();
        if (want == null) {
            if (sandbox.enabled()) {
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
        return given == null || !MessageDigest.isEqual(want, given.trim().getBytes(StandardCharsets.UTF_8));
    }

    private byte[] expected() {
        if (expected == null) {
            expected = Secrets.read(token, tokenFile).map(t -> t.trim().getBytes(StandardCharsets.UTF_8)).orElse(null);
        }
        return expected;
    }
}
