package io.eciconnector.ingest;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.StreamingApiConsumer;
import org.apache.camel.component.salesforce.internal.streaming.SubscriptionHelper;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.service.ServiceHelper;
import org.cometd.bayeux.Channel;
import org.cometd.bayeux.client.ClientSessionChannel;
import org.cometd.client.BayeuxClient;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.jboss.logging.Logger;

import io.eciconnector.config.RouteSelection;
import io.quarkus.runtime.ShutdownEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Loads routes/callcoaching-events.yaml (the platform-event subscription) once the org has answered a call-coaching
 * read: camel-salesforce's streaming consumer logs in as it starts, which must not stop the connector from starting
 * while the org (or the sandbox) is not reachable yet. Tried again on the next read when it fails.
 * <p>
 * Then it watches the subscription (the consumer's CometD client):
 * <ul>
 * <li>each time the org confirms the subscription (/meta/subscribe successful: the first time, and after every
 * reconnect) the call-coaching status is read again, so a change made while the connector was starting or while the
 * connection was down is not left to the next scheduled read (issue 11 items 9, 10);</li>
 * <li>a streaming connection that has not answered a /meta/connect for eci.callcoaching.events-stall (the org holds a
 * long poll at most 110 s) is dead: camel-salesforce 4.14 loses it for good when the streaming API answers HTTP 401
 * (its security handler fails on the CometD request, which then never completes). The watch logs in again, aborts
 * the client and handshakes anew; camel-salesforce subscribes again on the next connect. Gauge
 * {@code eci_callcoaching_subscription_up} is 0 from then until the org confirms the subscription again, readiness
 * check {@code callcoaching-events} DOWN once that has not happened within another stall bound, and
 * {@code eci_callcoaching_subscription_restarts_total} counts the restarts;</li>
 * <li>when Camel stops, the client is aborted first, so that camel-salesforce's disconnect (which waits up to 60 s
 * for an answer on a dead connection) never holds up a SIGTERM.</li>
 * </ul>
 */
@ApplicationScoped
public class EventSubscription {

    private static final Logger LOG = Logger.getLogger(EventSubscription.class);

    @Inject
    CamelContext camel;

    @ConfigProperty(name = "eci.routes.dir", defaultValue = "routes")
    String routesDir;

    @Inject
    CallCoachingSettings settings;

    @Inject
    Instance<CallCoaching> callCoaching;

    @Inject
    MeterRegistry registry;

    static final String ROUTE_ID = "callcoaching-events";
    private final AtomicBoolean loading = new AtomicBoolean();
    private volatile boolean loaded;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "eci-event-subscription");
        t.setDaemon(true);
        return t;
    });

    /** The subscription's CometD client once watched; null before. */
    private volatile BayeuxClient client;
    private volatile SalesforceComponent component;
    private volatile Thread signalHook;
    private volatile String channel;
    /** Confirmed by the org and connected (not stalled). */
    private volatile boolean up;
    private volatile Instant lastConnectAnswer = Instant.now();
    private volatile Instant downSince;
    private final AtomicLong restarts = new AtomicLong();
    private Counter restartCounter;

    @PostConstruct
    void metrics() {
        Gauge.builder("eci.callcoaching.subscription.up", this, s -> s.up || !s.watching() ? 1 : 0)
                .description("1 while the configuration-change platform event subscription is confirmed (or not used)")
                .register(registry);
        restartCounter = Counter.builder("eci.callcoaching.subscription.restarts")
                .description("Platform-event subscriptions started anew after the streaming connection died")
                .register(registry);
    }

    private boolean watching() {
        return client != null;
    }

    /** Called after each successful call-coaching read. */
    void orgAnswered() {
        if (!settings.eventsEnabled() || loaded || !loading.compareAndSet(false, true)) {
            return;
        }
        worker.submit(() -> {
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
                watch();
            } catch (Exception e) {
                LOG.warnf("Platform-event subscription not started (%s); trying again after the next status read",
                        e.getMessage());
            } finally {
                loading.set(false);
            }
        });
    }

    /** Hooks on the consumer's CometD client: subscribe confirmations, connect answers; starts the stall check. */
    private void watch() {
        Route route = camel.getRoute(ROUTE_ID);
        if (route == null || !(route.getConsumer() instanceof StreamingApiConsumer consumer)) {
            LOG.warnf("Route %s has no streaming consumer: its subscription is not watched", ROUTE_ID);
            return;
        }
        SubscriptionHelper helper = consumer.getSubscriptionHelper();
        BayeuxClient c;
        try {
            Field f = SubscriptionHelper.class.getDeclaredField("client");
            f.setAccessible(true);
            c = (BayeuxClient) f.get(helper);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("The streaming client of %s cannot be watched (%s): a dead connection is not noticed", ROUTE_ID,
                    e.toString());
            return;
        }
        if (c == null) {
            LOG.warnf("Route %s has no streaming client yet: its subscription is not watched", ROUTE_ID);
            return;
        }
        component = consumer.getEndpoint().getComponent();
        channel = "/" + consumer.getTopicName().replaceFirst("^/", "");
        lastConnectAnswer = Instant.now();
        c.getChannel(Channel.META_SUBSCRIBE).addListener((ClientSessionChannel.MessageListener) (ch, m) -> {
            if (m.isSuccessful() && channel.equals(String.valueOf(m.get("subscription")))) {
                worker.execute(this::confirmed);
            }
        });
        c.getChannel(Channel.META_CONNECT).addListener((ClientSessionChannel.MessageListener) (ch, m) -> {
            lastConnectAnswer = Instant.now();
        });
        client = c;
        EventNotifierSupport onStop = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.CamelContextStoppingEvent) {
                    abortOnStop();
                }
            }
        };
        camel.getManagementStrategy().addEventNotifier(onStop);
        ServiceHelper.startService(onStop);
        stopOnSignal();
        long every = Math.max(1000, settings.eventsStall().toMillis() / 4);
        worker.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
        // the first confirmation may have come before the listener: read the status once now as well
        if (c.isConnected()) {
            worker.execute(this::confirmed);
        }
    }

    /** The org confirmed the subscription: whatever changed before it (or while it was down) is read now. */
    private void confirmed() {
        boolean wasDown = !up && downSince != null;
        up = true;
        downSince = null;
        if (wasDown) {
            LOG.infof("Platform-event subscription to %s confirmed again after a restart", channel);
        }
        try {
            CallCoaching coaching = callCoaching.get();
            coaching.invalidate();
            coaching.refresh();
        } catch (Exception e) {
            LOG.warnf("Call-coaching status not read after the subscription was confirmed (%s); read on next use",
                    e.getMessage());
        }
    }

    /** A connection without a /meta/connect answer for longer than the stall bound is started anew. */
    private void check() {
        BayeuxClient c = client;
        if (c == null || camel.isStopping() || !camel.getStatus().isStarted()) {
            return;
        }
        Duration stall = settings.eventsStall();
        Duration silent = Duration.between(lastConnectAnswer, Instant.now());
        if (silent.compareTo(stall) < 0) {
            return;
        }
        if (up || downSince == null) {
            downSince = Instant.now();
        }
        up = false;
        restarts.incrementAndGet();
        restartCounter.increment();
        LOG.warnf("Platform-event subscription to %s: no answer on the streaming connection for %d s "
                + "(eci.callcoaching.events-stall=%s); logging in again and subscribing anew (restart %d)", channel,
                silent.toSeconds(), stall, restarts.get());
        lastConnectAnswer = Instant.now(); // the next restart, if this one does not help, after another stall bound
        try {
            String token = component.getSession().getAccessToken();
            component.getSession().login(token);
        } catch (Exception e) {
            LOG.warnf("Login for the streaming connection failed (%s); the handshake tries again", e.getMessage());
        }
        try {
            c.abort();
            c.waitFor(5000, BayeuxClient.State.DISCONNECTED);
            c.handshake();
        } catch (RuntimeException e) {
            LOG.warnf("Streaming client not restarted (%s); tried again after %s", e.toString(), stall);
        }
    }

    private synchronized void abortOnStop() {
        BayeuxClient c = client;
        client = null;
        if (c != null) {
            try {
                // camel-salesforce's listeners first (it removes them as it stops): its connect listener would answer
                // the abort with a new handshake
                for (String meta : List.of(Channel.META_HANDSHAKE, Channel.META_CONNECT, Channel.META_SUBSCRIBE)) {
                    ClientSessionChannel ch = c.getChannel(meta);
                    ch.getListeners().forEach(ch::removeListener);
                }
                c.abort(); // camel-salesforce's disconnect would wait up to 60 s for a dead connection
            } catch (RuntimeException e) {
                LOG.debugf("Streaming client abort: %s", e);
            }
        }
    }

    /** The readiness check {@code callcoaching-events} (see {@link EventSubscriptionReadiness}). */
    HealthCheckResponse health() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("callcoaching-events");
        if (!watching() || up) {
            return b.up().withData("subscribed", up).build();
        }
        Instant since = downSince;
        if (since == null || since.plus(settings.eventsStall()).isAfter(Instant.now())) {
            // being started anew: DOWN only when that has not helped within another stall bound
            return b.up().withData("subscribed", false).withData("state", "subscribing").build();
        }
        return b.down().withData("since", since.toString()).withData("restarts", restarts.get())
                .withData("error", "no answer on the streaming connection; subscribing anew").build();
    }

    /**
     * On SIGTERM, at once: the JVM starts its shutdown hooks together, and Quarkus' own runs its shutdown listeners,
     * the HTTP server's among them, before the shutdown event below. With the embedded org (sandbox mode) that server
     * ends the streaming long poll first, and camel-salesforce's listeners answered with a "Connect failure" WARN and
     * a handshake that threw IllegalStateException on its own thread. Aborting here removes those listeners before the
     * connection ends. With a real org it only ends the subscription a few milliseconds earlier: its events only make
     * the call-coaching status be read again, which the next start does anyway.
     */
    private void stopOnSignal() {
        Thread hook = new Thread(this::abortOnStop, "eci-event-subscription-stop");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            signalHook = hook;
        } catch (IllegalStateException e) {
            // already shutting down: the shutdown event below aborts it
        }
    }

    /** Before Camel stops its routes and components (Quarkus' shutdown event comes first). */
    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        abortOnStop();
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
        Thread hook = signalHook;
        signalHook = null;
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook); // a stop without SIGTERM (tests): not kept for the JVM's end
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook has run or runs now
            }
        }
    }
}
