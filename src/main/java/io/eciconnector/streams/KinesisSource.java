package io.eciconnector.streams;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.eciconnector.ledger.Ledger;
import io.eciconnector.salesforce.Secrets;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.KinesisClientBuilder;

/**
 * What routes/signals-kinesis.yaml uses: the aws2-kinesis component with checkpointing consumers, and the Kinesis
 * client (#eciKinesisClient) built from eci.signals.kinesis.*: region, endpoint-override (kinesalite, LocalStack),
 * cbor-enabled (false for kinesalite), and credentials from access-key + secret-key / secret-key-file, else the AWS
 * default chain (IRSA web identity, instance profile, environment). Nothing here is created unless the route is loaded.
 */
@ApplicationScoped
public class KinesisSource {

    private static final Logger LOG = Logger.getLogger(KinesisSource.class);

    @ConfigProperty(name = "eci.signals.kinesis.region", defaultValue = "us-east-1")
    String region;

    @ConfigProperty(name = "eci.signals.kinesis.endpoint-override")
    Optional<String> endpointOverride;

    @ConfigProperty(name = "eci.signals.kinesis.cbor-enabled", defaultValue = "true")
    boolean cborEnabled;

    @ConfigProperty(name = "eci.signals.kinesis.access-key")
    Optional<String> accessKey;

    @ConfigProperty(name = "eci.signals.kinesis.secret-key")
    Optional<String> secretKey;

    @ConfigProperty(name = "eci.signals.kinesis.secret-key-file")
    Optional<String> secretKeyFile;

    /** How long a replica's shard lease lasts without a heartbeat (one every third): the takeover time after a crash. */
    @ConfigProperty(name = "eci.signals.kinesis.lease", defaultValue = "20s")
    Duration lease;

    /** A singleton, not a client proxy: Camel reads the component's class (its scheme annotation, its configurers). */
    @Produces
    @Named("aws2-kinesis")
    @Singleton
    CheckpointedKinesisComponent component(KinesisCheckpoints checkpoints, Ledger ledger) {
        return new CheckpointedKinesisComponent(checkpoints, ledger, lease);
    }

    @Produces
    @Named("eciKinesisClient")
    @ApplicationScoped
    KinesisClient eciKinesisClient() {
        if (!cborEnabled) {
            // kinesalite and some emulators speak JSON only; the SDK reads this when it builds the client
            System.setProperty(SdkSystemSetting.CBOR_ENABLED.property(), "false");
        }
        KinesisClientBuilder b = KinesisClient.builder().region(Region.of(region));
        endpointOverride.ifPresent(e -> b.endpointOverride(URI.create(e)));
        Optional<String> secret = Secrets.read(secretKey, secretKeyFile);
        if (accessKey.isPresent() && secret.isPresent()) {
            b.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey.get(), secret.get())));
        } else {
            b.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        LOG.infof("Kinesis client: region %s%s", region, endpointOverride.map(e -> ", endpoint " + e).orElse(""));
        return b.build();
    }

    void close(@Disposes @Named("eciKinesisClient") KinesisClient client) {
        client.close();
    }
}
