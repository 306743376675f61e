package io.eciconnector.cluster;

import java.time.Duration;

import org.apache.camel.support.cluster.AbstractCamelClusterService;

/**
 * Leader election by an OS file lock, one lock file per group under {@code root}: the cluster service behind
 * {@code master:<group>:...} endpoints when {@code eci.cluster.mode=file}.
 * <p>
 * It replaces Camel 4.14.0's {@code FileLockClusterService}, whose view deadlocks at start: its election thread
 * holds a JVM-wide lock while it calls the leadership listeners under the view's listener lock, and a master consumer
 * that starts at the same time holds the listener lock while it asks {@code isLeader()}, which waits for the
 * JVM-wide lock (about one start in 16 on a loaded machine, never ready). Here a view keeps its state in one volatile
 * flag, its one lock guards the file operations only, and it calls the listeners from its own thread with no lock
 * held (see {@link FileLockLeaderView}).
 */
public class FileLockLeaderService extends AbstractCamelClusterService<FileLockLeaderView> {

    private final String root;
    private final Duration acquireDelay;
    private final Duration acquireInterval;

    public FileLockLeaderService(String id, String root, Duration acquireDelay, Duration acquireInterval) {
        setId(id);
        this.root = root;
        this.acquireDelay = acquireDelay;
        this.acquireInterval = acquireInterval;
    }

    public String getRoot() {
        return root;
    }

    public Duration getAcquireDelay() {
        return acquireDelay;
    }

    public Duration getAcquireInterval() {
        return acquireInterval;
    }

    @Override
    protected FileLockLeaderView createView(String namespace) throws Exception {
        return new FileLockLeaderView(this, namespace);
    }
}
