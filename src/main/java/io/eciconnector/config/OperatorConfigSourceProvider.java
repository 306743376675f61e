package io.eciconnector.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSourceProvider;

import io.quarkus.runtime.annotations.StaticInitSafe;
import io.smallrye.config.common.MapBackedConfigSource;

/**
 * Loads the operator's configuration file: {@code application.properties} in the working directory, or the file
 * named by the environment variable {@code ECI_CONFIG_FILE} (a Kubernetes ConfigMap mount, for example).
 * <p>
 * Ordinal 260: above the defaults packaged in the jar (250), below environment variables (300) and system
 * properties (400), so every key of the file can still be overridden from the environment.
 * <p>
 * Static-init safe: Camel Quarkus builds the Camel context during static initialisation (in JVM mode, at start,
 * like everything else), and beans made then (the CLI connector's factory) read their keys then; without this the
 * file was not yet seen there, and a key such as eci.cli-connector.enabled=false in it stopped the start.
 */
@StaticInitSafe
public class OperatorConfigSourceProvider implements ConfigSourceProvider {

    public static final String ENV_FILE = "ECI_CONFIG_FILE";
    static final int ORDINAL = 260;

    @Override
    public Iterable<ConfigSource> getConfigSources(ClassLoader forClassLoader) {
        String configured = System.getenv(ENV_FILE);
        if (configured == null || configured.isBlank()) {
            configured = System.getProperty("eci.config.file", "application.properties");
        }
        if ("none".equals(configured)) {
            return List.of();
        }
        Path file = Path.of(configured).toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read operator configuration " + file, e);
        }
        Map<String, String> values = new HashMap<>();
        properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k)));
        return List.of(new MapBackedConfigSource("OperatorConfig[" + file + "]", values, ORDINAL) {
        });
    }
}
