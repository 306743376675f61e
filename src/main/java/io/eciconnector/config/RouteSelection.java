package io.eciconnector.config;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.camel.quarkus.main.events.BeforeConfigure;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Loads only the sources that are switched on. A route file's endpoints are created (and an aws2-s3 endpoint checks
 * its bucket) as soon as the file is loaded, even when the route does not start, so routes/ingest-{source}.yaml is
 * not loaded at all while eci.ingest.{source}.enabled is false. Operators switch sources with that key (or its
 * environment variable, ECI_INGEST_S3_ENABLED=true) and restart.
 */
@ApplicationScoped
public class RouteSelection {

    private static final Logger LOG = Logger.getLogger(RouteSelection.class);
    static final List<String> SOURCES = List.of("folder", "s3", "sftp");
    static final List<Boolean> ENABLED_BY_DEFAULT = List.of(true, false, false);
    /** Signal-stream sources: routes/signals-{name}.yaml, switched by eci.signals.{name}.enabled. */
    static final List<String> SIGNAL_SOURCES = List.of("http", "folder", "kinesis", "kafka", "postcall-folder",
            "postcall-s3");
    static final List<Boolean> SIGNALS_ENABLED_BY_DEFAULT = List.of(true, true, false, false, true, false);
    public static final String EVENTS_ROUTE = "callcoaching-events.yaml";

    void beforeConfigure(@Observes BeforeConfigure event) {
        Config config = ConfigProvider.getConfig();
        String dir = config.getOptionalValue("eci.routes.dir", String.class).orElse("routes");
        if (!java.nio.file.Files.isDirectory(java.nio.file.Path.of(dir))) {
            throw new IllegalStateException("The routes directory '" + java.nio.file.Path.of(dir).toAbsolutePath()
                    + "' does not exist: run from the project directory, or point ECI_ROUTES_DIR (eci.routes.dir) at "
                    + "the YAML route files");
        }
        List<String> excluded = new ArrayList<>();
        config.getOptionalValue("camel.main.routes-exclude-pattern", String.class).ifPresent(excluded::add);
        switchOff(config, dir, "eci.ingest.", "ingest-", SOURCES, ENABLED_BY_DEFAULT, excluded);
        switchOff(config, dir, "eci.signals.", "signals-", SIGNAL_SOURCES, SIGNALS_ENABLED_BY_DEFAULT, excluded);
        // loaded later, once the org answers (EventSubscription)
        excluded.add("file:" + dir + "/" + EVENTS_ROUTE);
        event.getMain().configure().withRoutesExcludePattern(String.join(",", excluded));
    }

    /** The route files of the sources that are off unless switched on. */
    public static List<String> offByDefault() {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < SOURCES.size(); i++) {
            if (!ENABLED_BY_DEFAULT.get(i)) {
                files.add("ingest-" + SOURCES.get(i) + ".yaml");
            }
        }
        for (int i = 0; i < SIGNAL_SOURCES.size(); i++) {
            if (!SIGNALS_ENABLED_BY_DEFAULT.get(i)) {
                files.add("signals-" + SIGNAL_SOURCES.get(i) + ".yaml");
            }
        }
        return files;
    }

    /** Excludes routes/{file}{name}.yaml for each source whose {key}{name}.enabled is false. */
    private static void switchOff(Config config, String dir, String key, String file, List<String> names,
            List<Boolean> defaults, List<String> excluded) {
        for (int i = 0; i < names.size(); i++) {
            String source = names.get(i);
            boolean enabled = config.getOptionalValue(key + source + ".enabled", Boolean.class).orElse(defaults.get(i));
            if (!enabled) {
                excluded.add("file:" + dir + "/" + file + source + ".yaml");
            }
            LOG.infof("Source %s%s: %s", file, source, enabled ? "on" : "off (" + key + source + ".enabled=false)");
        }
    }
}
