package io.eciconnector.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.samples.WavWriter;

/**
 * Records that used to end the JVM (OutOfMemoryError with -Xmx256m) on every start that reached them: a 50 MB
 * string field and a 200 MB record file. The packaged jar with a 256 MB heap dead-letters both, stays up, and takes
 * in the good drop beside them.
 */
class RecordBoundsIT {

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** Writes head, then {@code body} repeated until the file is {@code bytes} long, then tail; as a stream. */
    static void write(Path file, String head, String body, long bytes, String tail) throws Exception {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        byte[] t = tail.getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            out.write(h);
            long left = bytes - h.length - t.length;
            for (; left >= b.length; left -= b.length) {
                out.write(b);
            }
            for (; left > 0; left--) {
                out.write(' ');
            }
            out.write(t);
        }
        Files.move(tmp, file);
    }

    static Optional<JsonNode> deadLetter(Path work, String prefix) throws Exception {
        Path dir = work.resolve("data/dead-letters");
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            Optional<Path> p = all.filter(f -> f.getFileName().toString().startsWith(prefix)).findFirst();
            return p.isEmpty() ? Optional.empty() : Optional.of(MAPPER.readTree(p.get().toFile()));
        }
    }

    @Test
    void aFiftyMegabyteStringAndATwoHundredMegabyteRecordAreDeadLetteredAndTheJvmStaysUp() throws Exception {
        Path work = Files.createTempDirectory("eci-record-bounds");
        try {
            Path inbox = Files.createDirectories(work.resolve("data/inbox"));
            Instant start = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
            String call = "{\"externalId\":\"%s\",\"startDateTime\":\"" + start + "\",\"endDateTime\":\""
                    + start.plusSeconds(40) + "\",\"fromPhoneNumber\":\"+16315122409\",\"toPhoneNumber\":\"+14155550101\","
                    + "\"callType\":\"Inbound\",\"userEmail\":\"ava.agent@eci-sandbox.example\",\"recording\":\"%s.wav\"";
            // a record of two calls whose second has a 50 MB string field (under the 64 MiB record bound)
            write(inbox.resolve("BIG-STRING.json"), "[" + String.format(call, "BEFORE-STRING", "BEFORE-STRING") + "},"
                    + String.format(call, "BIG-STRING", "BIG-STRING") + ",\"note\":\"", "a", 50L * 1024 * 1024, "\"}]");
            WavWriter.tone(inbox.resolve("BEFORE-STRING.wav"), 8000, 0.3, 262.0);
            // a 200 MB record of small calls
            String small = String.format(call, "BIG-FILE-CALL", "BIG-FILE-CALL") + "},\n";
            write(inbox.resolve("BIG-FILE.json"), "[", small, 200L * 1024 * 1024, "{}]");
            // the good drop next to them
            WavWriter.tone(inbox.resolve("GOOD-NEXT.wav"), 8000, 0.3, 262.0);
            Files.writeString(inbox.resolve("GOOD-NEXT.json"), String.format(call, "GOOD-NEXT", "GOOD-NEXT") + "}");
            try (AppProcess app = new AppProcess(work, "256m", Map.of()).start()) {
                AppProcess.await(Duration.ofSeconds(180), () -> {
                    if (!app.isAlive()) {
                        throw new AssertionError("the connector died:\n" + tail(app.output()));
                    }
                    return "UPLOADED".equals(state(app, "GOOD-NEXT")) && "UPLOADED".equals(state(app, "BEFORE-STRING"))
                            && deadLetter(work, "folder_BIG-STRING.json-").isPresent()
                            && deadLetter(work, "folder_BIG-FILE.json-").isPresent();
                }, () -> app.get("/calls/GOOD-NEXT").body() + "\n" + tail(app.output()));
                JsonNode string = deadLetter(work, "folder_BIG-STRING.json-").orElseThrow();
                assertTrue(string.path("reason").asText().contains("has a string longer than 262144 characters"
                        + " (eci.ingest.max-string-chars)"), string.toString());
                assertTrue(string.path("reason").asText().contains("the 1 call(s) before it were taken in"),
                        string.path("reason").asText());
                JsonNode file = deadLetter(work, "folder_BIG-FILE.json-").orElseThrow();
                assertTrue(file.path("reason").asText().contains("is 209715200 bytes; a record may be at most 67108864"
                        + " bytes (eci.ingest.max-record-file-bytes)"), file.toString());
                assertEquals(209715200L, file.path("recordBytes").asLong());
                for (JsonNode letter : new JsonNode[] { string, file }) {
                    Path kept = Path.of(java.net.URI.create(letter.path("recordAt").asText()));
                    AppProcess.await(Duration.ofSeconds(30), () -> Files.isRegularFile(kept),
                            () -> "the record is kept where its dead letter says: " + kept);
                }
                assertEquals(404, app.get("/calls/BIG-FILE-CALL").statusCode(), "refused unread");
                assertTrue(app.isAlive());
                assertFalse(app.output().contains("OutOfMemoryError"));
                try (Stream<Path> left = Files.list(inbox)) {
                    assertEquals(0, left.filter(p -> p.toString().endsWith(".json")).count(), "no record left behind");
                }
            }
        } finally {
            try (Stream<Path> all = Files.walk(work)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static String state(AppProcess app, String id) throws Exception {
        return MAPPER.readTree(app.get("/calls/" + id).body()).path("state").asText();
    }

    static String tail(String log) {
        return log.length() <= 20_000 ? log : log.substring(log.length() - 20_000);
    }
}
