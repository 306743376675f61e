package io.eciconnector.cluster;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.support.service.ServiceSupport;
import org.jboss.logging.Logger;

/**
 * One group's election: this replica leads while it holds an exclusive OS lock on the file {@code {root}/{group}}.
 * <p>
 * Free of lock-order cycles by construction:
 * <ul>
 * <li>leadership is one volatile flag: {@code isLeader()} and {@code getLeader()} never wait;</li>
 * <li>the view's one lock ({@code fileLock}) guards opening, locking, checking and closing the file, and nothing else
 * is ever done while it is held;</li>
 * <li>listeners are kept in a copy-on-write list (adding or removing one takes no lock), and are called only from the
 * view's events threads, each listener in order and apart from the others (one that takes a second or hangs does not
 * hold up the rest: Camel 4.14's master consumer waits a second in each callback, so told one after the other, eight
 * master routes started eight seconds apart), with no lock held. A master consumer's callback takes that
 * consumer's own lock, which its start or stop may hold while it adds or removes its listener: since adding and
 * removing never wait for a callback, and a callback never waits for anything of the view, the two can no longer
 * block each other.</li>
 * <li>the election (taking and checking the lock) runs on its own thread and never waits for a listener: Camel
 * 4.14's master consumer starts its route inside the callback (at least one second, retried without end while the
 * route cannot start), and a leader whose checks waited for that could not see that it lost its lock.</li>
 * </ul>
 * Every listener is told the current leadership when it is added and after every change (a change it missed while
 * another callback ran is told once, with the state of that moment), in order.
 * <p>
 * Within one JVM only one view holds a given lock file open at a time ({@link #CLAIMS}): on Linux, closing any
 * descriptor of a file drops every lock the process holds on it, so a second view in the same JVM must never open
 * and close the file while the first leads. Across processes the OS lock decides; a killed leader's lock is freed by
 * the OS, and the stand-by takes it at its next attempt ({@code acquire-interval}). A leader checks at each interval
 * that its lock is still valid and that the path still names the file it locked (a deleted or replaced lock file
 * would let another replica lock a new one); otherwise it gives leadership up and tries again.
 */
public class FileLockLeaderView extends ServiceSupport implements CamelClusterView {

    private static final Logger LOG = Logger.getLogger(FileLockLeaderView.class);

    /** Lock files held open by a view of this JVM: path -> that view. */
    static final Map<Path, FileLockLeaderView> CLAIMS = new ConcurrentHashMap<>();

    private final FileLockLeaderService service;
    private final String namespace;
    private final Path path;
    private final LocalMember local = new LocalMember();
    private final List<Registration> listeners = new CopyOnWriteArrayList<>();
    private final Object fileLock = new Object();

    private volatile boolean leader;
    private volatile boolean running;
    private volatile ScheduledThreadPoolExecutor thread;
    private volatile ThreadPoolExecutor events;
    private volatile long lastTickNanos;
    /**
     * Times leadership was given up. Until every listener has heard of the last one the lock is not taken again, so
     * each one hears a loss before the next gain (its consumer stops before this replica leads again).
     */
    private final java.util.concurrent.atomic.AtomicLong losses = new java.util.concurrent.atomic.AtomicLong();
    private CamelContext camelContext;
    private volatile long ticks;
    private volatile int starts;
    private volatile int stops;

    // guarded by fileLock
    private FileChannel channel;
    private FileLock lock;
    private Object lockedFileKey;

    FileLockLeaderView(FileLockLeaderService service, String namespace) {
        this.service = service;
        this.namespace = namespace;
        this.path = Path.of(service.getRoot(), namespace).toAbsolutePath().normalize();
    }

    @Override
    public CamelClusterService getClusterService() {
        return service;
    }

    @Override
    public String getNamespace() {
        return namespace;
    }

    @Override
    public Optional<CamelClusterMember> getLeader() {
        return leader ? Optional.of(local) : Optional.empty();
    }

    @Override
    public CamelClusterMember getLocalMember() {
        return local;
    }

    @Override
    public List<CamelClusterMember> getMembers() {
        // a file lock does not tell who else stands by
        return leader ? List.of(local) : List.of();
    }

    @Override
    public void addEventListener(CamelClusterEventListener listener) {
        if (listener != null) {
            Registration r = new Registration(listener);
            // it has heard of no leadership, so no loss before now is owed to it
            r.lossesHeard = losses.get();
            listeners.add(r);
            notifyListeners();
        }
    }

    @Override
    public void removeEventListener(CamelClusterEventListener listener) {
        if (listener != null) {
            listeners.removeIf(r -> r.listener == listener);
        }
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** What this view is doing, for a diagnosis (state, election thread, listeners, lock). */
    public String describe() {
        ScheduledThreadPoolExecutor t = thread;
        return "view " + namespace + " status=" + getStatus() + " running=" + running + " leader=" + leader
                + " listeners=" + listeners.size() + " thread=" + (t == null ? "none"
                        : (t.isShutdown() ? "shut down" : "alive") + " tasks=" + t.getQueue().size() + " done="
                                + t.getCompletedTaskCount() + " pool=" + t.getPoolSize())
                + " claim=" + (CLAIMS.get(path) == this ? "this" : CLAIMS.get(path) == null ? "none" : "other")
                + " ticks=" + ticks + " lastTick=" + secondsSinceLastTick() + "s ago"
                + " starts=" + starts + " stops=" + stops;
    }

    /** The lock file of this view. */
    public Path path() {
        return path;
    }

    @Override
    protected void doStart() throws Exception {
        starts++;
        Files.createDirectories(path.getParent());
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "eci-leader-" + namespace);
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        ThreadPoolExecutor e = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
            Thread th = new Thread(r, "eci-leader-events-" + namespace);
            th.setDaemon(true);
            return th;
        });
        running = true;
        events = e;
        thread = t;
        t.scheduleWithFixedDelay(this::tick, service.getAcquireDelay().toMillis(),
                Math.max(1, service.getAcquireInterval().toMillis()), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops without waiting for the view's thread (it may be inside a listener that waits for the caller's lock):
     * the lock is released and the file closed at once, the thread ends after its current task.
     */
    @Override
    protected void doStop() throws Exception {
        stops++;
        running = false;
        ScheduledThreadPoolExecutor t = thread;
        thread = null;
        if (t != null) {
            t.shutdown();
        }
        ThreadPoolExecutor e = events;
        events = null;
        if (e != null) {
            e.shutdown();
        }
        boolean was = leader;
        leader = false;
        release();
        if (was) {
            LOG.infof("Lock on %s released (view stopped)", path);
        }
    }

    /**
     * One election step on the election thread: take or check the lock, then ask the events thread to tell the
     * listeners what changed (never waiting for them).
     */
    void tick() {
        ticks++;
        lastTickNanos = System.nanoTime();
        if (!running) {
            return;
        }
        try {
            if (leader) {
                String lost = stillHeld();
                if (lost != null) {
                    // leader first, then the count: a delivery that saw the new count tells every listener "not leader"
                    leader = false;
                    losses.incrementAndGet();
                    release();
                    LOG.warnf("Lock on %s lost (%s): leadership given up, trying again", path, lost);
                }
            } else if (everyLossHeard() && acquire()) {
                if (running) {
                    leader = true;
                    LOG.infof("Lock on %s acquired", path);
                } else {
                    release();
                }
            }
        } catch (Exception | Error e) {
            LOG.warnf(e, "Leader election on %s: %s", path, e.toString());
            boolean was = leader;
            leader = false;
            if (was) {
                losses.incrementAndGet();
            }
            release();
        }
        notifyListeners();
    }

    private boolean acquire() throws IOException {
        synchronized (fileLock) {
            FileLockLeaderView holder = CLAIMS.putIfAbsent(path, this);
            if (holder != null && holder != this) {
                return false;
            }
            boolean ok = false;
            try {
                if (channel == null) {
                    channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                }
                try {
                    // the whole file: also excludes a replica still on Camel's own file-lock service (it locks from 0)
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock != null) {
                    lockedFileKey = fileKey(path);
                    ok = true;
                }
                return ok;
            } finally {
                if (!ok) {
                    releaseLocked();
                }
            }
        }
    }

    /** Null while this view still holds the lock on the file the path names, else why not. */
    private String stillHeld() {
        synchronized (fileLock) {
            if (lock == null || !lock.isValid() || channel == null || !channel.isOpen()) {
                return "the lock is no longer valid";
            }
            Object key;
            try {
                key = fileKey(path);
            } catch (IOException e) {
                return "the lock file is gone: " + e.getMessage();
            }
            if (lockedFileKey != null && !Objects.equals(key, lockedFileKey)) {
                return "the lock file was replaced";
            }
            return null;
        }
    }

    private void release() {
        synchronized (fileLock) {
            releaseLocked();
        }
    }

    private void releaseLocked() {
        if (lock != null) {
            try {
                lock.release();
            } catch (IOException | RuntimeException e) {
                LOG.debugf(e, "releasing the lock on %s", path);
            }
            lock = null;
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debugf(e, "closing %s", path);
            }
            channel = null;
        }
        lockedFileKey = null;
        CLAIMS.remove(path, this);
    }

    private static Object fileKey(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        Object key = a.fileKey();
        return key != null ? key : a.creationTime();
    }

    /**
     * Asks the events threads to tell each listener the current leadership (from any thread, never waits). At most one
     * delivery per listener waits to run: it reads the leadership when it runs, so it covers every change before it.
     */
    private void notifyListeners() {
        ThreadPoolExecutor e = events;
        if (e == null) {
            return;
        }
        for (Registration r : listeners) {
            if (r.queued.compareAndSet(false, true)) {
                try {
                    e.execute(() -> {
                        r.queued.set(false);
                        deliver(r);
                    });
                } catch (RejectedExecutionException stopped) {
                    // stopping: nothing more to tell
                    r.queued.set(false);
                }
            }
        }
    }

    /** Whether every listener has heard "not leader" since the last time this replica gave leadership up. */
    private boolean everyLossHeard() {
        long n = losses.get();
        for (Registration r : listeners) {
            if (r.lossesHeard < n) {
                return false;
            }
        }
        return true;
    }

    /** Seconds since the election thread last ran a step (-1 before the first); a growing figure means it is stuck. */
    public long secondsSinceLastTick() {
        long last = lastTickNanos;
        return last == 0 ? -1 : TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - last);
    }

    /** On an events thread: tells one listener the current leadership when it differs from what it last heard. */
    private void deliver(Registration r) {
        synchronized (r) {
            if (!running) {
                return;
            }
            long lossesBefore = losses.get();
            boolean now = leader;
            if (r.told == null || r.told != now) {
                r.told = now;
                if (r.listener instanceof CamelClusterEventListener.Leadership leadership) {
                    try {
                        leadership.leadershipChanged(this, now ? local : null);
                    } catch (RuntimeException e) {
                        LOG.warnf(e, "A leadership listener of %s failed: %s", namespace, e.toString());
                    }
                }
            }
            if (!now) {
                // it has heard "not leader" after every loss counted before this delivery began
                r.lossesHeard = Math.max(r.lossesHeard, lossesBefore);
            }
        }
    }

    /** A listener as added (added again after a removal, it is a new registration and is told afresh). */
    private static final class Registration {
        final CamelClusterEventListener listener;
        /** What it was last told; written and read under the registration's own lock. */
        Boolean told;
        /** The losses counted when it last heard "not leader" (the election waits for every listener to catch up). */
        volatile long lossesHeard;
        /** A delivery to it is waiting to run. */
        final AtomicBoolean queued = new AtomicBoolean();

        Registration(CamelClusterEventListener listener) {
            this.listener = listener;
        }
    }

    /** This replica as a member of the group. */
    final class LocalMember implements CamelClusterMember {
        @Override
        public boolean isLeader() {
            return leader;
        }

        @Override
        public boolean isLocal() {
            return true;
        }

        @Override
        public String getId() {
            return service.getId();
        }
    }
}
