package io.eciconnector.streams;

import java.time.Duration;
import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.component.aws2.kinesis.Kinesis2Component;
import org.apache.camel.component.aws2.kinesis.Kinesis2Configuration;

import io.eciconnector.ledger.Ledger;

/**
 * camel-aws2-kinesis's component under its own scheme (aws2-kinesis, so its URI options and their configurers
 * apply), creating endpoints whose consumer keeps its positions and shard leases in the ledger (see
 * CheckpointedKinesisConsumer, KinesisShardLeases).
 */
@org.apache.camel.spi.annotations.Component("aws2-kinesis")
public class CheckpointedKinesisComponent extends Kinesis2Component {

    private final KinesisCheckpoints checkpoints;
    private final Ledger ledger;
    private final Duration lease;

    /** Checkpoints and shard leases in the ledger; this instance is named by Ledger#instance(). */
    public CheckpointedKinesisComponent(KinesisCheckpoints checkpoints, Ledger ledger, Duration lease) {
        this.checkpoints = checkpoints;
        this.ledger = ledger;
        this.lease = lease;
    }

    /** The shard leases of a consumer of the stream (one per consumer: it starts and stops with it). */
    KinesisShardLeases leases(String stream) {
        return new KinesisShardLeases(ledger, stream, ledger.instance(), lease);
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        Kinesis2Configuration configuration = getConfiguration() != null ? getConfiguration().copy()
                : new Kinesis2Configuration();
        configuration.setStreamName(remaining);
        CheckpointedKinesisEndpoint endpoint = new CheckpointedKinesisEndpoint(uri, configuration, this, checkpoints);
        setProperties(endpoint, parameters);
        if (configuration.getAmazonKinesisClient() == null && !configuration.isUseDefaultCredentialsProvider()) {
            throw new IllegalArgumentException("the Kinesis source takes its client from amazonKinesisClient "
                    + "(#eciKinesisClient, configured by eci.signals.kinesis.*)");
        }
        return endpoint;
    }
}
