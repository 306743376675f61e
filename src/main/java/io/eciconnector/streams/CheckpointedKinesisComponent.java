package io.eciconnector.streams;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.component.aws2.kinesis.Kinesis2Component;
import org.apache.camel.component.aws2.kinesis.Kinesis2Configuration;

/**
 * camel-aws2-kinesis's component under its own scheme (aws2-kinesis, so its URI options and their configurers
 * apply), creating endpoints whose consumer keeps its positions in the ledger (see CheckpointedKinesisConsumer).
 */
@org.apache.camel.spi.annotations.Component("aws2-kinesis")
public class CheckpointedKinesisComponent extends Kinesis2Component {

    private final KinesisCheckpoints checkpoints;

    public CheckpointedKinesisComponent(KinesisCheckpoints checkpoints) {
        this.checkpoints = checkpoints;
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
