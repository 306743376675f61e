// Benchmark of the recording-ingest flow (not a test: it prints figures).
//
//   ./mvnw -B -q package -DskipTests && java bench/IngestBench.java [--calls 1000] [--concurrency 4] [--heap 256m]
//       [--warmup 0] [--timeline false] [--users 0] [--recording-names record|connect] [--extra "JVM options"]
//       [--jar target/quarkus-app/quarkus-run.jar]
//
// --warmup N: N other calls go through the connector first (measured apart), so the figures below are those of a
// connector that has run a while (compiled code, sized heap) rather than of one just started. The plain client
// always meets a warm sandbox: the connector's run before it has warmed the sandbox in the same JVM.
//
// --users N: the embedded org has N more active users, each with a Phone (a real org's directory; every call is
// compared with every user's number).
//
// 1. The connector (the packaged jar, its own JVM, the embedded sandbox) takes N drops of small recordings: calls per
//    second from drop to upload, API requests used against the minimum ceil(N/200) + N, peak heap and peak RSS.
// 2. The same requests (ceil(N/200) creates, N streamed uploads, same concurrency) sent by a plain JDK HTTP client
//    straight to the sandbox: the connector's overhead as a ratio, measured in the same run.
// 3. One 64 MB recording uploaded by a connector running with -Xmx64m.
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class IngestBench {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static Path JAR = ROOT.resolve("target/quarkus-app/quarkus-run.jar");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("calls", "1000", "concurrency", "4", "heap", "256m"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int n = Integer.parseInt(a.get("calls"));
        int concurrency = Integer.parseInt(a.get("concurrency"));
        if (a.containsKey("jar")) {
            JAR = Path.of(a.get("jar")).toAbsolutePath();
        }
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException("package first: ./mvnw -B -q package -DskipTests");
        }
        System.out.printf("eci-connector ingest benchmark: %d calls, upload concurrency %d, heap %s, %d cores%n%n", n,
                concurrency, a.get("heap"), Runtime.getRuntime().availableProcessors());

        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target", "bench").toAbsolutePath()), "eci-bench");
        List<String> props = new ArrayList<>(List.of(a.getOrDefault("extra", "-Dx=1").trim().split(" +")));
        props.addAll(List.of("-Deci.create.max-wait=1S", "-Deci.create.recovery-ms=1000",
                "-Deci.upload.recovery-ms=1000", "-Deci.ingest.folder.poll-ms=200", "-Deci.upload.concurrency=" + concurrency));
        // --recording-names connect: recordings named {id}_{time}_UTC.wav, as Amazon Connect names them, found by prefix
        String suffix = "connect".equals(a.get("recording-names")) ? "_20261120T10:00_UTC" : "";
        for (int u = 0; u < Integer.parseInt(a.getOrDefault("users", "0")); u++) {
            String i = "-Deci.sandbox.users[" + (5 + u) + "].";
            props.addAll(List.of(i + "id=0055e" + String.format("%07d", u) + "BenAAC", i + "email=user" + u
                    + "@bench.example", i + "phone=(212) 555-" + String.format("%04d", u % 10000)));
        }
        App app = new App(work, a.get("heap"), props.toArray(String[]::new));
        app.start();
        Path staging = Files.createDirectories(work.resolve("staging"));
        Path inbox = Files.createDirectories(work.resolve("data/inbox"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "0"));
        if (warmup > 0) {
            Path warm = Files.createDirectories(work.resolve("staging-warmup"));
            for (int i = 0; i < warmup; i++) {
                String id = String.format("WARMUP-%06d", i);
                wav(warm.resolve(id + suffix + ".wav"), 8000, 4000);
                Files.writeString(warm.resolve(id + ".json"), record(id));
            }
            long w0 = System.nanoTime();
            for (String ext : List.of(".wav", ".json")) {
                for (Path p : Files.list(warm).sorted().toList()) {
                    if (p.toString().endsWith(ext)) {
                        Files.move(p, inbox.resolve(p.getFileName()));
                    }
                }
            }
            while (uploaded(app) < warmup) {
                if (System.nanoTime() - w0 > TimeUnit.MINUTES.toNanos(20)) {
                    throw new IllegalStateException("warm-up not done in 20 minutes");
                }
                Thread.sleep(250);
            }
            System.out.printf("warm-up: %d calls uploaded in %.1f s (not counted below)%n%n", warmup,
                    (System.nanoTime() - w0) / 1e9);
        }
        for (int i = 0; i < n; i++) {
            String id = String.format("BENCH-%06d", i);
            wav(staging.resolve(id + suffix + ".wav"), 8000, 4000); // 0.5 s mono
            Files.writeString(staging.resolve(id + ".json"), record(id));
        }
        Map<String, Integer> before = warmup > 0 ? app.requests() : Map.of();
        long cpu0 = app.cpuMillis();
        double commits0 = app.counter("eci_ledger_commits_total");
        double works0 = app.counter("eci_ledger_grouped_works_total");
        long t0 = System.nanoTime();
        for (Path p : Files.list(staging).sorted().toList()) { // recordings first, then records
            if (p.toString().endsWith(".wav")) {
                Files.move(p, inbox.resolve(p.getFileName()));
            }
        }
        for (Path p : Files.list(staging).sorted().toList()) {
            Files.move(p, inbox.resolve(p.getFileName()));
        }
        long peakHeap = 0;
        boolean timeline = Boolean.parseBoolean(a.getOrDefault("timeline", "false"));
        long lastLine = 0;
        while (uploaded(app) < warmup + n) {
            peakHeap = Math.max(peakHeap, app.heapUsed());
            if (timeline && System.nanoTime() - lastLine >= TimeUnit.MILLISECONDS.toNanos(500)) {
                // where the calls are: the ledger's counts by state, and the files still in the inbox
                lastLine = System.nanoTime();
                Matcher counts = Pattern.compile("\"counts\"\\s*:\\s*\\{([^}]*)\\}").matcher(app.get("/calls?state=UPLOADED&limit=1"));
                long records;
                try (var left = Files.list(inbox)) {
                    records = left.filter(p -> p.toString().endsWith(".json")).count();
                }
                System.out.printf("  %5.1f s  records in inbox %4d  ledger %s%n", (lastLine - t0) / 1e9, records,
                        counts.find() ? counts.group(1).replace("\"", "") : "?");
            }
            if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(20)) {
                throw new IllegalStateException("not done in 20 minutes");
            }
            Thread.sleep(250);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (app.cpuMillis() - cpu0) / 1e3;
        double commits = app.counter("eci_ledger_commits_total") - commits0;
        double works = app.counter("eci_ledger_grouped_works_total") - works0;
        Map<String, Integer> requests = new HashMap<>(app.requests());
        before.forEach((api, count) -> requests.merge(api, -count, Integer::sum)); // the warm-up's requests
        int creates = requests.getOrDefault("eci.voicecalls", 0);
        int uploads = requests.getOrDefault("eci.audio_upload", 0);
        int total = requests.values().stream().mapToInt(Integer::intValue).sum();
        int minimum = (n + 199) / 200 + n;
        long rss = app.peakRssKb();

        // the plain client against the same sandbox, with the recordings the connector archived
        List<Path> recordings = new ArrayList<>();
        try (var s = Files.walk(work.resolve("data/done"))) {
            s.filter(p -> p.getFileName().toString().startsWith("BENCH-") && p.toString().endsWith(".wav")).sorted()
                    .forEach(recordings::add);
        }
        long plainCpu0 = app.cpuMillis();
        double plain = plainClient(app, recordings, concurrency);
        double plainCpu = (app.cpuMillis() - plainCpu0) / 1e3;
        app.stop();

        System.out.println("| measure | connector | plain HTTP client |");
        System.out.println("|---|---|---|");
        System.out.printf("| calls, drop to uploaded | %d in %.1f s | %d in %.1f s |%n", n, seconds, recordings.size(), plain);
        System.out.printf("| calls per second | %.1f | %.1f |%n", n / seconds, recordings.size() / plain);
        System.out.printf("| time ratio connector / plain | %.2f | 1 |%n", seconds / plain);
        System.out.printf("| CPU of the connector's JVM (its sandbox included) | %.1f s, %.1f ms a call | %.1f s (the sandbox) |%n",
                cpu, cpu * 1e3 / n, plainCpu);
        if (commits0 >= 0) { // a build without the metric (an older jar) prints no row
            System.out.printf("| ledger commits (changes committed in groups) | %.0f, %.1f a call (%.0f) | - |%n",
                    commits, commits / n, works);
        }
        System.out.printf("| create requests (POST voicecalls) | %d | %d |%n", creates, (n + 199) / 200);
        System.out.printf("| upload requests | %d | %d |%n", uploads, recordings.size());
        System.out.printf("| all API requests (incl. login, status, registration, lookups) | %d | %d |%n", total,
                (n + 199) / 200 + recordings.size() + 2);
        System.out.printf("| minimum ceil(N/200) + N | %d | %d |%n", minimum, minimum);
        System.out.printf("| peak heap used (sampled) | %.0f MB | - |%n", peakHeap / 1e6);
        System.out.printf("| peak RSS of the JVM | %.0f MB | - |%n", rss / 1024.0);
        System.out.println();

        // 3. a 64 MB recording through a 64 MB heap
        Path big = Files.createTempDirectory(Files.createDirectories(Path.of("target", "bench").toAbsolutePath()), "eci-bench-64");
        App small = new App(big, "64m", "-Deci.create.max-wait=1S", "-Deci.create.recovery-ms=1000",
                "-Deci.upload.recovery-ms=1000", "-Deci.ingest.folder.poll-ms=200");
        small.start();
        Path bigInbox = Files.createDirectories(big.resolve("data/inbox"));
        Path bigStage = Files.createDirectories(big.resolve("staging"));
        wav(bigStage.resolve("BIG-64MB.wav"), 8000, (64L * 1024 * 1024 - 44) / 2);
        Files.writeString(bigStage.resolve("BIG-64MB.json"), record("BIG-64MB"));
        long b0 = System.nanoTime();
        Files.move(bigStage.resolve("BIG-64MB.wav"), bigInbox.resolve("BIG-64MB.wav"));
        Files.move(bigStage.resolve("BIG-64MB.json"), bigInbox.resolve("BIG-64MB.json"));
        long bigHeap = 0;
        while (uploaded(small) < 1) {
            bigHeap = Math.max(bigHeap, small.heapUsed());
            if (!small.process.isAlive()) {
                throw new IllegalStateException("the -Xmx64m connector died:\n" + Files.readString(small.log));
            }
            Thread.sleep(200);
        }
        double bigSeconds = (System.nanoTime() - b0) / 1e9;
        String voicecalls = small.get("/sandbox/voicecalls");
        Matcher bytes = Pattern.compile("\"bytes\":(\\d+)").matcher(voicecalls);
        long received = bytes.find() ? Long.parseLong(bytes.group(1)) : -1;
        System.out.printf("64 MB recording with -Xmx64m: uploaded in %.1f s (%d bytes received by the sandbox), "
                + "peak heap used %.0f MB, peak RSS %.0f MB%n", bigSeconds, received, bigHeap / 1e6,
                small.peakRssKb() / 1024.0);
        small.stop();
    }

    static final String START = java.time.Instant.now().minusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            .toString().replace("Z", ".000Z");
    static final String END = java.time.Instant.now().minusSeconds(3540).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            .toString().replace("Z", ".000Z");

    static String record(String id) {
        return "{\"externalId\":\"" + id + "\",\"startDateTime\":\"" + START + "\","
                + "\"endDateTime\":\"" + END + "\",\"fromPhoneNumber\":\"+16315122409\","
                + "\"toPhoneNumber\":\"+14155550101\",\"callType\":\"Inbound\","
                + "\"userEmail\":\"ava.agent@eci-sandbox.example\",\"recordingDuration\":60}";
    }

    static int uploaded(App app) throws Exception {
        Matcher m = Pattern.compile("\"UPLOADED\":(\\d+)").matcher(app.get("/calls?state=UPLOADED&limit=1"));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** ceil(N/200) creates, then N multipart uploads streamed from disk with `concurrency` threads. */
    static double plainClient(App app, List<Path> recordings, int concurrency) throws Exception {
        String base = "http://127.0.0.1:" + app.http;
        HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/services/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=eci-connector-sandbox"
                        + "&client_secret=sandbox-client-secret")).build(), HttpResponse.BodyHandlers.ofString());
        String token = field(login.body(), "access_token");
        String provider = field(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/services/data/v60.0/sobjects/CallCoachingMediaProvider"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ProviderName\":\"plain-client\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).body(), "id");
        long t0 = System.nanoTime();
        List<String> uploadUrls = new ArrayList<>();
        for (int i = 0; i < recordings.size(); i += 200) {
            StringBuilder body = new StringBuilder("{\"calls\":[");
            for (int j = i; j < Math.min(recordings.size(), i + 200); j++) {
                String id = "PLAIN-" + j;
                body.append(j > i ? "," : "").append("{\"externalId\":\"").append(id).append("\",")
                        .append("\"startDateTime\":\"2026-11-20T10:00:00.000Z\",\"endDateTime\":\"2026-11-20T10:01:00.000Z\",")
                        .append("\"fromPhoneNumber\":\"+16315122409\",\"toPhoneNumber\":\"+14155550101\",")
                        .append("\"callType\":\"Inbound\",\"userId\":\"0055e000001Ava0AAC\",\"recordingDuration\":60,")
                        .append("\"numberChannels\":1,\"userChannel\":0,\"recordingFormat\":\"wav\",")
                        .append("\"mediaProviderId\":\"").append(provider).append("\"}");
            }
            body.append("]}");
            String answer = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/services/data/v60.0/voicecalls"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("\"uploadUrl\":\"([^\"]+)\"").matcher(answer);
            while (m.find()) {
                uploadUrls.add(m.group(1));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < uploadUrls.size(); i++) {
            String url = uploadUrls.get(i);
            Path file = recordings.get(i);
            results.add(pool.submit(() -> {
                String boundary = "plain-" + System.nanoTime();
                byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"audioFileData\"; filename=\""
                        + file.getFileName() + "\"\r\nContent-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.UTF_8);
                byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
                HttpRequest.BodyPublisher bodyPublisher = HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofByteArray(head), HttpRequest.BodyPublishers.ofFile(file),
                        HttpRequest.BodyPublishers.ofByteArray(tail));
                return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary).POST(bodyPublisher).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            }));
        }
        for (Future<Integer> f : results) {
            if (f.get() != 204) {
                throw new IllegalStateException("plain upload answered " + f.get());
            }
        }
        pool.shutdown();
        return (System.nanoTime() - t0) / 1e9;
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException(name + " not in " + json);
        }
        return m.group(1);
    }

    /** A mono 16-bit PCM WAV of `samples` samples, written in chunks. */
    static void wav(Path file, int rate, long samples) throws IOException {
        long data = samples * 2;
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
            h.put("RIFF".getBytes()).putInt((int) (36 + data)).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                    .putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2).putShort((short) 2)
                    .putShort((short) 16).put("data".getBytes()).putInt((int) data);
            out.write(h.array());
            byte[] chunk = new byte[8192];
            for (int i = 0; i < chunk.length; i += 2) {
                short s = (short) (Math.sin(i * 0.05) * 8000);
                chunk[i] = (byte) s;
                chunk[i + 1] = (byte) (s >> 8);
            }
            for (long left = data; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
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
                    "-Dquarkus.http.port=" + http, "-Dquarkus.management.port=" + management,
                    "-Djava.io.tmpdir=" + work, "-Dquarkus.log.category.\"ingest-folder\".level=WARN",
                    "-Dquarkus.log.category.\"create-voicecalls\".level=WARN"));
            command.addAll(List.of(props));
            command.addAll(List.of("-jar", JAR.toString()));
        }

        void start() throws Exception {
            ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("ECI_ROUTES_DIR", ROOT.resolve("routes").toString());
            pb.environment().put("ECI_CONFIG_FILE", ROOT.resolve("application.properties").toString());
            process = pb.start();
            for (int i = 0; i < 300; i++) {
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

        /** A GET with the operations token the connector generated into data/ops/token (the operations API needs it). */
        String get(String path) throws Exception {
            Path token = work.resolve("data/ops/token");
            String bearer = Files.exists(token) ? Files.readString(token).trim() : "";
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + path))
                    .header("Authorization", "Bearer " + bearer).build(), HttpResponse.BodyHandlers.ofString()).body();
        }

        Map<String, Integer> requests() throws Exception {
            Map<String, Integer> out = new HashMap<>();
            String body = get("/sandbox/requests");
            Matcher m = Pattern.compile("\"([a-z._]+)\":(\\d+)").matcher(body.substring(body.indexOf("byEndpoint")));
            while (m.find()) {
                if (m.group(1).contains(".") || m.group(1).equals("query") || m.group(1).equals("limits")) {
                    out.put(m.group(1), Integer.parseInt(m.group(2)));
                }
            }
            return out;
        }

        /** The connector's metrics as Prometheus text, or null when they cannot be read. */
        String metrics() {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/observe/metrics"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (Exception e) {
                return null;
            }
        }

        /** The sum of a metric's series whose labels start with {@code labels} (a regex), or -1 when none is read. */
        double sum(String name, String labels) {
            String metrics = metrics();
            if (metrics == null) {
                return -1;
            }
            double sum = -1;
            Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{" + labels + "[^}]*\\})? ([0-9.E+]+)").matcher(metrics);
            while (m.find()) {
                sum = Math.max(sum, 0) + Double.parseDouble(m.group(1));
            }
            return sum;
        }

        /** A counter of the connector's metrics (summed over its series), or -1 when it cannot be read. */
        double counter(String name) {
            return sum(name, "");
        }

        long heapUsed() {
            return (long) Math.max(0, sum("jvm_memory_used_bytes", "area=\"heap\""));
        }

        /** utime + stime of the connector's JVM, in milliseconds (clock ticks of 10 ms). */
        long cpuMillis() throws IOException {
            String[] f = Files.readString(Path.of("/proc/" + process.pid() + "/stat")).replaceFirst(".*\\) ", "").split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        }

        long peakRssKb() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return -1;
        }

        void stop() throws InterruptedException {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            }
        }
    }
}
