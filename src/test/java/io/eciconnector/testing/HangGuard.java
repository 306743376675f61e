package io.eciconnector.testing;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import io.eciconnector.startup.ThreadDump;

/**
 * Makes a hung test JVM end with a thread dump instead of hanging (registered for every test run through
 * META-INF/services). JUnit's own timeout ({@code junit.jupiter.execution.timeout.default} in
 * pom.xml, with its thread dump) fails a test that waits interruptibly; this guard covers what it
 * cannot: a test or a test class's setup (a Quarkus application start) stuck in a lock that ignores interrupts. When
 * a test runs longer than {@link #TEST_BOUND}, a test class longer than {@link #CLASS_BOUND}, or the whole fork
 * comes within a minute of Surefire's/Failsafe's fork timeout ({@code eci.test.fork-timeout}, seconds), it writes
 * every thread's stack to {@code target/hang-dumps/} and to the output, ends the child processes, and halts the JVM
 * (the build fails: "the forked VM terminated").
 * <p>
 * It also ends every child process still running at the JVM's exit (a packaged jar, S3Proxy or kinesalite left behind
 * by a failed test, once the test resources had 10 s to stop their own), and names them.
 */
public class HangGuard implements TestExecutionListener {

    static final Duration TEST_BOUND = Duration.ofMinutes(7);
    static final Duration CLASS_BOUND = Duration.ofMinutes(12);
    static final int EXIT = 86;

    private final Map<String, Long> running = new ConcurrentHashMap<>();
    private final Map<String, TestIdentifier> ids = new ConcurrentHashMap<>();
    private final Duration testBound;
    private final Duration classBound;
    private final long forkTimeoutSeconds;
    private final java.util.function.Consumer<String> onHang;
    private volatile ScheduledExecutorService timer;
    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();

    public HangGuard() {
        this(TEST_BOUND, CLASS_BOUND, Long.getLong("eci.test.fork-timeout", 0), null);
    }

    /** With other bounds (a fork timeout of 0: none), and what to do on a hang instead of halting (HangGuardTest). */
    HangGuard(Duration testBound, Duration classBound, long forkTimeoutSeconds,
            java.util.function.Consumer<String> onHang) {
        this.testBound = testBound;
        this.classBound = classBound;
        this.forkTimeoutSeconds = forkTimeoutSeconds;
        this.onHang = onHang != null ? onHang : this::halt;
    }

    /**
     * Surefire runs each test class as a test plan of its own: the guard starts with the first plan and ends the
     * children only at the JVM's exit (a class's QuarkusTestResource, S3Proxy or kinesalite, may serve later classes).
     */
    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "eci-hang-guard");
            th.setDaemon(true);
            return th;
        });
        timer = t;
        t.scheduleWithFixedDelay(this::check, 10, 10, TimeUnit.SECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> endChildren("at the JVM's exit", Duration.ofSeconds(10)),
                "eci-hang-guard-exit"));
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        if (id.isTest() || id.getSource().map(s -> s instanceof org.junit.platform.engine.support.descriptor.ClassSource)
                .orElse(false)) {
            running.put(id.getUniqueId(), System.nanoTime());
            ids.put(id.getUniqueId(), id);
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        running.remove(id.getUniqueId());
        ids.remove(id.getUniqueId());
    }

    void check() {
        long now = System.nanoTime();
        for (Map.Entry<String, Long> e : running.entrySet()) {
            TestIdentifier id = ids.get(e.getKey());
            if (id == null) {
                continue;
            }
            Duration bound = id.isTest() ? testBound : classBound;
            Duration ran = Duration.ofNanos(now - e.getValue());
            if (ran.compareTo(bound) > 0) {
                onHang.accept((id.isTest() ? "test " : "test class ") + id.getLegacyReportingName() + " of " + e.getKey()
                        + " still running after " + ran.toMillis() + " ms (bound " + bound.toMillis() + " ms)");
                return;
            }
        }
        long forkTimeout = forkTimeoutSeconds;
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
        if (forkTimeout > 0 && uptime > forkTimeout - 60) {
            onHang.accept("the test JVM has run " + uptime + " s, within a minute of the fork timeout (" + forkTimeout
                    + " s); running: " + running.keySet());
        }
    }

    void halt(String why) {
        String dump = ThreadDump.all();
        String text = "HANG: " + why + "\n" + dump;
        try {
            Path dir = Files.createDirectories(Path.of("target", "hang-dumps"));
            Path file = dir.resolve("hang-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                    + ".txt");
            Files.writeString(file, text);
            text = "HANG (thread dump also in " + file.toAbsolutePath() + "): " + why + "\n" + dump;
        } catch (IOException e) {
            // printed below anyway
        }
        for (PrintStream out : List.of(System.err, System.out)) {
            out.println(text);
            out.flush();
        }
        endChildren("before halting", Duration.ZERO);
        Runtime.getRuntime().halt(EXIT);
    }

    /**
     * Ends every process this JVM started that still runs after {@code grace} (the test resources' own shutdown
     * runs meanwhile): SIGTERM, then SIGKILL 10 s later; names each.
     */
    static void endChildren(String when, Duration grace) {
        List<ProcessHandle> children = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        long graceEnd = System.nanoTime() + grace.toNanos();
        for (ProcessHandle p : children) {
            try {
                p.onExit().get(Math.max(1, graceEnd - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception stillRunning) {
                // ended below
            }
        }
        List<ProcessHandle> left = children.stream().filter(ProcessHandle::isAlive).toList();
        for (ProcessHandle p : left) {
            System.err.println("HangGuard: ending child process " + p.pid() + " still running " + when + ": "
                    + p.info().commandLine().orElse("?"));
            p.destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle p : left) {
            try {
                p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
    }
}
