package io.eciconnector.ingest;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.component.file.remote.RemoteFileConsumer;
import org.apache.camel.component.file.remote.RemoteFilePollingConsumerPollStrategy;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.jboss.logging.Logger;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The poll strategy of the ingest sources ({@code pollStrategy=#callCoachingGate}): each poll starts by reading the
 * call-coaching status; while the provider is disabled (or the status cannot be read) the poll is skipped, so drops
 * stay in place until uploads are enabled again. A failed poll of an SFTP or FTP source drops its session, as
 * Camel's own strategy for remote files does, so the next poll logs in anew.
 */
@ApplicationScoped
@Named("callCoachingGate")
@RegisterForReflection
public class CallCoachingGate implements PollingConsumerPollStrategy {

    private static final Logger LOG = Logger.getLogger(CallCoachingGate.class);

    @Inject
    CallCoaching callCoaching;

    private static final RemoteFilePollingConsumerPollStrategy REMOTE = new RemoteFilePollingConsumerPollStrategy();

    private final AtomicBoolean closed = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();

    /** Polls refused so far (the status closed or unreadable): drops were left in place that many times. */
    public long refusedPolls() {
        return refused.get();
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        try {
            boolean open = callCoaching.current().enabled();
            if (closed.getAndSet(!open) != !open) {
                LOG.infof(open ? "Call coaching enabled: %s consumes again"
                        : "Call coaching disabled for this provider: %s leaves drops in place", endpoint);
            }
            if (!open) {
                refused.incrementAndGet();
            }
            return open;
        } catch (Exception e) {
            refused.incrementAndGet();
            if (!closed.getAndSet(true)) {
                LOG.warnf("Call-coaching status unreadable (%s): %s leaves drops in place", e.getMessage(), endpoint);
            }
            return false;
        }
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        // nothing to do: each drop's outcome is in the ledger
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) throws Exception {
        LOG.warnf("Poll of %s failed: %s; drops stay in place for the next poll", endpoint, cause.getMessage());
        if (consumer instanceof RemoteFileConsumer) {
            // what Camel's own strategy for SFTP/FTP does, which this one replaces: the session is dropped and the
            // next poll logs in anew (a session whose listings all fail would otherwise be kept for good)
            return REMOTE.rollback(consumer, endpoint, retryCounter, cause);
        }
        return false;
    }
}
