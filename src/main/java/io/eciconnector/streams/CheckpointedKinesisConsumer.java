package io.eciconnector.streams;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.aws2.kinesis.Kinesis2Configuration;
import org.apache.camel.component.aws2.kinesis.Kinesis2Consumer;
import org.jboss.logging.Logger;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * camel-aws2-kinesis's polling consumer (its client, shard monitor, scheduling and exchange headers) with positions
 * that survive a restart and a failure:
 * <ul>
 * <li>a shard is read from AFTER its checkpoint (kinesis_checkpoint), else from the configured iterator type;</li>
 * <li>a record's sequence number is checkpointed only after the route returned without an exception;</li>
 * <li>when a record fails, the rest of that shard's batch is not handed on and the shard is read again from its
 * checkpoint after a delay that doubles with each failure in a row (from the poll delay up to 30 s): nothing is
 * skipped (the stock consumer goes on to the next record);</li>
 * <li>every start (also a route restarted in the same JVM) and every expired iterator resumes from the checkpoints;</li>
 * <li>a child shard (after a resharding) waits until its listed parents have been read to their end (by any
 * instance: recorded in kinesis_shard_lease);</li>
 * <li>only the shards this instance holds a lease on are read (see KinesisShardLeases): replicas sharing the ledger
 * split the shards, a shard is handed on by one of them at a time, and the leases are given back on stop.</li>
 * </ul>
 * Records of one shard are handed on one at a time, in order, on the polling thread.
 */
final class CheckpointedKinesisConsumer extends Kinesis2Consumer {

    private static final Logger LOG = Logger.getLogger(CheckpointedKinesisConsumer.class);

    private final KinesisCheckpoints checkpoints;
    private final KinesisShardLeases leases;
    /** shard id -> iterator for its next GetRecords; only the polling thread touches these two. */
    private final Map<String, String> iterators = new HashMap<>();
    private final Set<String> readToEnd = new HashSet<>();
    /** shard id -> failures in a row and when it is read again (a refused record is retried with a growing delay). */
    private final Map<String, Integer> failures = new HashMap<>();
    private final Map<String, Long> retryAt = new HashMap<>();
    static final long MAX_RETRY_DELAY_MS = 30_000;

    CheckpointedKinesisConsumer(CheckpointedKinesisEndpoint endpoint, Processor processor, KinesisCheckpoints checkpoints,
            KinesisShardLeases leases) {
        super(endpoint, processor);
        this.checkpoints = checkpoints;
        this.leases = leases;
    }

    @Override
    protected void doStart() throws Exception {
        iterators.clear();
        readToEnd.clear();
        failures.clear();
        retryAt.clear();
        super.doStart();
        leases.start(() -> getCurrentShardList().stream().map(Shard::shardId).toList());
    }

    @Override
    protected void doStop() throws Exception {
        try {
            super.doStop();
        } finally {
            // after the polling stopped: every record handed on is checkpointed, so another instance resumes after it
            leases.stop();
        }
    }

    private String stream() {
        return getConfiguration().getStreamName();
    }

    private KinesisClient client() {
        return getConnection().getClient(getEndpoint());
    }

    @Override
    protected int poll() throws Exception {
        List<Shard> shards = getCurrentShardList();
        Set<String> listed = shards.stream().map(Shard::shardId).collect(Collectors.toSet());
        leases.refreshIfChanged(listed);
        // between two shards: everything handed on is checkpointed, so the extra shards can go to another instance
        leases.releaseExtras().forEach(iterators::remove);
        int handedOn = 0;
        for (Shard shard : shards) {
            if (!isRunAllowed()) {
                break;
            }
            if (!leases.holds(shard.shardId())) {
                // not ours (or no longer): when it comes back, it is read again from its checkpoint
                iterators.remove(shard.shardId());
                continue;
            }
            if (readToEnd.contains(shard.shardId()) || leases.finished(shard.shardId()) || waitsForParent(shard, listed)
                    || retryAt.getOrDefault(shard.shardId(), 0L) > System.currentTimeMillis()) {
                continue;
            }
            handedOn += pollShard(shard);
        }
        forceConsumerAsReady();
        return handedOn;
    }

    /** Records of a child shard come after its parents' (per partition key): read the parents to their end first. */
    private boolean waitsForParent(Shard shard, Set<String> listed) {
        for (String parent : new String[] { shard.parentShardId(), shard.adjacentParentShardId() }) {
            if (parent != null && listed.contains(parent) && !readToEnd.contains(parent) && !leases.finished(parent)) {
                return true;
            }
        }
        return false;
    }

    private int pollShard(Shard shard) {
        String shardId = shard.shardId();
        GetRecordsResponse batch;
        try {
            String iterator = iterators.get(shardId);
            if (iterator == null) {
                iterator = startIterator(shardId);
            }
            String it = iterator;
            batch = client().getRecords(b -> b.shardIterator(it).limit(getConfiguration().getMaxResultsPerRequest()));
        } catch (ExpiredIteratorException e) {
            LOG.infof("Kinesis %s/%s: iterator expired, resuming after the checkpoint", stream(), shardId);
            iterators.remove(shardId);
            return 0;
        } catch (SdkException e) {
            // throttled, stream being updated, network: the same position is asked again at the next poll
            LOG.warnf("Kinesis %s/%s: cannot read (%s); retried at the next poll", stream(), shardId, e.getMessage());
            return 0;
        }
        int handedOn = 0;
        for (Record record : batch.records()) {
            if (!isRunAllowed() || !leases.holds(shardId)) {
                // stopping, or the lease ran out: what is left is read again after the checkpoint (here or elsewhere)
                iterators.remove(shardId);
                return handedOn;
            }
            Exchange exchange = createExchange(shard, record);
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            if (exchange.getException() == null) {
                try {
                    checkpoints.save(stream(), shardId, record.sequenceNumber());
                } catch (RuntimeException e) {
                    exchange.setException(e);
                }
            }
            if (exchange.getException() != null) {
                // not handed on (or its position not stored): nothing after it goes on; read again from the checkpoint
                iterators.remove(shardId);
                int n = failures.merge(shardId, 1, Integer::sum);
                long delay = Math.min(MAX_RETRY_DELAY_MS, Math.max(100, getDelay()) << Math.min(n - 1, 16));
                retryAt.put(shardId, System.currentTimeMillis() + delay);
                getExceptionHandler().handleException("Kinesis record " + stream() + "/" + shardId + " "
                        + record.sequenceNumber() + " not taken in (" + n + " in a row); read again in " + delay + " ms",
                        exchange,
                        exchange.getException());
                return handedOn;
            }
            handedOn++;
            failures.remove(shardId);
            retryAt.remove(shardId);
        }
        if (batch.nextShardIterator() == null) {
            LOG.infof("Kinesis %s/%s: shard closed and read to its end", stream(), shardId);
            iterators.remove(shardId);
            readToEnd.add(shardId);
            leases.markFinished(shardId);
        } else {
            iterators.put(shardId, batch.nextShardIterator());
        }
        return handedOn;
    }

    private String startIterator(String shardId) {
        Kinesis2Configuration config = getConfiguration();
        GetShardIteratorRequest.Builder request = GetShardIteratorRequest.builder().streamName(stream()).shardId(shardId);
        Optional<String> checkpoint = checkpoints.position(stream(), shardId);
        if (checkpoint.isPresent()) {
            request.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).startingSequenceNumber(checkpoint.get());
            LOG.infof("Kinesis %s/%s: resuming after sequence number %s", stream(), shardId, checkpoint.get());
        } else {
            ShardIteratorType type = config.getIteratorType();
            request.shardIteratorType(type);
            if (type == ShardIteratorType.AT_SEQUENCE_NUMBER || type == ShardIteratorType.AFTER_SEQUENCE_NUMBER) {
                request.startingSequenceNumber(config.getSequenceNumber());
            }
            LOG.infof("Kinesis %s/%s: no checkpoint, starting at %s", stream(), shardId, type);
        }
        return client().getShardIterator(request.build()).shardIterator();
    }
}
