package io.eciconnector.salesforce;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How the connector reaches the org (prefix {@code eci.salesforce}). With the sandbox on and no login URL set, the
 * connector logs in to the embedded sandbox with the key pair it made at start.
 */
@ConfigMapping(prefix = "eci.salesforce")
public interface SalesforceSettings {

    /** https://login.salesforce.com, https://test.salesforce.com or the My Domain URL. Default: the sandbox. */
    Optional<String> loginUrl();

    /** API version of the Connect API paths (voicecalls needs 49.0+, the recording URL variant 57.0+). */
    @WithDefault("60.0")
    String apiVersion();

    /** jwt (JWT bearer flow, recommended), client-credentials or password. */
    @WithDefault("jwt")
    String auth();

    /** The connected app's consumer key. */
    @WithDefault("eci-connector-sandbox")
    String clientId();

    /** The integration user's username (the JWT subject). */
    @WithDefault("integration@eci-sandbox.example")
    String username();

    /** PKCS12 keystore holding the connected app's certificate and private key (JWT flow); mounted from a Secret. */
    Optional<String> keystoreFile();

    /** Keystore password, or a file holding it (keystore-password-file). */
    Optional<String> keystorePassword();

    Optional<String> keystorePasswordFile();

    /** Consumer secret (client-credentials and password flows), or a file holding it. */
    Optional<String> clientSecret();

    Optional<String> clientSecretFile();

    /** Integration user's password (password flow), or a file holding it. */
    Optional<String> password();

    Optional<String> passwordFile();

    /** Timeout of one API request (uploads of large recordings take longer: see upload-timeout). */
    @WithDefault("60S")
    Duration requestTimeout();

    @WithDefault("15M")
    Duration uploadTimeout();
}
