package io.eciconnector.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.cli.connector.DefaultCliConnectorFactory;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.spi.CliConnectorFactory;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.eciconnector.startup.ThreadDump;

/**
 * The file-lock leader election behind {@code master:pollers:...}. The first test starts and stops many Camel
 * contexts with eight master pollers each, several at once, and fails with a thread dump when a start or stop does
 * not end within its bound: with Camel 4.14.0's FileLockClusterService ({@code -Deci.test.cluster=camel}) a start
 * deadlocks (main thread in {@code FileLockClusterView$ClusterMember.isLeader}).
 */
class FileLockLeaderServiceTest {

    static final int STARTS = Integer.getInteger("stress.starts", 24);
    static final int AT_ONCE = 4;
    static final int POLLERS = 8;
    /** A start or stop of a context of 8 master timers: well under a second when nothing blocks. */
    static final Duration BOUND = Duration.ofSeconds(30);

    static CamelClusterService service(Path root, long acquireDelayMs) {
        if ("camel".equals(System.getProperty("eci.test.cluster"))) {
            FileLockClusterService camel = new FileLockClusterService();
            camel.setId("member");
            camel.setRoot(root.toString());
            camel.setAcquireLockDelay(acquireDelayMs, TimeUnit.MILLISECONDS);
            camel.setAcquireLockInterval(100, TimeUnit.MILLISECONDS);
            return camel;
        }
        return new FileLockLeaderService("member", root.toString(), Duration.ofMillis(acquireDelayMs),
                Duration.ofMillis(100));
    }

    static String describe(CamelClusterService service) {
        if (service instanceof FileLockLeaderService s) {
            try {
                return "service " + s.getStatus() + " namespaces " + s.getNamespaces() + ": "
                        + ((FileLockLeaderView) s.getView("pollers")).describe();
            } catch (Exception e) {
                return e.toString();
            }
        }
        return String.valueOf(service);
    }

    /** What a listener heard, without the "not leader" it hears when added before the view's first election step. */
    static List<Boolean> withoutFirstFalse(List<Boolean> heard) {
        List<Boolean> copy = new ArrayList<>(heard);
        return !copy.isEmpty() && !copy.get(0) ? copy.subList(1, copy.size()) : copy;
    }

    /** Waits for the condition; past the bound, fails with the stacks of every thread. */
    static void awaitOrDump(String what, Duration bound, Callable<Boolean> condition) {
        try {
            Awaitility.await(what).atMost(bound).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                    .until(condition);
        } catch (ConditionTimeoutException e) {
            fail(what + " did not happen within " + bound + "\n" + ThreadDump.all(), e);
        }
    }

    /*
     * Once left out of the default run: about one full run in three a context of this loop started but never led within
     * 30 s. Its contexts then ran the JBang CLI connector, whose thread races the context's start (a
     * ConcurrentModificationException in Camel's DefaultDevConsoleRegistry, seen in the same loop); the view also ran
     * its election on the thread that called the listeners, which Camel 4.14's master consumer holds for a second or
     * more. Both are gone; a failure names the view's state (describe()).
     */
    @Test
    void manyConcurrentStartsAndStopsOfMasterPollersNeverHang(@TempDir Path tmp) throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(AT_ONCE + AT_ONCE * 2, r -> {
            Thread t = new Thread(r, "start-stop");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> loops = new ArrayList<>();
        try {
            for (int w = 0; w < AT_ONCE; w++) {
                long seed = w;
                loops.add(workers.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = next.getAndIncrement(); i < STARTS; i = next.getAndIncrement()) {
                        startAndStop(workers, tmp.resolve("run-" + i), random.nextInt(20), i);
                    }
                    return null;
                }));
            }
            for (Future<?> loop : loops) {
                loop.get(STARTS * BOUND.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            workers.shutdownNow();
        }
    }

    /** One context: started on another thread (where a deadlock would keep it), leader, then stopped. */
    static void startAndStop(ExecutorService threads, Path root, long acquireDelayMs, int run) throws Exception {
        CamelContext context = io.eciconnector.testing.PlainCamel.context();
        // the JBang CLI connector's own thread (camel-cli-connector is on the classpath) reads the console registry
        // while the context starts it: many contexts in one JVM make that Camel race (a ConcurrentModificationException
        // in DefaultDevConsoleRegistry.doStart) frequent; the product turns the connector off by default
        DefaultCliConnectorFactory noCli = new DefaultCliConnectorFactory();
        noCli.setEnabled(false);
        context.getCamelContextExtension().addContextPlugin(CliConnectorFactory.class, noCli);
        CamelClusterService service = service(root, acquireDelayMs);
        context.addService(service);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (int k = 0; k < POLLERS; k++) {
                    from("master:pollers:timer:poller-" + run + "-" + k + "?period=50").routeId("poller-" + k)
                            .log(org.apache.camel.LoggingLevel.TRACE, "polled");
                }
            }
        });
        Future<?> start = threads.submit(() -> {
            context.start();
            return null;
        });
        try {
            awaitOrDump("start " + run, BOUND, start::isDone);
            start.get(); // a start that failed fails here, with its cause
            try {
                awaitOrDump("leadership of run " + run, BOUND, () -> service.isLeader("pollers"));
            } catch (AssertionError e) {
                throw new AssertionError("run " + run + ": " + describe(service) + "; context " + context.getStatus()
                        + ", routes " + context.getRouteController().getRouteStatus("poller-0"), e);
            }
        } finally {
            Future<?> stop = threads.submit(() -> {
                context.stop();
                return null;
            });
            awaitOrDump("stop " + run, BOUND, stop::isDone);
        }
        assertFalse(service.isLeader("pollers"), "leadership ends with the stop");
    }

    @Test
    void theStandByTakesOverWhenTheLeaderStopsAndEveryListenerHearsItInOrder(@TempDir Path tmp) throws Exception {
        FileLockLeaderService a = new FileLockLeaderService("a", tmp.toString(), Duration.ZERO, Duration.ofMillis(50));
        FileLockLeaderService b = new FileLockLeaderService("b", tmp.toString(), Duration.ZERO, Duration.ofMillis(50));
        try (CamelContext ca = io.eciconnector.testing.PlainCamel.context(); CamelContext cb = io.eciconnector.testing.PlainCamel.context()) {
            a.setCamelContext(ca);
            b.setCamelContext(cb);
            a.start();
            CamelClusterView va = a.getView("pollers");
            // a listener added before the first election hears "not leader" first (the state when it was added): wait
            // for the lead, so that what a hears after it is only what the stop sends
            awaitOrDump("a elected", BOUND, () -> a.isLeader("pollers"));
            List<Boolean> heardByA = new CopyOnWriteArrayList<>();
            va.addEventListener((CamelClusterEventListener.Leadership) (v, leader) -> heardByA.add(leader != null));
            awaitOrDump("a leads", BOUND, () -> a.isLeader("pollers") && heardByA.contains(true));

            b.start();
            CamelClusterView vb = b.getView("pollers");
            List<Boolean> heardByB = new CopyOnWriteArrayList<>();
            vb.addEventListener((CamelClusterEventListener.Leadership) (v, leader) -> heardByB.add(leader != null));
            awaitOrDump("b told it stands by", BOUND, () -> heardByB.equals(List.of(false)));
            assertTrue(a.isLeader("pollers"));
            assertFalse(b.isLeader("pollers"), "one leader");

            a.releaseView(va);
            a.stop();
            awaitOrDump("b takes over", BOUND, () -> b.isLeader("pollers"));
            awaitOrDump("b told", BOUND, () -> heardByB.equals(List.of(false, true)));
            assertEquals(List.of(true), heardByA, "a heard only that it led: a stopped view sends no news");
        } finally {
            b.stop();
        }
    }

    @Test
    void aListenerAddedAgainAfterItWasRemovedIsToldAgain(@TempDir Path tmp) throws Exception {
        FileLockLeaderService s = new FileLockLeaderService("s", tmp.toString(), Duration.ZERO, Duration.ofMillis(50));
        try (CamelContext c = io.eciconnector.testing.PlainCamel.context()) {
            s.setCamelContext(c);
            s.start();
            CamelClusterView view = s.getView("pollers");
            AtomicInteger told = new AtomicInteger();
            CamelClusterEventListener.Leadership l = (v, leader) -> told.addAndGet(leader != null ? 1 : 0);
            view.addEventListener(l);
            awaitOrDump("told once", BOUND, () -> told.get() == 1);
            // a master route stopped and started again removes and adds the same listener
            view.removeEventListener(l);
            view.addEventListener(l);
            awaitOrDump("told again", BOUND, () -> told.get() == 2);
        } finally {
            s.stop();
        }
    }

    @Test
    void aLeaderWhoseLockFileIsReplacedGivesLeadershipUpAndTakesTheNewFile(@TempDir Path tmp) throws Exception {
        FileLockLeaderService s = new FileLockLeaderService("s", tmp.toString(), Duration.ZERO, Duration.ofMillis(50));
        try (CamelContext c = io.eciconnector.testing.PlainCamel.context()) {
            s.setCamelContext(c);
            s.start();
            CamelClusterView view = s.getView("pollers");
            Set<Boolean> heard = ConcurrentHashMap.newKeySet();
            List<Boolean> changes = new CopyOnWriteArrayList<>();
            view.addEventListener((CamelClusterEventListener.Leadership) (v, leader) -> {
                heard.add(leader != null);
                changes.add(leader != null);
            });
            awaitOrDump("leads", BOUND, () -> s.isLeader("pollers"));
            Path file = view.unwrap(FileLockLeaderView.class).path();
            Files.delete(file);
            Files.createFile(file);
            // another replica could lock the new file: this one must give up the old one, then lock the new one
            // (told "not leader" first when it was added before the first election step)
            awaitOrDump("gave up, then led again", BOUND,
                    () -> withoutFirstFalse(changes).equals(List.of(true, false, true)));
            assertTrue(s.isLeader("pollers"));
        } finally {
            s.stop();
        }
    }

    /*
     * Camel 4.14's master consumer starts its route inside the leadership callback (a second at least, retried without
     * end while the route cannot start). The election must go on meanwhile: a leader that cannot check its lock
     * cannot see that it lost it. Failed before the election got its own thread: with the callback stuck, the
     * deleted lock file went unnoticed and the view kept saying it led.
     */
    @Test
    void aListenerThatNeverReturnsDoesNotStopTheElection(@TempDir Path tmp) throws Exception {
        FileLockLeaderService s = new FileLockLeaderService("s", tmp.toString(), Duration.ZERO, Duration.ofMillis(50));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean stuck = new java.util.concurrent.atomic.AtomicBoolean();
        List<Boolean> heard = new CopyOnWriteArrayList<>();
        try (CamelContext c = io.eciconnector.testing.PlainCamel.context()) {
            s.setCamelContext(c);
            s.start();
            CamelClusterView view = s.getView("pollers");
            view.addEventListener((CamelClusterEventListener.Leadership) (v, leader) -> {
                heard.add(leader != null);
                if (leader != null && !stuck.getAndSet(true)) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            awaitOrDump("leads, its listener stuck in the callback", BOUND, () -> s.isLeader("pollers") && stuck.get());
            FileLockLeaderView v = view.unwrap(FileLockLeaderView.class);
            Files.delete(v.path());
            awaitOrDump("the loss seen while the listener is still stuck", BOUND, () -> !s.isLeader("pollers"));
            // it leads again only once the listener has heard the loss
            assertFalse(Files.exists(v.path()), "not locked again before the listener heard the loss: " + v.describe());
            release.countDown();
            awaitOrDump("leads again after the listener heard the loss", BOUND,
                    () -> s.isLeader("pollers") && withoutFirstFalse(heard).equals(List.of(true, false, true)));
        } finally {
            release.countDown();
            s.stop();
        }
    }

    /*
     * Each listener is told apart from the others: Camel 4.14's master consumer waits a second in each leadership
     * callback, so told one after the other the master routes of a replica started a second apart each (the inbox
     * poller five seconds after leadership). Failed before: the second listener waited for the first, stuck.
     */
    @Test
    void aListenerStuckInItsCallbackDoesNotHoldUpTheOthers(@TempDir Path tmp) throws Exception {
        FileLockLeaderService s = new FileLockLeaderService("s", tmp.toString(), Duration.ZERO, Duration.ofMillis(50));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean stuck = new java.util.concurrent.atomic.AtomicBoolean();
        List<Boolean> heardBySecond = new CopyOnWriteArrayList<>();
        try (CamelContext c = io.eciconnector.testing.PlainCamel.context()) {
            s.setCamelContext(c);
            s.start();
            CamelClusterView view = s.getView("pollers");
            view.addEventListener((CamelClusterEventListener.Leadership) (v, leader) -> {
                if (leader != null) {
                    stuck.set(true);
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            view.addEventListener((CamelClusterEventListener.Leadership) (v, leader) -> heardBySecond.add(leader != null));
            awaitOrDump("the second listener told it leads while the first is stuck", BOUND,
                    () -> stuck.get() && heardBySecond.contains(true));
        } finally {
            release.countDown();
            s.stop();
        }
    }
}
