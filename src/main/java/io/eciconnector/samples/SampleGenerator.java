package io.eciconnector.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Writes a realistic drop folder: call records in the generic format (the ECI fields themselves) beside their
 * recordings ({base}.json + {base}.wav), valid calls plus a few that break one ECI rule each, and on request a
 * recording over the 64 MB cap.
 *
 * <pre>
 * java -cp "target/quarkus-app/app/*:target/quarkus-app/lib/main/*" io.eciconnector.samples.SampleGenerator [--out data/inbox] [--count 12] [--invalid true]
 *      [--seed 42] [--large-bytes 67108865] [--days-ago 1] [--run 1]
 * </pre>
 */
public final class SampleGenerator {

    /** The sandbox's default call-coaching users (src/main/resources/application.properties). */
    static final String[][] AGENTS = { { "ava.agent@eci-sandbox.example", "+14155550101" },
            { "ben.agent@eci-sandbox.example", "+14155550102" }, { "cleo.agent@eci-sandbox.example", "+14155550103" } };
    static final String[] CUSTOMERS = { "+16315122409", "+15105024190", "+442079460958", "+33142685300",
            "+12125550147", "+13105550188" };

    private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What to write. {@code run} numbers a run of the main job in the same directory: run 1 writes the ids as
     * documented ({@code SAMPLE-0001}, ...), run n > 1 the same calls under new ids ({@code SAMPLE-0001-R2}), since the
     * ledger keeps the ids of earlier runs and takes a call in only once.
     */
    public record Options(Path out, int count, boolean invalid, long seed, Long largeBytes, int daysAgo, int run) {
        public Options(Path out, int count, boolean invalid, long seed, Long largeBytes, int daysAgo) {
            this(out, count, invalid, seed, largeBytes, daysAgo, 1);
        }

        static Options parse(String[] args) {
            Map<String, String> a = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("usage: generate-samples [--out DIR] [--count N] "
                            + "[--invalid true|false] [--seed N] [--large-bytes N] [--days-ago N] [--run N]; got " + args[i]);
                }
                a.put(args[i].substring(2), args[++i]);
            }
            return new Options(Path.of(a.getOrDefault("out", "data/inbox")),
                    Integer.parseInt(a.getOrDefault("count", "12")),
                    Boolean.parseBoolean(a.getOrDefault("invalid", "true")),
                    Long.parseLong(a.getOrDefault("seed", "42")),
                    a.containsKey("large-bytes") ? Long.parseLong(a.get("large-bytes")) : null,
                    Integer.parseInt(a.getOrDefault("days-ago", "1")), Integer.parseInt(a.getOrDefault("run", "1")));
        }
    }

    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args);
        List<Path> written = new SampleGenerator().generate(options);
        System.out.printf("Wrote %d files to %s%n", written.size(), options.out().toAbsolutePath());
    }

    /** Generates the drop folder; answers the files written (records last, so a poller never sees a record early). */
    public List<Path> generate(Options o) throws IOException {
        Files.createDirectories(o.out());
        Random random = new Random(o.seed());
        Instant base = Instant.now().minus(o.daysAgo(), ChronoUnit.DAYS).truncatedTo(ChronoUnit.MINUTES);
        List<Path> recordings = new ArrayList<>();
        List<Path> records = new ArrayList<>();
        for (int i = 1; i <= o.count(); i++) {
            String id = id(String.format("SAMPLE-%04d", i), o.run());
            boolean stereo = i % 2 == 0;
            int seconds = 15 + random.nextInt(46);
            Map<String, Object> call = call(id, base.plus(i * 7L, ChronoUnit.MINUTES), seconds, i, stereo, random);
            recordings.add(recording(o.out(), id, seconds, stereo));
            records.add(write(o.out(), id, call));
        }
        if (o.invalid()) {
            // each breaks exactly one rule; all must end in the dead-letter area with that reason
            Instant t = base.plus(3, ChronoUnit.HOURS);
            Map<String, Object> late = call(id("INVALID-START-AFTER-END", o.run()), t, 30, 1, false, random);
            late.put("startDateTime", iso(t.plusSeconds(60)));
            Map<String, Object> shortCall = call(id("SKIP-TOO-SHORT", o.run()), t, 8, 2, false, random);
            Map<String, Object> badType = call(id("INVALID-CALL-TYPE", o.run()), t, 30, 3, false, random);
            badType.put("callType", "Sideways");
            Map<String, Object> badChannel = call(id("INVALID-USER-CHANNEL", o.run()), t, 30, 1, true, random);
            badChannel.put("userChannel", 2);
            for (Map<String, Object> c : List.of(late, shortCall, badType, badChannel)) {
                String id = (String) c.get("externalId");
                recordings.add(recording(o.out(), id, Math.max(1, ((Number) c.get("recordingDuration")).intValue()),
                        Integer.valueOf(2).equals(c.get("numberChannels"))));
                records.add(write(o.out(), id, c));
            }
        }
        if (o.largeBytes() != null) {
            String id = id("LARGE-RECORDING", o.run());
            Map<String, Object> c = call(id, base.plus(5, ChronoUnit.HOURS), 600, 1, false, random);
            Path wav = o.out().resolve(id + ".wav");
            WavWriter.ofSize(wav, o.largeBytes());
            recordings.add(wav);
            records.add(write(o.out(), id, c));
        }
        List<Path> all = new ArrayList<>(recordings);
        all.addAll(records);
        return all;
    }

    /** A sample's id in a run: as documented in run 1, with "-R{run}" after it in later runs. */
    public static String id(String base, int run) {
        return run <= 1 ? base : base + "-R" + run;
    }

    private Map<String, Object> call(String id, Instant start, int seconds, int agent, boolean stereo, Random random) {
        String[] a = AGENTS[(agent - 1) % AGENTS.length];
        String customer = CUSTOMERS[random.nextInt(CUSTOMERS.length)];
        boolean inbound = random.nextBoolean();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("externalId", id);
        c.put("startDateTime", iso(start));
        c.put("endDateTime", iso(start.plusSeconds(seconds)));
        c.put("fromPhoneNumber", inbound ? customer : a[1]);
        c.put("toPhoneNumber", inbound ? a[1] : customer);
        c.put("callType", inbound ? "Inbound" : "Outbound");
        c.put("userEmail", a[0]);
        c.put("recordingDuration", seconds);
        c.put("numberChannels", stereo ? 2 : 1);
        c.put("userChannel", stereo ? 1 : 0);
        c.put("recording", id + ".wav");
        return c;
    }

    private static Path recording(Path dir, String id, int seconds, boolean stereo) throws IOException {
        Path wav = dir.resolve(id + ".wav");
        if (stereo) {
            WavWriter.tone(wav, 8000, seconds, 220.0, 330.0);
        } else {
            WavWriter.tone(wav, 8000, seconds, 262.0);
        }
        return wav;
    }

    private Path write(Path dir, String id, Map<String, Object> call) throws IOException {
        Path json = dir.resolve(id + ".json");
        Path tmp = dir.resolve("." + id + ".json.tmp");
        mapper.writeValue(tmp.toFile(), call);
        Files.move(tmp, json, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return json;
    }

    /** ISO-8601 UTC with milliseconds, as the ECI API takes it. */
    static final java.time.format.DateTimeFormatter ECI_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    static String iso(Instant t) {
        return ECI_TIME.format(t);
    }
}
