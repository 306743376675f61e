package io.eciconnector.sources;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for the tests: S3Proxy (in-memory "transient" storage) started as a child process from its
 * jar-with-dependencies, which the build copies to target/s3proxy (it is kept off the test classpath).
 */
public class S3ProxyResource implements QuarkusTestResourceLifecycleManager {

    public static final String BUCKET = "eci-test";
    /** A second bucket, for a second S3 source an operator adds from the template (S3TemplateTest). */
    public static final String SECOND_BUCKET = "eci-test-second";
    public static final String IDENTITY = "local-identity";
    public static final String CREDENTIAL = "local-credential";
    static volatile String endpoint;
    private Process process;

    @Override
    public Map<String, String> start() {
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            endpoint = "http://127.0.0.1:" + port;
            Path dir = Files.createDirectories(Path.of("target/s3proxy-run"));
            Path props = dir.resolve("s3proxy.properties");
            Files.writeString(props, "s3proxy.endpoint=" + endpoint + "\n"
                    + "s3proxy.authorization=aws-v2-or-v4\n"
                    + "s3proxy.identity=" + IDENTITY + "\n"
                    + "s3proxy.credential=" + CREDENTIAL + "\n"
                    + "jclouds.provider=transient\n"
                    + "jclouds.identity=" + IDENTITY + "\n"
                    + "jclouds.credential=" + CREDENTIAL + "\n");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(java, "-Xmx256m", "-jar", Path.of("target/s3proxy/s3proxy.jar").toString(),
                    "--properties", props.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    break;
                } catch (IOException notYet) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("S3Proxy did not start: " + Files.readString(dir.resolve("s3proxy.log")));
                    }
                    Thread.sleep(200);
                }
            }
            try (S3Client s3 = client()) {
                s3.createBucket(b -> b.bucket(BUCKET));
                s3.createBucket(b -> b.bucket(SECOND_BUCKET));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("eci.s3.endpoint-override", endpoint);
        config.put("eci.s3.force-path-style", "true");
        config.put("eci.s3.region", "us-east-1");
        config.put("eci.s3.access-key", IDENTITY);
        config.put("eci.s3.secret-key", CREDENTIAL);
        return config;
    }

    public static S3Client client() {
        return S3Client.builder().endpointOverride(URI.create(endpoint)).forcePathStyle(true).region(Region.US_EAST_1)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
                .build();
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
        }
    }
}
