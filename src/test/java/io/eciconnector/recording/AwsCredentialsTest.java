package io.eciconnector.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * S3 credentials come from configuration only (issue 12 item 4): without static keys, the chain never asks the
 * instance-metadata endpoint unless eci.aws.allow-imds=true. The metadata endpoint is a local server counting requests.
 */
class AwsCredentialsTest {

    @Test
    void withoutStaticKeysTheMetadataEndpointIsAskedOnlyWhenAllowed() throws Exception {
        HttpServer imds = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger asked = new AtomicInteger();
        imds.createContext("/", exchange -> {
            asked.incrementAndGet();
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        imds.start();
        String[] props = { "aws.ec2MetadataServiceEndpoint", "aws.accessKeyId", "aws.secretAccessKey",
                "aws.sharedCredentialsFile", "aws.configFile" };
        String[] saved = new String[props.length];
        for (int i = 0; i < props.length; i++) {
            saved[i] = System.getProperty(props[i]);
        }
        try {
            System.setProperty("aws.ec2MetadataServiceEndpoint", "http://127.0.0.1:" + imds.getAddress().getPort());
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
            System.setProperty("aws.sharedCredentialsFile", "target/no-such-aws-credentials");
            System.setProperty("aws.configFile", "target/no-such-aws-config");
            boolean envKeys = System.getenv("AWS_ACCESS_KEY_ID") != null || System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != null;
            org.junit.jupiter.api.Assumptions.assumeFalse(envKeys, "AWS credentials in the environment");

            AwsCredentialsProvider closed = AwsCredentials.provider(Optional.empty(), Optional.empty(), false);
            assertThrows(SdkClientException.class, closed::resolveCredentials);
            assertEquals(0, asked.get(), "IMDS not asked without eci.aws.allow-imds");

            AwsCredentialsProvider open = AwsCredentials.provider(Optional.empty(), Optional.empty(), true);
            assertThrows(SdkClientException.class, open::resolveCredentials);
            assertTrue(asked.get() > 0, "with eci.aws.allow-imds=true the chain asks IMDS (the test can tell)");

            assertEquals("AK", AwsCredentials.provider(Optional.of("AK"), Optional.of("SK"), false).resolveCredentials()
                    .accessKeyId());
        } finally {
            imds.stop(0);
            for (int i = 0; i < props.length; i++) {
                if (saved[i] == null) {
                    System.clearProperty(props[i]);
                } else {
                    System.setProperty(props[i], saved[i]);
                }
            }
        }
    }
}
