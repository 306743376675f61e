// Reliability benchmark of the packaged connector (not a test: it prints figures). Issue 10, "Done when".
//
//   ./mvnw -B -q package -DskipTests && java bench/ReliabilityBench.java [--campaign both|kill|fault]
//       [--kill-calls 500] [--kills 25] [--fault-calls 1000] [--settle 10S] [--timeout 3S] [--batch 20]
//       [--create-delay-ms 1500] [--upload-delay-ms 400] [--drain-minutes 15] [--seed 7] [--heap 256m]
//       [--jar target/quarkus-app/quarkus-run.jar]
//
// The org is a sandbox in its own JVM (no routes); the connector runs against it as against a real org, in its own
// JVM and work directory, with short request timeouts (--timeout) and a short settle time (--settle: how long after a
// request whose outcome is unknown the org may still apply it; Salesforce's own bound is 10 minutes, the connector's
// default 11), so a campaign takes minutes, not hours.
//
// kill campaign: --kill-calls calls (0.5 s WAVs) dropped at once; every create request is applied --create-delay-ms
//   late and every upload --upload-delay-ms late (the org holds them), so kills land mid-request; the connector is
//   started, killed with SIGKILL (kill -9) once a create or an upload is in flight, --kills times, in one work
//   directory (its instance id kept in data/instance-id), then started once more to finish.
// fault campaign: --fault-calls calls through a connector while the org injects faults at random (seeded) into the
//   create and upload requests: answers after the client's timeout (applied at once, answered late), requests applied
//   after the client gave up, connections reset after applying and before, 503 and 429 with Retry-After.
//
// Each campaign prints: calls, lost (no VoiceCall with its recording in the org), duplicate VoiceCalls (VoiceCalls
// beyond one per VendorCallKey), duplicate uploads (recordings received beyond one per VoiceCall), stuck (ledger rows
// not UPLOADED/SKIPPED/DEAD, or drops left in the inbox, once the run has drained), dead, the faults met, and the time.
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

public class ReliabilityBench {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static Path JAR = ROOT.resolve("target/quarkus-app/quarkus-run.jar");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static Map<String, String> a;

    public static void main(String[] args) throws Exception {
        a = new HashMap<>(Map.ofEntries(Map.entry("campaign", "both"), Map.entry("kill-calls", "500"),
                Map.entry("kills", "25"), Map.entry("fault-calls", "1000"), Map.entry("settle", "10S"),
                Map.entry("timeout", "3S"), Map.entry("batch", "20"), Map.entry("create-delay-ms", "1500"),
                Map.entry("upload-delay-ms", "400"), Map.entry("drain-minutes", "15"), Map.entry("seed", "7"),
                Map.entry("heap", "256m")));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (a.containsKey("jar")) {
            JAR = Path.of(a.get("jar")).toAbsolutePath();
        }
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException("package first: ./mvnw -B -q package -DskipTests (or --jar <path>)");
        }
        System.out.printf("eci-connector reliability benchmark: %s, settle time %s, request timeout %s, create batch %s,"
                + " %d cores%n%n", a, a.get("settle"), a.get("timeout"), a.get("batch"),
                Runtime.getRuntime().availableProcessors());
        List<String> rows = new ArrayList<>();
        boolean ok = true;
        String c = a.get("campaign");
        if (c.equals("both") || c.equals("kill")) {
            Result r = killCampaign();
            rows.add(r.row());
            ok &= r.clean();
        }
        if (c.equals("both") || c.equals("fault")) {
            Result r = faultCampaign();
            rows.add(r.row());
            ok &= r.clean();
        }
        System.out.println();
        System.out.println("| campaign | calls | lost | duplicate VoiceCalls | duplicate uploads | stuck | dead | what was done | time |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println(ok ? "\nALL ZERO" : "\nNOT ALL ZERO");
        System.exit(ok ? 0 : 1);
    }

    record Result(String name, int calls, int lost, int dupCalls, int dupUploads, int stuck, int dead, String what,
            double seconds) {
        String row() {
            return String.format("| %s | %d | %d | %d | %d | %d | %d | %s | %.0f s |", name, calls, lost, dupCalls,
                    dupUploads, stuck, dead, what, seconds);
        }

        boolean clean() {
            return lost == 0 && dupCalls == 0 && dupUploads == 0 && stuck == 0 && dead == 0;
        }
    }

    // ------------------------------------------------------------------ campaigns

    static Result killCampaign() throws Exception {
        int n = Integer.parseInt(a.get("kill-calls"));
        int kills = Integer.parseInt(a.get("kills"));
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target", "bench").toAbsolutePath()), "eci-rel-kill");
        long t0 = System.nanoTime();
        try (App org = App.sandbox(work.resolve("org"))) {
            org.post("/sandbox/faults", "[{\"endpoint\":\"eci.voicecalls\",\"action\":\"delay\",\"delayMs\":"
                    + a.get("create-delay-ms") + ",\"rate\":1.0},{\"endpoint\":\"eci.audio_upload\",\"action\":\"delay\","
                    + "\"delayMs\":" + a.get("upload-delay-ms") + ",\"rate\":1.0}]");
            Path dir = work.resolve("connector");
            List<String> ids = drop(dir, "KILL", n);
            Random random = new Random(Long.parseLong(a.get("seed")));
            int midCreate = 0;
            int midUpload = 0;
            int done = 0;
            for (int k = 1; k <= kills; k++) {
                App app = App.connector(dir, org);
                try {
                    app.start();
                    // wait, up to 20 s, for a request in flight, then a random moment within it
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    Map<String, Integer> counts = Map.of();
                    while (System.nanoTime() < until) {
                        counts = app.counts();
                        if (counts.getOrDefault("CREATING", 0) + counts.getOrDefault("UPLOADING", 0) > 0) {
                            break;
                        }
                        Thread.sleep(50);
                    }
                    Thread.sleep(random.nextInt(Math.max(1, Integer.parseInt(a.get("create-delay-ms")))));
                    counts = app.counts();
                    done = counts.getOrDefault("UPLOADED", 0);
                    if (counts.getOrDefault("CREATING", 0) > 0) {
                        midCreate++;
                    }
                    if (counts.getOrDefault("UPLOADING", 0) > 0) {
                        midUpload++;
                    }
                } finally {
                    app.kill();
                }
                System.out.printf("kill %d/%d: %d of %d uploaded before it%n", k, kills, done, n);
            }
            App last = App.connector(dir, org);
            try {
                last.start();
                drain(last, n);
                Result r = result("kill -9", n, ids, org, last, dir, String.format(
                        "%d kills (SIGKILL): %d with a create in flight, %d with uploads in flight; creates applied "
                                + "%s ms late, uploads %s ms late", kills, midCreate, midUpload,
                        a.get("create-delay-ms"), a.get("upload-delay-ms")), t0);
                return r;
            } finally {
                last.kill();
            }
        }
    }

    static Result faultCampaign() throws Exception {
        int n = Integer.parseInt(a.get("fault-calls"));
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target", "bench").toAbsolutePath()), "eci-rel-fault");
        long t0 = System.nanoTime();
        long timeoutMs = Duration.parse("PT" + a.get("timeout")).toMillis();
        long late = timeoutMs + 1500;
        try (App org = App.sandbox(work.resolve("org"))) {
            StringBuilder faults = new StringBuilder("[");
            long seed = Long.parseLong(a.get("seed"));
            for (String e : List.of("eci.voicecalls", "eci.audio_upload")) {
                faults.append(faults.length() > 1 ? "," : "")
                        .append("{\"endpoint\":\"").append(e).append("\",\"action\":\"answer-late\",\"delayMs\":")
                        .append(late).append(",\"rate\":0.14,\"seed\":").append(seed).append("},")
                        .append("{\"endpoint\":\"").append(e).append("\",\"action\":\"delay\",\"delayMs\":")
                        .append(late).append(",\"rate\":0.08},")
                        .append("{\"endpoint\":\"").append(e).append("\",\"action\":\"reset-after\",\"rate\":0.06},")
                        .append("{\"endpoint\":\"").append(e).append("\",\"action\":\"reset-before\",\"rate\":0.04},")
                        .append("{\"endpoint\":\"").append(e).append("\",\"status\":503,\"retryAfter\":1,\"rate\":0.05},")
                        .append("{\"endpoint\":\"").append(e).append("\",\"status\":429,\"retryAfter\":1,\"rate\":0.04}");
            }
            org.post("/sandbox/faults", faults.append("]").toString());
            Path dir = work.resolve("connector");
            List<String> ids = drop(dir, "FAULT", n);
            App app = App.connector(dir, org);
            try {
                app.start();
                drain(app, n);
                // the faults met, by action, against the create and upload requests
                Object fs = Json.parse(org.get("/sandbox/faults"));
                Map<String, Long> hits = new LinkedHashMap<>();
                long faulted = 0;
                for (Object f : (List<?>) fs) {
                    Map<?, ?> m = (Map<?, ?>) f;
                    String key = m.get("action") + (m.get("status") != null ? " " + m.get("status") : "");
                    long h = ((Number) m.get("hits")).longValue();
                    hits.merge(key, h, Long::sum);
                    faulted += h;
                }
                Map<?, ?> byEndpoint = (Map<?, ?>) ((Map<?, ?>) Json.parse(org.get("/sandbox/requests"))).get("byEndpoint");
                long requests = ((Number) byEndpoint.get("eci.voicecalls")).longValue()
                        + ((Number) byEndpoint.get("eci.audio_upload")).longValue();
                return result("faults", n, ids, org, app, dir, String.format("%d of %d create/upload requests faulted "
                        + "(%.0f %%): %s; late answers and late applies %d ms after a %d ms client timeout", faulted,
                        requests, 100.0 * faulted / requests, hits, late, timeoutMs), t0);
            } finally {
                app.kill();
            }
        }
    }

    /** Waits until every call is UPLOADED, SKIPPED or DEAD, or nothing has moved for --drain-minutes. */
    static void drain(App app, int n) throws Exception {
        long quietLimit = TimeUnit.MINUTES.toNanos(Long.parseLong(a.get("drain-minutes")));
        long lastMove = System.nanoTime();
        int last = -1;
        while (System.nanoTime() - lastMove < quietLimit) {
            Map<String, Integer> c = app.counts();
            int terminal = c.getOrDefault("UPLOADED", 0) + c.getOrDefault("SKIPPED", 0) + c.getOrDefault("DEAD", 0);
            if (terminal >= n) {
                return;
            }
            if (terminal != last) {
                last = terminal;
                lastMove = System.nanoTime();
            }
            Thread.sleep(500);
        }
    }

    @SuppressWarnings("unchecked")
    static Result result(String name, int n, List<String> ids, App org, App app, Path dir, String what, long t0)
            throws Exception {
        Map<String, Integer> perKey = new HashMap<>();
        Map<String, Boolean> received = new HashMap<>();
        int dupUploads = 0;
        for (Object o : (List<Object>) Json.parse(org.get("/sandbox/voicecalls"))) {
            Map<String, Object> v = (Map<String, Object>) o;
            String key = (String) v.get("vendorCallKey");
            perKey.merge(key, 1, Integer::sum);
            Map<String, Object> rec = (Map<String, Object>) v.get("recording");
            int uploads = ((Number) rec.get("uploads")).intValue();
            dupUploads += Math.max(0, uploads - 1);
            if ("RECEIVED".equals(rec.get("status"))) {
                received.put(key, true);
            }
        }
        int lost = 0;
        for (String id : ids) {
            if (!received.containsKey(id)) {
                lost++;
            }
        }
        int dupCalls = perKey.values().stream().mapToInt(c -> c - 1).sum();
        Map<String, Integer> counts = app.counts();
        int stuck = 0;
        for (String s : List.of("WAITING", "CHECKED", "CREATING", "RECONCILE", "CREATED", "UPLOADING")) {
            stuck += counts.getOrDefault(s, 0);
        }
        int taken = counts.values().stream().mapToInt(Integer::intValue).sum();
        stuck += Math.max(0, n - taken); // never taken in
        try (var files = Files.list(dir.resolve("data/inbox"))) {
            long left = files.filter(p -> !p.getFileName().toString().startsWith(".")).count();
            if (left > 0) {
                System.out.printf("%s: %d files left in the inbox%n", name, left);
            }
        }
        String metrics = app.metrics();
        String reported = metrics.lines().filter(l -> l.startsWith("eci_duplicates_total")).findFirst()
                .orElse("eci_duplicates_total: none");
        System.out.printf("%s: ledger %s; connector reports %s%n", name, counts, reported);
        return new Result(name, n, lost, dupCalls, dupUploads, stuck, counts.getOrDefault("DEAD", 0), what,
                (System.nanoTime() - t0) / 1e9);
    }

    // ------------------------------------------------------------------ drops

    static final String START = Instant.now().minusSeconds(3600).truncatedTo(ChronoUnit.SECONDS).toString()
            .replace("Z", ".000Z");
    static final String END = Instant.now().minusSeconds(3540).truncatedTo(ChronoUnit.SECONDS).toString()
            .replace("Z", ".000Z");

    /** N generic calls with 0.5 s mono WAVs, recordings first, into dir/data/inbox. */
    static List<String> drop(Path dir, String prefix, int n) throws IOException {
        Path staging = Files.createDirectories(dir.resolve("staging"));
        Path inbox = Files.createDirectories(dir.resolve("data/inbox"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = String.format("%s-%05d", prefix, i);
            ids.add(id);
            wav(staging.resolve(id + ".wav"), 8000, 4000);
            Files.writeString(staging.resolve(id + ".json"), "{\"externalId\":\"" + id + "\",\"startDateTime\":\""
                    + START + "\",\"endDateTime\":\"" + END + "\",\"fromPhoneNumber\":\"+16315122409\","
                    + "\"toPhoneNumber\":\"+14155550101\",\"callType\":\"Inbound\","
                    + "\"userEmail\":\"ava.agent@eci-sandbox.example\",\"recordingDuration\":60}");
        }
        for (String ext : List.of(".wav", ".json")) {
            for (String id : ids) {
                Files.move(staging.resolve(id + ext), inbox.resolve(id + ext));
            }
        }
        return ids;
    }

    static void wav(Path file, int rate, long samples) throws IOException {
        long data = samples * 2;
        ByteBuffer h = ByteBuffer.allocate(44 + (int) data).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes()).putInt((int) (36 + data)).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2).putShort((short) 2)
                .putShort((short) 16).put("data".getBytes()).putInt((int) data);
        for (long i = 0; i < samples; i++) {
            h.putShort((short) (Math.sin(i * 0.05) * 8000));
        }
        Files.write(file, h.array());
    }

    // ------------------------------------------------------------------ processes

    static final class App implements AutoCloseable {
        final Path work;
        final int http = freePort();
        final int management = freePort();
        final Map<String, String> env = new HashMap<>();
        Process process;

        App(Path work) throws IOException {
            this.work = Files.createDirectories(work);
        }

        /** The org: a sandbox alone in its JVM, no routes. */
        static App sandbox(Path work) throws Exception {
            App app = new App(work);
            app.env.put("ECI_ROUTES_DIR", Files.createDirectories(work.resolve("no-routes")).toString());
            app.start();
            return app;
        }

        /** A connector that talks to the sandbox as to a real org. */
        static App connector(Path work, App org) throws IOException {
            App app = new App(work);
            app.env.putAll(Map.ofEntries(Map.entry("ECI_SANDBOX_ENABLED", "false"),
                    Map.entry("ECI_SALESFORCE_LOGIN_URL", "http://localhost:" + org.http),
                    Map.entry("ECI_SALESFORCE_KEYSTORE_FILE", org.work.resolve("data/sandbox/oauth-client.p12").toString()),
                    Map.entry("ECI_SALESFORCE_KEYSTORE_PASSWORD", "sandbox-keystore"),
                    Map.entry("ECI_SALESFORCE_REQUEST_TIMEOUT", a.get("timeout")),
                    Map.entry("ECI_SALESFORCE_UPLOAD_TIMEOUT", a.get("timeout")),
                    Map.entry("ECI_CREATE_SETTLE_TIME", a.get("settle")),
                    Map.entry("ECI_UPLOAD_SETTLE_TIME", a.get("settle")),
                    Map.entry("ECI_CREATE_BATCH_SIZE", a.get("batch")),
                    Map.entry("ECI_CREATE_MAX_WAIT", "1S"), Map.entry("ECI_CREATE_POLL_MS", "200"),
                    Map.entry("ECI_UPLOAD_POLL_MS", "200"), Map.entry("ECI_INGEST_FOLDER_POLL_MS", "200"),
                    Map.entry("ECI_CREATE_BACKOFF_BASE", "200MS"), Map.entry("ECI_CREATE_BACKOFF_MAX", "3S"),
                    Map.entry("ECI_CREATE_MAX_ATTEMPTS", "30"), Map.entry("ECI_UPLOAD_MAX_ATTEMPTS", "30")));
            return app;
        }

        App start() throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + a.get("heap"), "-XX:+ExitOnOutOfMemoryError", "-Dquarkus.http.port=" + http,
                    "-Dquarkus.management.port=" + management, "-Deci.jolokia.port=0", "-Duser.home=" + work, "-Djava.io.tmpdir=" + work,
                    "-Dquarkus.log.category.\"create-voicecalls\".level=WARN",
                    "-Dquarkus.log.category.\"ingest-folder\".level=WARN", "-jar", JAR.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("app.log").toFile()));
            pb.environment().put("ECI_CONFIG_FILE", ROOT.resolve("application.properties").toString());
            pb.environment().put("ECI_ROUTES_DIR", ROOT.resolve("routes").toString());
            pb.environment().putAll(env);
            process = pb.start();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (System.nanoTime() < until) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("exited " + process.exitValue() + ", see " + work.resolve("app.log"));
                }
                try {
                    if (HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management
                            + "/observe/health/ready")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return this;
                    }
                } catch (IOException notYet) {
                    // starting
                }
                Thread.sleep(200);
            }
            kill();
            throw new IllegalStateException("not ready in 180 s, see " + work.resolve("app.log"));
        }

        String get(String path) throws Exception {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + path))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
        }

        String post(String path, String json) throws Exception {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + path))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 300) {
                throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        }

        String metrics() throws Exception {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/observe/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
        }

        @SuppressWarnings("unchecked")
        Map<String, Integer> counts() throws Exception {
            Map<String, Object> answer = (Map<String, Object>) Json.parse(get("/calls?state=UPLOADED&limit=1"));
            Map<String, Integer> out = new LinkedHashMap<>();
            ((Map<String, Object>) answer.get("counts")).forEach((k, v) -> out.put(k, ((Number) v).intValue()));
            return out;
        }

        /** SIGKILL (kill -9). */
        void kill() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }

        @Override
        public void close() throws Exception {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    kill();
                }
            }
        }

        static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            }
        }
    }

    /** Just enough JSON for the sandbox's answers: objects, arrays, strings, numbers, booleans, null. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String s) {
            Json j = new Json(s);
            Object v = j.value();
            return v;
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                ws();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    ws();
                    String k = string();
                    ws();
                    i++; // :
                    m.put(k, value());
                    ws();
                    if (s.charAt(i++) == '}') {
                        return m;
                    }
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                ws();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    ws();
                    if (s.charAt(i++) == ']') {
                        return l;
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            int start = i;
            while (i < s.length() && ",}] \n\r\t".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            String t = s.substring(start, i);
            return switch (t) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                case "null" -> null;
                default -> Double.valueOf(t);
            };
        }

        private String string() {
            StringBuilder b = new StringBuilder();
            i++; // "
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
            i++;
            return b.toString();
        }
    }
}
