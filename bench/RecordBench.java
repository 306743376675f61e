// Benchmark of what a source may hand over (not a test: it prints figures).
//
//   ./mvnw -B -q package -DskipTests && java bench/RecordBench.java [--files 5000] [--per-poll 500] [--heap 256m]
//
// The connector (the packaged jar, its own JVM, the embedded sandbox) gets a folder of N tiny call records (one generic
// JSON call each, ~350 bytes, naming a recording that is not there yet, so each call is taken into the ledger as
// WAITING and nothing is sent): the time from the drop until every call is in the ledger and until the inbox is
// empty, records a second, CPU seconds and peak RSS. --per-poll takes a comma list of eci.ingest.folder.max-files-per-poll
// values, each run in a fresh JVM and directory.
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

public class RecordBench {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path JAR = ROOT.resolve("target/quarkus-app/quarkus-run.jar");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("files", "5000", "per-poll", "500", "heap", "256m"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int n = Integer.parseInt(a.get("files"));
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException("package first: ./mvnw -B -q package -DskipTests");
        }
        System.out.printf("eci-connector record bench: %d tiny records in one folder, heap %s, %d cores%n", n,
                a.get("heap"), Runtime.getRuntime().availableProcessors());
        System.out.printf("%-10s %12s %12s %10s %10s %12s %12s%n", "per-poll", "in ledger s", "inbox empty s",
                "records/s", "cpu s", "peak RSS MB", "heap max MB");
        for (String perPoll : a.get("per-poll").split(",")) {
            run(n, Integer.parseInt(perPoll.trim()), a.get("heap"), a.getOrDefault("extra", ""));
        }
    }

    static void run(int n, int perPoll, String heap, String extra) throws Exception {
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target", "bench").toAbsolutePath()), "eci-record-bench");
        Path staging = Files.createDirectories(work.resolve("staging"));
        Instant start = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        for (int i = 0; i < n; i++) {
            String id = String.format("TINY-%06d", i);
            Files.writeString(staging.resolve(id + ".json"), "{\"externalId\":\"" + id + "\",\"startDateTime\":\""
                    + start + "\",\"endDateTime\":\"" + start.plusSeconds(60) + "\",\"fromPhoneNumber\":\"+16315122409\","
                    + "\"toPhoneNumber\":\"+14155550101\",\"callType\":\"Inbound\",\"userEmail\":"
                    + "\"ava.agent@eci-sandbox.example\",\"recording\":\"" + id + ".wav\"}");
        }
        List<String> props = new ArrayList<>(List.of("-Deci.ingest.folder.max-files-per-poll=" + perPoll));
        if (!extra.isBlank()) {
            props.addAll(List.of(extra.trim().split(" +")));
        }
        App app = new App(work, heap, props.toArray(String[]::new));
        try {
            app.start();
            Path inbox = Files.createDirectories(work.resolve("data/inbox"));
            // older than the read lock's minimum age already: the polls take them at once
            long t0 = System.nanoTime();
            try (Stream<Path> files = Files.list(staging)) {
                for (Path f : files.toList()) {
                    Files.move(f, inbox.resolve(f.getFileName()));
                }
            }
            double inLedger = -1;
            double empty = -1;
            long heapMax = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
            while ((inLedger < 0 || empty < 0) && System.nanoTime() < deadline) {
                Thread.sleep(250);
                double s = (System.nanoTime() - t0) / 1e9;
                if (inLedger < 0 && app.ledgerTotal() >= n) {
                    inLedger = s;
                }
                if (empty < 0) {
                    try (Stream<Path> left = Files.list(inbox)) {
                        if (left.noneMatch(p -> p.toString().endsWith(".json"))) {
                            empty = s;
                        }
                    }
                }
                heapMax = Math.max(heapMax, app.heapUsed());
            }
            System.out.printf("%-10d %12.1f %12.1f %10.0f %10.1f %12.0f %12.0f%n", perPoll, inLedger, empty,
                    inLedger > 0 ? n / inLedger : 0, app.cpuSeconds(), app.peakRssKb() / 1024.0, heapMax / 1048576.0);
        } finally {
            app.stop();
        }
    }

    static final class App {
        final Path work;
        final Path log;
        final int http;
        final int management;
        final List<String> command = new ArrayList<>();
        Process process;

        App(Path work, String heap, String... props) throws IOException {
            this.work = work;
            this.log = work.resolve("app.log");
            this.http = freePort();
            this.management = freePort();
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap,
                    "-Dquarkus.http.port=" + http, "-Dquarkus.management.port=" + management, "-Deci.jolokia.port=0",
                    "-Duser.home=" + work, "-Djava.io.tmpdir=" + work, "-Dquarkus.log.category.\"ingest-folder\".level=WARN"));
            command.addAll(List.of(props));
            command.addAll(List.of("-jar", JAR.toString()));
        }

        void start() throws Exception {
            ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("ECI_ROUTES_DIR", ROOT.resolve("routes").toString());
            pb.environment().put("ECI_CONFIG_FILE", ROOT.resolve("application.properties").toString());
            process = pb.start();
            for (int i = 0; i < 400; i++) {
                try {
                    if (HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/observe/health/ready"))
                            .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // starting
                }
                Thread.sleep(300);
            }
            throw new IllegalStateException("not ready:\n" + Files.readString(log));
        }

        /** Calls in the ledger, whatever their state (the counts of GET /calls). */
        long ledgerTotal() {
            try {
                // the operations API needs the token the connector generated into data/ops/token
                Path token = work.resolve("data/ops/token");
                String bearer = Files.exists(token) ? Files.readString(token).trim() : "";
                HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http
                        + "/calls?state=WAITING&limit=1")).header("Authorization", "Bearer " + bearer)
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException("GET /calls answered " + answer.statusCode() + ": " + answer.body());
                }
                String body = answer.body();
                Matcher counts = Pattern.compile("\"counts\"\\s*:\\s*\\{([^}]*)\\}").matcher(body);
                long sum = 0;
                if (counts.find()) {
                    Matcher m = Pattern.compile(":\\s*(\\d+)").matcher(counts.group(1));
                    while (m.find()) {
                        sum += Long.parseLong(m.group(1));
                    }
                }
                return sum;
            } catch (IllegalStateException e) {
                throw e; // not a connector still starting: the bench cannot measure
            } catch (Exception e) {
                return 0;
            }
        }

        long heapUsed() {
            try {
                String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/observe/metrics"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                long sum = 0;
                Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"[^}]*\\} ([0-9.E+]+)").matcher(metrics);
                while (m.find()) {
                    sum += (long) Double.parseDouble(m.group(1));
                }
                return sum;
            } catch (IllegalStateException e) {
                throw e; // not a connector still starting: the bench cannot measure
            } catch (Exception e) {
                return 0;
            }
        }

        long peakRssKb() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return -1;
        }

        /** utime + stime of the JVM, in seconds (clock ticks of 100 Hz). */
        double cpuSeconds() throws IOException {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        }

        void stop() throws Exception {
            if (process != null) {
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
                }
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
