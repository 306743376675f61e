package io.eciconnector.ingest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.eciconnector.config.RouteSelection;

/**
 * Loads routes/callcoaching-events.yaml (the platform-event subscription) once the org has answered a call-coaching
 * read: camel-salesforce's streaming consumer logs in as it starts, which must not stop the connector from starting
 * while the org (or the sandbox) is not reachable yet. Tried again on the next read when it fails.
 */
@ApplicationScoped
public class EventSubscription {

    private static final Logger LOG = Logger.getLogger(EventSubscription.class);

    @Inject
    CamelContext camel;

    @ConfigProperty(name = "eci.routes.dir", defaultValue = "routes")
    String routesDir;

    @ConfigProperty(name = "eci.callcoaching.events-enabled", defaultValue = "true")
    boolean enabled;

    static final String ROUTE_ID = "callcoaching-events";
    private final AtomicBoolean loading = new AtomicBoolean();
    private volatile boolean loaded;
    private final ExecutorService loader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "eci-event-subscription");
        t.setDaemon(true);
        return t;
    });

    /** Called after each successful call-coaching read. */
    void orgAnswered() {
        if (!enabled || loaded || !loading.compareAndSet(false, true)) {
            return;
        }
        loader.submit(() -> {
            try {
                Path file = Path.of(routesDir, RouteSelection.EVENTS_ROUTE);
                if (!Files.isRegularFile(file)) {
                    LOG.infof("No %s: call-coaching changes are read on the schedule only", file);
                    loaded = true;
                    return;
                }
                Resource resource = PluginHelper.getResourceLoader(camel).resolveResource("file:" + file);
                PluginHelper.getRoutesLoader(camel).loadRoutes(resource);
                // routes added to a running context wait for an explicit start under the supervising controller
                camel.getRouteController().startRoute(ROUTE_ID);
                loaded = true;
                LOG.infof("Subscribed to the call-coaching configuration-change event (%s)", file);
            } catch (Exception e) {
                LOG.warnf("Platform-event subscription not started (%s); trying again after the next status read",
                        e.getMessage());
            } finally {
                loading.set(false);
            }
        });
    }

    @PreDestroy
    void stop() {
        loader.shutdownNow();
    }
}
