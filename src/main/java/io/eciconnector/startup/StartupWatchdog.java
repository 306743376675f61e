package io.eciconnector.startup;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.quarkus.main.events.BeforeConfigure;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;

/**
 * A start that never gets ready ends the process. Armed as soon as Camel is configured (before any route starts, so a
 * start stuck inside Camel is covered), it reads the readiness checks every {@link #POLL} until they are UP; if they
 * are not UP {@code eci.startup.ready-timeout} after the JVM started, it logs why (the checks that are DOWN and their
 * data, the routes not started, the stack of every thread that looks stuck, and any deadlock) and exits with status
 * {@value #EXIT_NOT_READY}, so that Kubernetes (or whoever runs it) starts it again. Once ready, it is done: later
 * readiness changes are the readiness probe's business. {@code 0} switches it off.
 */
@ApplicationScoped
public class StartupWatchdog {

    private static final Logger LOG = Logger.getLogger(StartupWatchdog.class);

    public static final int EXIT_NOT_READY = 3;
    static final Duration POLL = Duration.ofSeconds(2);
    /** How long one reading of the checks may take before it counts as "no answer". */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

    @ConfigProperty(name = "eci.startup.ready-timeout", defaultValue = "3M")
    Duration readyTimeout;

    /** After System.exit has been asked for, the JVM is halted if its shutdown has not ended by then. */
    @ConfigProperty(name = "camel.main.shutdown-timeout", defaultValue = "30")
    int shutdownTimeoutSeconds;

    @Inject
    Instance<SmallRyeHealthReporter> health;

    @Inject
    Instance<CamelContext> camel;

    private final AtomicBoolean armed = new AtomicBoolean();
    private volatile ScheduledExecutorService timer;
    private volatile boolean done;
    /** The JVM's start on System.nanoTime's scale. */
    private volatile long jvmStart;

    void onCamelConfigure(@Observes BeforeConfigure event) {
        arm();
    }

    void onStart(@Observes StartupEvent event) {
        arm();
    }

    void arm() {
        // only a real run: a test JVM restarts applications (and under custom test profiles %test keys do not apply)
        if (io.quarkus.runtime.LaunchMode.current() != io.quarkus.runtime.LaunchMode.NORMAL) {
            return;
        }
        if (readyTimeout == null || readyTimeout.isZero() || readyTimeout.isNegative() || !armed.compareAndSet(false, true)) {
            return;
        }
        // a real run is one application per JVM: the bound counts from the JVM's start
        jvmStart = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(uptimeMillis());
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "eci-startup-watchdog");
            th.setDaemon(true);
            return th;
        });
        timer = t;
        t.scheduleWithFixedDelay(this::check, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        LOG.debugf("Start watchdog: ready within %s of the JVM start, or exit %d", readyTimeout, EXIT_NOT_READY);
    }

    /** Milliseconds since the JVM started. */
    static long uptimeMillis() {
        return ManagementFactory.getRuntimeMXBean().getUptime();
    }

    /** Milliseconds since the JVM started. */
    long sinceStartMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - jvmStart);
    }

    void check() {
        if (done) {
            return;
        }
        Readiness r = readiness();
        if (r.up) {
            done = true;
            LOG.infof("Ready %.1f s after the JVM started", sinceStartMillis() / 1000.0);
            timer.shutdown();
            return;
        }
        if (sinceStartMillis() < readyTimeout.toMillis()) {
            return;
        }
        done = true;
        LOG.errorf("Not ready %.0f s after the JVM started (eci.startup.ready-timeout=%s): exiting with status %d so "
                + "that the start is tried again.%n%s%nThreads that look stuck:%n%s", sinceStartMillis() / 1000.0,
                readyTimeout, EXIT_NOT_READY, diagnosis(r), ThreadDump.stuck());
        exit();
    }

    record Readiness(boolean up, String why) {
    }

    Readiness readiness() {
        try {
            SmallRyeHealth h = CompletableFuture.supplyAsync(() -> health.get().getReadiness())
                    .get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new Readiness(!h.isDown(), describe(h.getPayload()));
        } catch (java.util.concurrent.TimeoutException e) {
            return new Readiness(false, "the readiness checks did not answer within " + READ_TIMEOUT.toSeconds() + " s");
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return new Readiness(false, "the readiness checks could not be read: " + cause);
        }
    }

    /** The checks that are not UP, with their data. */
    static String describe(JsonObject payload) {
        List<String> down = new ArrayList<>();
        for (JsonValue v : payload.getJsonArray("checks")) {
            JsonObject c = v.asJsonObject();
            if (!"UP".equals(c.getString("status", ""))) {
                JsonValue data = c.get("data");
                down.add(c.getString("name", "?") + (data == null ? "" : " " + data));
            }
        }
        return "readiness " + payload.getString("status", "?") + (down.isEmpty() ? "" : "; checks DOWN: "
                + String.join("; ", down));
    }

    String diagnosis(Readiness r) {
        StringBuilder out = new StringBuilder(r.why);
        try {
            CamelContext c = camel.get();
            out.append("\nCamel context ").append(c.getName()).append(": ").append(c.getStatus());
            List<String> notStarted = new ArrayList<>();
            for (Route route : c.getRoutes()) {
                ServiceStatus s = c.getRouteController().getRouteStatus(route.getRouteId());
                if (s != ServiceStatus.Started) {
                    notStarted.add(route.getRouteId() + " (" + s + ")");
                }
            }
            out.append("; ").append(c.getRoutes().size()).append(" routes, not started: ")
                    .append(notStarted.isEmpty() ? "none" : String.join(", ", notStarted));
        } catch (RuntimeException e) {
            out.append("\nCamel's routes could not be read: ").append(e);
        }
        return out.toString();
    }

    /** System.exit on its own thread (the shutdown may block on the stuck threads: the JVM is halted after a grace). */
    void exit() {
        long graceMillis = TimeUnit.SECONDS.toMillis(shutdownTimeoutSeconds + 15L);
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(graceMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LOG.errorf("The shutdown did not end within %d s: halting", graceMillis / 1000);
            Runtime.getRuntime().halt(EXIT_NOT_READY);
        }, "eci-startup-watchdog-halt");
        halt.setDaemon(true);
        halt.start();
        Thread exit = new Thread(() -> System.exit(EXIT_NOT_READY), "eci-startup-watchdog-exit");
        exit.setDaemon(true);
        exit.start();
    }
}
