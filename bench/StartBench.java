// Benchmark of the connector's start (not a test: it prints figures).
//
//   ./mvnw -B -q package -DskipTests && java bench/StartBench.java [--starts 200] [--busy 1] [--bound 120]
//       [--heap 256m] [--jar target/quarkus-app/quarkus-run.jar] [--fresh false]
//
// Starts the packaged jar (its own JVM, embedded sandbox, routes/, file-lock leader election) and stops it with
// SIGTERM, N times in a row in one work directory (as a pod restarts on its volume; --fresh true: a new directory each
// time). Each start counts as ready once /observe/health/ready answers 200, and as leading once
// eci_cluster_leader{group="pollers"} is 1; a start not ready and leading within --bound seconds is a hang: its
// threads are dumped (jcmd Thread.print) next to its log, it is killed, and the loop goes on. --busy N spins N
// threads in this JVM for the whole run, so the starts compete for the CPU as on a loaded machine.
// Prints: starts, ready, leading, hung, stops that were not clean, and start/stop time percentiles.
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

public class StartBench {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("starts", "200", "busy", "0", "bound", "120", "heap", "256m",
                "jar", "target/quarkus-app/quarkus-run.jar", "fresh", "false"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int starts = Integer.parseInt(a.get("starts"));
        int busy = Integer.parseInt(a.get("busy"));
        Duration bound = Duration.ofSeconds(Long.parseLong(a.get("bound")));
        Path jar = Path.of(a.get("jar")).toAbsolutePath();
        boolean fresh = Boolean.parseBoolean(a.get("fresh"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("package first: ./mvnw -B -q package -DskipTests (or --jar <path>)");
        }
        Path root = Path.of("").toAbsolutePath();
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target", "bench").toAbsolutePath()), "eci-start-bench");
        System.out.printf("eci-connector start benchmark: %d starts of %s, %s work directory %s, %d busy threads, "
                + "%d cores, bound %d s%n%n", starts, jar, fresh ? "a fresh" : "one", work, busy,
                Runtime.getRuntime().availableProcessors(), bound.toSeconds());

        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < busy; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (running.get()) {
                    x = x * 31 + 7;
                }
                if (x == 42) {
                    System.out.print("");
                }
            }, "busy-" + i);
            t.setDaemon(true);
            t.start();
            spinners.add(t);
        }

        List<Long> readyMs = new ArrayList<>();
        List<Long> leaderMs = new ArrayList<>();
        List<Long> stopMs = new ArrayList<>();
        int ready = 0;
        int leading = 0;
        int hung = 0;
        int uncleanStops = 0;
        List<String> problems = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 1; i <= starts; i++) {
            Path dir = fresh ? work.resolve("start-" + i) : work.resolve("app");
            Files.createDirectories(dir);
            Path log = dir.resolve("app.log");
            int http = freePort();
            int mgmt = freePort();
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + a.get("heap"), "-XX:+ExitOnOutOfMemoryError", "-Dquarkus.http.port=" + http,
                    "-Dquarkus.management.port=" + mgmt, "-Deci.jolokia.port=0", "-Duser.home=" + dir, "-Djava.io.tmpdir=" + dir, "-jar",
                    jar.toString());
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
            pb.environment().put("ECI_CONFIG_FILE", root.resolve("application.properties").toString());
            pb.environment().put("ECI_ROUTES_DIR", root.resolve("routes").toString());
            long start = System.nanoTime();
            Process p = pb.start();
            long readyAt = -1;
            long leaderAt = -1;
            long deadline = start + bound.toNanos();
            try {
                while (System.nanoTime() < deadline && p.isAlive() && (readyAt < 0 || leaderAt < 0)) {
                    if (readyAt < 0 && status(mgmt, "/observe/health/ready") == 200) {
                        readyAt = System.nanoTime();
                    }
                    if (leaderAt < 0 && leads(mgmt)) {
                        leaderAt = System.nanoTime();
                    }
                    Thread.sleep(100);
                }
                if (readyAt >= 0) {
                    ready++;
                    readyMs.add((readyAt - start) / 1_000_000);
                }
                if (leaderAt >= 0) {
                    leading++;
                    leaderMs.add((leaderAt - start) / 1_000_000);
                }
                if (readyAt < 0 || leaderAt < 0) {
                    hung++;
                    Path keep = work.resolve("hung-" + i);
                    Files.createDirectories(keep);
                    if (p.isAlive()) {
                        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd")
                                .toString(), String.valueOf(p.pid()), "Thread.print", "-l")
                                .redirectErrorStream(true).redirectOutput(keep.resolve("threads.txt").toFile()).start();
                        jcmd.waitFor(60, TimeUnit.SECONDS);
                    }
                    problems.add(String.format("start %d: %s%s (log and threads in %s)", i,
                            p.isAlive() ? "" : "exited " + p.exitValue() + ", ",
                            readyAt < 0 ? "never ready" : "ready but never leading", keep));
                    p.destroyForcibly();
                    p.waitFor(30, TimeUnit.SECONDS);
                    // a killed start leaves the ledger as a crash does: the next start goes on from it
                    Files.copy(log, keep.resolve("app.log"));
                    continue;
                }
                long stopAt = System.nanoTime();
                p.destroy();
                if (!p.waitFor(90, TimeUnit.SECONDS)) {
                    uncleanStops++;
                    // what the stop waits for: its threads and its log, kept as a hung start's are
                    Path keep = work.resolve("stop-hung-" + i);
                    Files.createDirectories(keep);
                    Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd")
                            .toString(), String.valueOf(p.pid()), "Thread.print", "-l")
                            .redirectErrorStream(true).redirectOutput(keep.resolve("threads.txt").toFile()).start();
                    jcmd.waitFor(60, TimeUnit.SECONDS);
                    Files.copy(log, keep.resolve("app.log"));
                    problems.add("start " + i + ": not stopped within 90 s of SIGTERM (log and threads in " + keep + ")");
                    p.destroyForcibly();
                    p.waitFor(30, TimeUnit.SECONDS);
                } else {
                    stopMs.add((System.nanoTime() - stopAt) / 1_000_000);
                    // 143 = 128 + SIGTERM: the JVM ended by the signal after its shutdown hooks
                    if (p.exitValue() != 0 && p.exitValue() != 143) {
                        uncleanStops++;
                        problems.add("start " + i + ": exit status " + p.exitValue() + " after SIGTERM");
                    }
                }
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
            if (i % 10 == 0 || i == starts) {
                System.out.printf("  %d/%d starts: %d ready, %d leading, %d hung (%.0f s)%n", i, starts, ready,
                        leading, hung, (System.nanoTime() - t0) / 1e9);
            }
        }
        running.set(false);
        for (Thread t : spinners) {
            t.join();
        }

        System.out.printf("%nstarts %d, ready %d, leading %d, hung %d, unclean stops %d (total %.0f s)%n", starts,
                ready, leading, hung, uncleanStops, (System.nanoTime() - t0) / 1e9);
        System.out.println("start to ready   (ms) " + percentiles(readyMs));
        System.out.println("start to leading (ms) " + percentiles(leaderMs));
        System.out.println("SIGTERM to exit  (ms) " + percentiles(stopMs));
        problems.forEach(s -> System.out.println("  " + s));
    }

    static String percentiles(List<Long> values) {
        if (values.isEmpty()) {
            return "none";
        }
        List<Long> v = new ArrayList<>(values);
        Collections.sort(v);
        return String.format("p50 %d  p90 %d  p99 %d  max %d  (n=%d)", pct(v, 50), pct(v, 90), pct(v, 99),
                v.get(v.size() - 1), v.size());
    }

    static long pct(List<Long> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    static int status(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static boolean leads(int port) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            for (String line : body.split("\n")) {
                if (line.startsWith("eci_cluster_leader{") && line.contains("group=\"pollers\"")) {
                    return line.endsWith(" 1.0");
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
