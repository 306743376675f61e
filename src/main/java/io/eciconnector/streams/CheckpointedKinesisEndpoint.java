package io.eciconnector.streams;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.component.aws2.kinesis.Kinesis2Configuration;
import org.apache.camel.component.aws2.kinesis.Kinesis2Endpoint;

/** An aws2-kinesis endpoint whose consumer checkpoints (the producer is camel-aws2-kinesis's own). */
final class CheckpointedKinesisEndpoint extends Kinesis2Endpoint {

    private final KinesisCheckpoints checkpoints;

    @Override
    public CheckpointedKinesisComponent getComponent() {
        return (CheckpointedKinesisComponent) super.getComponent();
    }

    CheckpointedKinesisEndpoint(String uri, Kinesis2Configuration configuration, CheckpointedKinesisComponent component,
            KinesisCheckpoints checkpoints) {
        super(uri, configuration, component);
        this.checkpoints = checkpoints;
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (getConfiguration().isUseKclConsumers()) {
            throw new IllegalArgumentException("useKclConsumers is not supported: positions are kept in the ledger");
        }
        if (getConfiguration().isAsyncClient()) {
            throw new IllegalArgumentException("asyncClient is not supported by the checkpointing consumer");
        }
        CheckpointedKinesisConsumer consumer = new CheckpointedKinesisConsumer(this, processor, checkpoints,
                getComponent().leases(getConfiguration().getStreamName()));
        consumer.setConnection(getComponent().getConnection());
        consumer.setSchedulerProperties(getSchedulerProperties());
        configureConsumer(consumer);
        return consumer;
    }
}
