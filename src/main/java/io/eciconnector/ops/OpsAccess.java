package io.eciconnector.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.eciconnector.security.OwnerOnly;
import io.eciconnector.security.SecretToken;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Who may use the Camel console and Jolokia on the management interface: whoever presents the operations token,
 * as {@code Authorization: Bearer <token>} or as the password of HTTP basic auth (user {@link #USER}, for Hawtio).
 * <p>
 * The token comes from {@code eci.ops.token} (environment {@code ECI_OPS_TOKEN}) or the file named by
 * {@code eci.ops.token-file} (a mounted Secret). With neither, a random token is made at start and written, readable by
 * the owner only, to {@code eci.ops.generated-token-file} ({@code data/ops/token}); its path is logged, never the
 * token.
 * <p>
 * The operations API on the HTTP port (routes/operations-api.yaml) asks the same: a change ({@code POST}) needs the
 * operations token; a read ({@code GET}) the operations token or the read token ({@code eci.ops.read-token-file},
 * {@code eci.ops.read-token}: for dashboards and support staff who may look but not replay). Token files are read
 * again when they change (a rotated Kubernetes Secret works without a restart).
 */
@ApplicationScoped
@Named("opsAccess")
public class OpsAccess {

    private static final Logger LOG = Logger.getLogger(OpsAccess.class);
    public static final String USER = "eci-ops";

    @ConfigProperty(name = "eci.ops.token")
    Optional<String> tokenValue;

    @ConfigProperty(name = "eci.ops.token-file")
    Optional<String> tokenFile;

    @ConfigProperty(name = "eci.ops.generated-token-file", defaultValue = "data/ops/token")
    String generatedTokenFile;

    @ConfigProperty(name = "eci.ops.read-token")
    Optional<String> readTokenValue;

    @ConfigProperty(name = "eci.ops.read-token-file")
    Optional<String> readTokenFile;

    private volatile SecretToken token;
    private volatile SecretToken readToken;

    /** The token as it is now. */
    public String token() {
        return operations().text().orElseThrow(() -> new IllegalStateException("the operations token file is empty"));
    }

    private SecretToken operations() {
        SecretToken t = token;
        if (t == null) {
            synchronized (this) {
                if (token == null) {
                    token = resolve();
                }
                t = token;
            }
        }
        return t;
    }

    private SecretToken reader() {
        SecretToken t = readToken;
        if (t == null) {
            t = new SecretToken("read token", readTokenValue, readTokenFile);
            readToken = t;
        }
        return t;
    }

    private SecretToken resolve() {
        SecretToken configured = new SecretToken("operations token", tokenValue, tokenFile);
        if (configured.configured()) {
            if (configured.current() == null) {
                throw new IllegalStateException("eci.ops.token-file names " + tokenFile.orElse("")
                        + ", which is missing or empty: the operations token is required there");
            }
            LOG.infof("Console, Jolokia and operations API: token from %s", tokenValue.filter(v -> !v.isBlank())
                    .isPresent() ? "eci.ops.token" : "eci.ops.token-file");
            return configured;
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path file = Path.of(generatedTokenFile).toAbsolutePath();
        try {
            OwnerOnly.directory(file.getParent());
            Files.deleteIfExists(file);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            }
            Files.writeString(file, generated, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the generated console token to " + file, e);
        }
        LOG.infof("Console, Jolokia and operations API: no eci.ops.token(-file) configured; a token was generated "
                + "into %s", file);
        return new SecretToken("operations token", Optional.of(generated), Optional.empty());
    }

    /** True when the request carries the token (bearer, or basic auth with any user). */
    public boolean allows(String authorization) {
        return operations().matches(presented(authorization));
    }

    /** True when the request carries the read token or the operations token. */
    public boolean allowsRead(String authorization) {
        String presented = presented(authorization);
        return operations().matches(presented) || reader().matches(presented);
    }

    /**
     * For the operations API's routes: true when the request must be answered 401: a GET or HEAD without the read
     * or the operations token, any other method without the operations token.
     */
    public boolean refused(Exchange exchange) {
        String authorization = exchange.getMessage().getHeader("Authorization", String.class);
        return !(isRead(exchange) ? allowsRead(authorization) : allows(authorization));
    }

    /**
     * A read is a REST verb declared {@code get} or {@code head} in the route file, taken from the endpoint the
     * exchange came from (never from a header, which a query parameter could set); anything else is a change.
     */
    static boolean isRead(Exchange exchange) {
        org.apache.camel.Route route = exchange.getFromRouteId() == null ? null
                : exchange.getContext().getRoute(exchange.getFromRouteId());
        String uri = route == null ? "" : route.getEndpoint().getEndpointUri().toLowerCase(java.util.Locale.ROOT);
        return uri.matches("rest:(//)?(get|head):.*");
    }

    /** Resolves the token at start, so that a generated one is in its file before anyone asks. */
    void atStart(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent start) {
        operations();
    }

    private static String presented(String authorization) {
        if (authorization == null) {
            return null;
        }
        String presented = null;
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorization.substring(7).trim();
        } else if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                presented = colon < 0 ? null : pair.substring(colon + 1);
            } catch (IllegalArgumentException bad) {
                return null;
            }
        }
        return presented;
    }

    /** A Vert.x handler that lets a request through only with the token; 401 otherwise. */
    public Handler<RoutingContext> guard() {
        return ctx -> {
            if (allows(ctx.request().getHeader("Authorization"))) {
                ctx.next();
            } else {
                ctx.response().setStatusCode(401)
                        .putHeader("WWW-Authenticate", "Bearer realm=\"eci-connector\", Basic realm=\"eci-connector\"")
                        .putHeader("Content-Type", "application/json")
                        .end("{\"error\":\"the console needs the operations token (Authorization: Bearer ...)\"}");
            }
        };
    }
}
