package io.eciconnector.config;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;

/**
 * In sandbox mode ({@code eci.sandbox.enabled}, the default) the application's HTTP port listens on 127.0.0.1 only:
 * it serves sample phone numbers, e-mails, transcripts and the sandbox's fault injection, which nobody else on the
 * network should reach. Outside the sandbox, all interfaces (0.0.0.0, Quarkus' own default, as a pod needs). A configured
 * {@code quarkus.http.host} (the operator's file, {@code QUARKUS_HTTP_HOST}, {@code -D}) always wins: this source's
 * ordinal, 150, is below every configured one and above Quarkus' own default.
 */
public class SandboxHostConfigSourceFactory implements ConfigSourceFactory {

    static final String HOST = "quarkus.http.host";
    static final int ORDINAL = 150;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue sandbox = context.getValue("eci.sandbox.enabled");
        boolean enabled = sandbox == null || sandbox.getValue() == null || Boolean.parseBoolean(sandbox.getValue().trim());
        // a value either way: the build records what it saw (the sandbox on) as a default, which must not outlive it
        String host = enabled ? "127.0.0.1" : "0.0.0.0";
        return List.of(new MapBackedConfigSource("SandboxHost[eci.sandbox.enabled=" + enabled + ": " + HOST + "=" + host
                + "]", Map.of(HOST, host), ORDINAL) {
        });
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
