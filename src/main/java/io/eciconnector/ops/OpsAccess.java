package io.eciconnector.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.eciconnector.salesforce.Secrets;
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
 */
@ApplicationScoped
public class OpsAccess {

    private static final Logger LOG = Logger.getLogger(OpsAccess.class);
    public static final String USER = "eci-ops";

    @ConfigProperty(name = "eci.ops.token")
    Optional<String> tokenValue;

    @ConfigProperty(name = "eci.ops.token-file")
    Optional<String> tokenFile;

    @ConfigProperty(name = "eci.ops.generated-token-file", defaultValue = "data/ops/token")
    String generatedTokenFile;

    private volatile byte[] token;

    /** The token (resolved once). */
    public String token() {
        return new String(tokenBytes(), StandardCharsets.UTF_8);
    }

    private byte[] tokenBytes() {
        byte[] t = token;
        if (t == null) {
            synchronized (this) {
                if (token == null) {
                    token = resolve().getBytes(StandardCharsets.UTF_8);
                }
                t = token;
            }
        }
        return t;
    }

    private String resolve() {
        Optional<String> configured = Secrets.read(tokenValue, tokenFile.filter(f -> !f.isBlank()));
        if (configured.isPresent() && !configured.get().isBlank()) {
            LOG.infof("Console and Jolokia: token from %s", tokenFile.filter(f -> !f.isBlank()).isPresent()
                    && tokenValue.isEmpty() ? "eci.ops.token-file" : "eci.ops.token");
            return configured.get().trim();
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path file = Path.of(generatedTokenFile).toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
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
        LOG.infof("Console and Jolokia: no eci.ops.token(-file) configured; a token was generated into %s", file);
        return generated;
    }

    /** True when the request carries the token (bearer, or basic auth with any user). */
    public boolean allows(String authorization) {
        if (authorization == null) {
            return false;
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
                return false;
            }
        }
        return presented != null
                && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), tokenBytes());
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
