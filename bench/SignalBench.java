// Benchmark of the signal flow (not a test: it prints figures).
//
//   ./mvnw -B -q package -DskipTests && java bench/SignalBench.java [--rate 200] [--seconds 20] [--calls 40]
//       [--warmup 0] [--org embedded|separate] [--jar target/quarkus-app/quarkus-run.jar] [--extra "JVM options"]
//   Kafka too (a KRaft broker in this JVM, from the test classpath):
//   ./mvnw -B -q package -DskipTests && ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test \
//       -Dmdep.outputFile=target/bench.classpath && java -cp "target/test-classes:$(cat target/bench.classpath)" \
//       bench/SignalBench.java --sources http,kafka
//
// 1. The connector (the packaged jar, its own JVM, the embedded sandbox) is sent a Contact Lens stream over its HTTP
//    source: `rate` SEGMENTS records a second for `seconds`, spread over `calls` live calls, each record one Transcript
//    turn with a sentiment (so one transcript message and one realtime event). Measured per message and per event:
//    the added latency from the record's POST to the sandbox's receipt (p50 / p99 / max), telephony requests per
//    message and the bulk fill, the connector's CPU seconds and peak heap.
// 2. The same payloads sent by a plain JDK HTTP client straight to the sandbox's telephony API as they arrive (one
//    realtime request and one single-message bulk request per record, a JWT signed once): latency and requests per
//    message of the naive way, measured in the same run, so the overhead is a ratio.
// --org separate: the org is a sandbox in a JVM of its own (as in ReliabilityBench) and the connector talks to it as
//    to a real org (sandbox off, OAuth, the telephony JWT, the HTTP source's bearer token), so the connector's JVM
//    figures (CPU, heap, collections) are its own, not shared with an org that keeps every message it receives.
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class SignalBench {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static Path JAR = ROOT.resolve("target/quarkus-app/quarkus-run.jar");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final Pattern RECEIVED = Pattern.compile("\"receivedAt\":(\\d+)[^{}]*\"(?:message|event)\":\\{[^}]*?\"(?:messageId|value)\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("rate", "200", "seconds", "20", "calls", "40", "heap", "256m",
                "sources", "http"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int rate = Integer.parseInt(a.get("rate"));
        int seconds = Integer.parseInt(a.get("seconds"));
        int calls = Integer.parseInt(a.get("calls"));
        List<String> sources = List.of(a.get("sources").split(","));
        if (a.containsKey("jar")) {
            JAR = Path.of(a.get("jar")).toAbsolutePath();
        }
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException("package first: ./mvnw -B -q package -DskipTests");
        }
        System.out.printf("eci-connector signal benchmark: %d records/s for %d s over %d calls, sources %s, heap %s, %d cores%n%n",
                rate, seconds, calls, sources, a.get("heap"), Runtime.getRuntime().availableProcessors());
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target", "bench").toAbsolutePath()), "eci-signal-bench");
        List<String> props = new ArrayList<>(List.of("-Deci.ingest.folder.enabled=false", "-Deci.signals.folder.enabled=false",
                "-Deci.signals.postcall-folder.enabled=false", "-Dquarkus.log.category.\"io.eciconnector.signals\".level=WARN"));
        if (a.containsKey("extra")) {
            props.addAll(List.of(a.get("extra").trim().split(" +")));
        }
        Kafka kafka = sources.contains("kafka") ? new Kafka() : null;
        if (kafka != null) {
            props.addAll(List.of("-Deci.signals.kafka.enabled=true", "-Deci.signals.kafka.brokers=" + kafka.bootstrap,
                    "-Deci.signals.kafka.topic=" + kafka.topic, "-Dquarkus.log.category.\"signals-kafka\".level=WARN"));
        }
        boolean separate = "separate".equals(a.getOrDefault("org", "embedded"));
        App org = null;
        App app;
        if (separate) {
            // the org alone in its JVM (no routes), the connector against it as against a real org
            org = new App(Files.createDirectories(work.resolve("org")), a.get("heap"), "-Deci.ingest.folder.enabled=false");
            org.env.put("ECI_ROUTES_DIR", Files.createDirectories(work.resolve("org/no-routes")).toString());
            org.start();
            Path token = work.resolve("connector/secrets/webhook-token");
            Files.createDirectories(token.getParent());
            Files.writeString(token, BEARER);
            app = new App(work.resolve("connector"), a.get("heap"), props.toArray(String[]::new));
            app.env.putAll(Map.of("ECI_SANDBOX_ENABLED", "false", "ECI_SALESFORCE_LOGIN_URL", "http://localhost:" + org.http,
                    "ECI_SALESFORCE_KEYSTORE_FILE", org.work.resolve("data/sandbox/oauth-client.p12").toString(),
                    "ECI_SALESFORCE_KEYSTORE_PASSWORD", "sandbox-keystore", "ECI_SIGNALS_HTTP_TOKEN_FILE", token.toString(),
                    "ECI_TELEPHONY_BASE_URL", "http://127.0.0.1:" + org.http + "/telephony/v1",
                    "ECI_TELEPHONY_JWT_ORG_ID", "00D5e000000Sbx0EAC",
                    "ECI_TELEPHONY_JWT_CALL_CENTER_API_NAME", "ECI_Sandbox_Call_Center",
                    "ECI_TELEPHONY_JWT_PRIVATE_KEY_FILE", org.work.resolve("data/sandbox/telephony-private.pem").toString()));
            authorization = "Bearer " + BEARER;
        } else {
            app = new App(work, a.get("heap"), props.toArray(String[]::new));
        }
        app.start();
        // the org: the connector's embedded sandbox, or the separate one
        App sb = separate ? org : app;
        // --settle N: seconds the connector idles after ready before the stream starts (what a connector that has run
        // a while meets, against one that just started)
        Thread.sleep(Long.parseLong(a.getOrDefault("settle", "0")) * 1000);
        try {
            long start = System.currentTimeMillis() - 60_000;
            // --warmup S: a stream of S seconds at the same rate, over other calls, goes through the HTTP source first
            // (not counted): the figures below are then those of a connector that has run a while (compiled code, a
            // sized heap, the ledger's pages cached) rather than of one just started
            int warmup = Integer.parseInt(a.getOrDefault("warmup", "0"));
            if (warmup > 0) {
                List<String> warmKeys = new ArrayList<>();
                for (int c = 0; c < calls; c++) {
                    warmKeys.add(String.format("warm-%04d", c));
                }
                register(sb, warmKeys);
                for (String k : warmKeys) {
                    post(app.url("/signals/contact-lens"), started(k, start));
                }
                long t0 = System.currentTimeMillis();
                int warmRecords = stream(rate, warmup, warmKeys, (key, n, body) -> post(app.url("/signals/contact-lens"), body));
                long deadline = System.currentTimeMillis() + 120_000;
                while (received(sb.get("/sandbox/telephony"), "warm-").size() < warmRecords
                        || events(sb.get("/sandbox/telephony"), "warm-").size() < warmRecords) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("the warm-up's messages and events did not all arrive");
                    }
                    Thread.sleep(250);
                }
                System.out.printf("warm-up: %d records sent and delivered in %.1f s (not counted below)%n%n", warmRecords,
                        (System.currentTimeMillis() - t0) / 1000.0);
            }
            List<Long> httpLatencies = null;
            int records = 0;
            int requestsSent = 0;
            for (String source : sources) {
                // 1. through the connector
                List<String> keys = new ArrayList<>();
                for (int c = 0; c < calls; c++) {
                    keys.add(String.format("bench-%s-%04d", source, c));
                }
                register(sb, keys);
                for (String k : keys) {
                    post(app.url("/signals/contact-lens"), started(k, start));
                }
                Map<String, Integer> before = sb.requests();
                long cpu0 = app.cpuMillis();
                long orgCpu0 = separate ? org.cpuMillis() : 0;
                Map<String, Long> sentAt = new ConcurrentHashMap<>();
                Sender sender = source.equals("kafka") ? (key, n, body) -> {
                    sentAt.put(key + "-m" + n, System.currentTimeMillis());
                    kafka.send(key, body);
                } : (key, n, body) -> {
                    sentAt.put(key + "-m" + n, System.currentTimeMillis());
                    int status = post(app.url("/signals/contact-lens"), body);
                    if (status != 202) {
                        throw new IllegalStateException("HTTP source answered " + status);
                    }
                };
                records = stream(rate, seconds, keys, sender);
                long peakHeap = 0;
                long deadline = System.currentTimeMillis() + 120_000;
                Map<String, Long> got;
                while ((got = received(sb.get("/sandbox/telephony"), "bench-" + source + "-")).size() < records) {
                    peakHeap = Math.max(peakHeap, app.heapUsed());
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("only " + got.size() + " of " + records + " messages arrived");
                    }
                    Thread.sleep(250);
                }
                Map<String, Long> events;
                while ((events = events(sb.get("/sandbox/telephony"), "bench-" + source + "-")).size() < records) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("only " + events.size() + " of " + records + " events arrived");
                    }
                    Thread.sleep(250);
                }
                peakHeap = Math.max(peakHeap, app.heapUsed());
                long cpu = app.cpuMillis() - cpu0;
                List<Long> eventLatencies = latencies(sentAt, events);
                List<Long> latencies = latencies(sentAt, got);
                if (httpLatencies == null) {
                    httpLatencies = latencies;
                }
                Map<String, Integer> after = sb.requests();
                int bulk = after.getOrDefault("telephony.messages.bulk", 0) - before.getOrDefault("telephony.messages.bulk", 0);
                int realtime = after.getOrDefault("telephony.realtime", 0) - before.getOrDefault("telephony.realtime", 0);
                requestsSent = bulk + realtime;
                System.out.printf("connector (%s source): %d records -> %d messages + %d events%n", source, records,
                        got.size(), records);
                System.out.printf("  added latency per message (record sent -> sandbox receipt): p50 %d ms, p99 %d ms, max %d ms%n",
                        pct(latencies, 50), pct(latencies, 99), pct(latencies, 100));
                System.out.printf("  added latency per realtime event (record sent -> sandbox receipt): p50 %d ms, p99 %d ms, max %d ms%n",
                        pct(eventLatencies, 50), pct(eventLatencies, 99), pct(eventLatencies, 100));
                System.out.printf("  realtime p99 by when the record was sent: %s%n", byPeriod(sentAt, events, Long.parseLong(a.getOrDefault("period-ms", "5000"))));
                System.out.printf("  telephony requests: %d bulk (%.2f per message, %.1f messages per bulk request), %d realtime "
                        + "(%.2f per event)%n", bulk, bulk / (double) records, records / (double) Math.max(1, bulk), realtime,
                        realtime / (double) records);
                System.out.printf("  connector CPU: %.1f s for %d records (%.2f ms per record); peak heap %d MB; peak RSS %d MB%n%n",
                        cpu / 1000.0, records, cpu / (double) records, peakHeap >> 20, app.peakRssKb() >> 10);
                if (separate) {
                    System.out.printf("  the org's JVM (not counted above): CPU %.1f s, peak RSS %d MB%n%n",
                            (org.cpuMillis() - orgCpu0) / 1000.0, org.peakRssKb() >> 10);
                }
            }
            List<Long> latencies = httpLatencies;
            int bulk = requestsSent;
            int realtime = 0;

            // 2. the plain client, straight to the sandbox
            List<String> plainKeys = new ArrayList<>();
            for (int c = 0; c < calls; c++) {
                plainKeys.add(String.format("bench-plain-%04d", c));
            }
            register(sb, plainKeys);
            String jwt = jwt(sb.work.resolve("data/sandbox/telephony-private.pem"));
            Map<String, Long> plainSent = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            int plainRecords = stream(rate, seconds, plainKeys, (key, n, body) -> {
                long offset = 1000L * n;
                String message = "{\"entries\":[{\"vendorCallKey\":\"" + key + "\",\"messages\":[{\"participantId\":\"" + key
                        + "END_USER\",\"messageId\":\"" + key + "-m" + n + "\",\"startTime\":" + (start + offset)
                        + ",\"endTime\":" + (start + offset + 800) + ",\"content\":\"turn " + n
                        + "\",\"senderType\":\"END_USER\"}]}]}";
                String event = "{\"service\":\"AmazonConnectContactLens\",\"events\":[{\"type\":\"IntelligenceSignal__Sentiment\","
                        + "\"value\":\"1000\",\"startTime\":" + (start + offset) + ",\"participant\":\"CUSTOMER\"}]}";
                plainSent.put(key + "-m" + n, System.currentTimeMillis());
                pool.submit(() -> {
                    telephony(sb.url("/telephony/v1/voiceCalls/" + key + "/realtimeConversationEvents"), jwt, event);
                    return null;
                });
                telephony(sb.url("/telephony/v1/voiceCalls/messages"), jwt, message);
            });
            pool.shutdown();
            pool.awaitTermination(60, TimeUnit.SECONDS);
            Map<String, Long> plainGot = received(sb.get("/sandbox/telephony"), "-m");
            plainGot.keySet().retainAll(plainSent.keySet());
            List<Long> plainLatencies = latencies(plainSent, plainGot);
            System.out.printf("plain client (straight to the sandbox): %d records -> %d messages%n", plainRecords, plainGot.size());
            System.out.printf("  latency per message: p50 %d ms, p99 %d ms, max %d ms; 1.00 bulk request per message, 1.00 "
                    + "realtime request per event%n", pct(plainLatencies, 50), pct(plainLatencies, 99), pct(plainLatencies, 100));
            System.out.printf("%nratios (connector via %s / plain): p50 latency +%d ms, requests per message %.2f%n",
                    sources.get(0), pct(latencies, 50) - pct(plainLatencies, 50), (bulk + realtime) / (2.0 * records));
        } finally {
            app.stop();
            if (org != null) {
                org.stop();
            }
            if (kafka != null) {
                kafka.stop();
            }
        }
    }

    /** The test broker of src/test (KafkaBrokerResource), reached by reflection so the HTTP run needs no Kafka jars. */
    static final class Kafka {
        final Object broker;
        final Object producer;
        final String bootstrap;
        final String topic;
        final java.lang.reflect.Constructor<?> record;
        final java.lang.reflect.Method send;

        Kafka() throws Exception {
            Class<?> resource = Class.forName("io.eciconnector.streams.KafkaBrokerResource");
            broker = resource.getDeclaredConstructor().newInstance();
            @SuppressWarnings("unchecked")
            Map<String, String> config = (Map<String, String>) resource.getMethod("start").invoke(broker);
            bootstrap = config.get("eci.signals.kafka.brokers");
            topic = config.get("eci.signals.kafka.topic");
            producer = resource.getMethod("producer").invoke(null);
            Class<?> recordClass = Class.forName("org.apache.kafka.clients.producer.ProducerRecord");
            record = recordClass.getConstructor(String.class, Object.class, Object.class);
            send = Class.forName("org.apache.kafka.clients.producer.Producer").getMethod("send", recordClass);
        }

        void send(String key, String body) throws Exception {
            ((java.util.concurrent.Future<?>) send.invoke(producer, record.newInstance(topic, key, body))).get();
        }

        void stop() throws Exception {
            broker.getClass().getMethod("stop").invoke(broker);
        }
    }

    interface Sender {
        void send(String key, int n, String body) throws Exception;
    }

    /** `rate` records a second for `seconds`, round-robin over the calls; answers how many were sent. */
    static int stream(int rate, int seconds, List<String> keys, Sender sender) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        int total = rate * seconds;
        long t0 = System.nanoTime();
        List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            long due = t0 + (long) (i * (1e9 / rate));
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            String key = keys.get(i % keys.size());
            int n = i / keys.size();
            String body = segment(key, n);
            futures.add(pool.submit(() -> {
                sender.send(key, n, body);
                return null;
            }));
        }
        for (var f : futures) {
            f.get();
        }
        pool.shutdown();
        return total;
    }

    static String started(String key, long start) {
        return "{\"Version\":\"1.0.0\",\"Channel\":\"VOICE\",\"AccountId\":\"1\",\"InstanceId\":\"i\",\"ContactId\":\"" + key
                + "\",\"LanguageCode\":\"en-US\",\"EventType\":\"STARTED\",\"InitiationTimestamp\":\""
                + java.time.Instant.ofEpochMilli(start) + "\"}";
    }

    static String segment(String key, int n) {
        long begin = 1000L * n;
        return "{\"Version\":\"1.0.0\",\"Channel\":\"VOICE\",\"AccountId\":\"1\",\"InstanceId\":\"i\",\"ContactId\":\"" + key
                + "\",\"LanguageCode\":\"en-US\",\"EventType\":\"SEGMENTS\",\"Segments\":[{\"Transcript\":{\"Id\":\"" + key
                + "-m" + n + "\",\"ParticipantId\":\"C\",\"ParticipantRole\":\"CUSTOMER\",\"Content\":\"turn " + n
                + "\",\"BeginOffsetMillis\":" + begin + ",\"EndOffsetMillis\":" + (begin + 800)
                + ",\"Sentiment\":\"POSITIVE\",\"IssuesDetected\":[]}}]}";
    }

    static final String BEARER = "signal-bench-webhook-token";
    /** The HTTP source's credential outside the sandbox (--org separate); none with the embedded sandbox. */
    static volatile String authorization;

    static int post(String url, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json");
        if (authorization != null && url.contains("/signals/")) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static void telephony(String url, String jwt, String body) throws Exception {
        int status = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + jwt)
                .header("Content-Type", "application/json").header("Telephony-Provider-Name", "plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status != 202) {
            throw new IllegalStateException("plain telephony request answered " + status);
        }
    }

    static void register(App app, List<String> keys) throws Exception {
        StringBuilder b = new StringBuilder("{\"vendorCallKeys\":[");
        for (int i = 0; i < keys.size(); i++) {
            b.append(i == 0 ? "" : ",").append('"').append(keys.get(i)).append('"');
        }
        post(app.url("/sandbox/telephony/calls"), b.append("]}").toString());
    }

    /** messageId -> the sandbox's receivedAt, for the messages whose id contains `marker`. */
    static Map<String, Long> received(String telephony, String marker) {
        Map<String, Long> out = new HashMap<>();
        Matcher m = Pattern.compile("\"receivedAt\":(\\d+),[^{]*\"message\":\\{[^}]*\"messageId\":\"([^\"]+)\"").matcher(telephony);
        while (m.find()) {
            if (m.group(2).contains(marker)) {
                out.put(m.group(2), Long.parseLong(m.group(1)));
            }
        }
        return out;
    }

    /**
     * "{key}-m{n}" -> the sandbox's receivedAt of the realtime event of record n of a call whose key contains `marker`
     * (each record of the stream carries one event; a call's n-th by startTime is its record n).
     */
    static Map<String, Long> events(String telephony, String marker) {
        Map<String, Long> out = new HashMap<>();
        Matcher k = Pattern.compile("\"([^\"]*" + Pattern.quote(marker) + "[^\"]*)\":\\{\"ended\"").matcher(telephony);
        List<int[]> spans = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        while (k.find()) {
            keys.add(k.group(1));
            spans.add(new int[] { k.end(), telephony.length() });
            if (spans.size() > 1) {
                spans.get(spans.size() - 2)[1] = k.start();
            }
        }
        Pattern event = Pattern.compile("\"kind\":\"realtime\",\"receivedAt\":(\\d+)[^{]*\"event\":\\{[^}]*\"startTime\":(\\d+)");
        for (int i = 0; i < keys.size(); i++) {
            List<long[]> got = new ArrayList<>();
            Matcher m = event.matcher(telephony.substring(spans.get(i)[0], spans.get(i)[1]));
            while (m.find()) {
                got.add(new long[] { Long.parseLong(m.group(2)), Long.parseLong(m.group(1)) });
            }
            got.sort((x, y) -> Long.compare(x[0], y[0]));
            for (int n = 0; n < got.size(); n++) {
                out.put(keys.get(i) + "-m" + n, got.get(n)[1]);
            }
        }
        return out;
    }

    static List<Long> latencies(Map<String, Long> sent, Map<String, Long> got) {
        List<Long> out = new ArrayList<>();
        got.forEach((id, at) -> {
            Long s = sent.get(id);
            if (s != null) {
                out.add(at - s);
            }
        });
        Collections.sort(out);
        return out;
    }

    /** The p99 latency of the records sent in each period of the stream (warm-up apart from steady state). */
    static String byPeriod(Map<String, Long> sent, Map<String, Long> got, long periodMillis) {
        long first = sent.values().stream().mapToLong(Long::longValue).min().orElse(0);
        java.util.TreeMap<Long, List<Long>> periods = new java.util.TreeMap<>();
        got.forEach((id, at) -> {
            Long s = sent.get(id);
            if (s != null) {
                periods.computeIfAbsent((s - first) / periodMillis, k -> new ArrayList<>()).add(at - s);
            }
        });
        StringBuilder out = new StringBuilder();
        periods.forEach((p, l) -> {
            Collections.sort(l);
            out.append(periodMillis % 1000 == 0
                    ? String.format("%s%d-%d s %d ms", out.length() == 0 ? "" : ", ", p * periodMillis / 1000,
                            (p + 1) * periodMillis / 1000, pct(l, 99))
                    : String.format("%s%.2f-%.2f s %d ms", out.length() == 0 ? "" : ", ", p * periodMillis / 1000.0,
                            (p + 1) * periodMillis / 1000.0, pct(l, 99)));
        });
        return out.toString();
    }

    static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    /** An RS256 JWT for the sandbox's call center, signed once (the plain client's token). */
    static String jwt(Path pem) throws Exception {
        String b64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        long now = System.currentTimeMillis() / 1000;
        String head = url.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8));
        String claims = url.encodeToString(("{\"iss\":\"00D5e000000Sbx0EAC\",\"sub\":\"ECI_Sandbox_Call_Center\",\"iat\":" + now
                + ",\"exp\":" + (now + 3600) + "}").getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update((head + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return head + "." + claims + "." + url.encodeToString(s.sign());
    }

    static final class App {
        final Path work;
        final Path log;
        final int http;
        final int management;
        final List<String> command = new ArrayList<>();
        final Map<String, String> env = new HashMap<>();
        Process process;

        App(Path work, String heap, String... props) throws IOException {
            this.work = work;
            this.log = work.resolve("app.log");
            this.http = freePort();
            this.management = freePort();
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap,
                    "-Dquarkus.http.port=" + http, "-Dquarkus.management.port=" + management,
                    "-Djava.io.tmpdir=" + work));
            command.addAll(List.of(props));
            command.addAll(List.of("-jar", JAR.toString()));
        }

        String url(String path) {
            return "http://127.0.0.1:" + http + path;
        }

        void start() throws Exception {
            ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("ECI_ROUTES_DIR", ROOT.resolve("routes").toString());
            pb.environment().put("ECI_CONFIG_FILE", ROOT.resolve("application.properties").toString());
            pb.environment().putAll(env);
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

        String get(String path) throws Exception {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).build(), HttpResponse.BodyHandlers.ofString()).body();
        }

        Map<String, Integer> requests() throws Exception {
            Map<String, Integer> out = new HashMap<>();
            String body = get("/sandbox/requests");
            Matcher m = Pattern.compile("\"([a-z._]+)\":(\\d+)").matcher(body.substring(body.indexOf("byEndpoint")));
            while (m.find()) {
                out.put(m.group(1), Integer.parseInt(m.group(2)));
            }
            return out;
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
            } catch (Exception e) {
                return 0;
            }
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
