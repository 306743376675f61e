package io.eciconnector.streams;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * A real Kinesis API for the tests: kinesalite (in-memory) from npm, run by node as a child process on a free port.
 * It is installed into target/kinesalite the first time (npm install), so a fresh machine needs only node and npm.
 * It speaks JSON only: the clients run with CBOR off (aws.cborEnabled=false).
 */
public class KinesaliteResource implements QuarkusTestResourceLifecycleManager {

    public static final String STREAM = "contact-lens-rt";
    public static final int SHARDS = 2;
    static final String VERSION = "3.3.3";
    static final Path HOME = Path.of("target/kinesalite");
    static volatile String endpoint;
    /** Milliseconds from launching node to a stream ACTIVE (figures for the closing note). */
    static volatile long startMillis;
    private Process process;

    @Override
    public Map<String, String> start() {
        try {
            long t0 = System.nanoTime();
            Path cli = install();
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            endpoint = "http://127.0.0.1:" + port;
            Path log = HOME.resolve("kinesalite-" + port + ".log");
            process = new ProcessBuilder("node", cli.toString(), "--port", String.valueOf(port), "--createStreamMs", "0",
                    "--deleteStreamMs", "0", "--updateStreamMs", "0", "--shardLimit", "100").redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            waitForPort(port, log);
            System.setProperty(SdkSystemSetting.CBOR_ENABLED.property(), "false");
            try (KinesisClient k = client()) {
                k.createStream(b -> b.streamName(STREAM).shardCount(SHARDS));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (k.describeStream(b -> b.streamName(STREAM)).streamDescription().streamStatus() != StreamStatus.ACTIVE) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("stream not ACTIVE within 10 s");
                    }
                    Thread.sleep(50);
                }
            }
            startMillis = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            System.out.println("kinesalite " + VERSION + " up with stream " + STREAM + " in " + startMillis + " ms");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return Map.of("eci.signals.kinesis.stream", STREAM, "eci.signals.kinesis.endpoint-override", endpoint,
                "eci.signals.kinesis.region", "us-east-1", "eci.signals.kinesis.cbor-enabled", "false",
                "eci.signals.kinesis.access-key", "test-access", "eci.signals.kinesis.secret-key", "test-secret");
    }

    /** kinesalite's CLI, installed with npm into target/kinesalite when it is not there yet. */
    static synchronized Path install() throws IOException, InterruptedException {
        Path cli = HOME.resolve("node_modules/kinesalite/cli.js");
        if (Files.exists(cli)) {
            return cli;
        }
        Files.createDirectories(HOME);
        Path log = HOME.resolve("npm-install.log");
        Process npm = new ProcessBuilder("npm", "install", "--prefix", HOME.toString(), "--no-audit", "--no-fund",
                "--loglevel=error", "kinesalite@" + VERSION).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!npm.waitFor(180, TimeUnit.SECONDS) || npm.exitValue() != 0 || !Files.exists(cli)) {
            npm.destroyForcibly();
            throw new IllegalStateException("npm install kinesalite@" + VERSION + " failed (node and npm must be on the "
                    + "PATH):\n" + Files.readString(log));
        }
        return cli;
    }

    private void waitForPort(int port, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("kinesalite did not start: " + Files.readString(log));
                }
                Thread.sleep(50);
            }
        }
    }

    public static String endpoint() {
        return endpoint;
    }

    public static KinesisClient client() {
        System.setProperty(SdkSystemSetting.CBOR_ENABLED.property(), "false");
        return KinesisClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test-access",
                        "test-secret")))
                .build();
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
        }
    }
}
