package io.eciconnector.streams;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.eciconnector.ledger.Ledger;

/**
 * Shard leases of one stream for one consumer instance, kept in the ledger database (kinesis_shard_lease,
 * kinesis_lease_member), so that replicas sharing the database split the shards instead of each reading all of them.
 * <p>
 * A heartbeat (every third of the lease, on its own thread, so a slow batch does not let leases lapse) renews this
 * instance's leases and its membership, then balances: the fair share is ceil(open shards / live instances), live
 * instances being the members and owners with a lease still running, plus this one. Below its share it takes free or
 * expired shards (a conditional update: only one instance can win a shard); above it, it marks the extra shards, which
 * the polling thread releases between two shards ({@link #releaseExtras()}), i.e. after their checkpoints are
 * committed. A shard is read only while {@link #holds(String)}: the local validity ends a tenth of the lease before the
 * lease stored in the database, so an instance stops before another may take over (clocks are assumed to agree to
 * well within that margin).
 */
public final class KinesisShardLeases {

    private static final Logger LOG = Logger.getLogger(KinesisShardLeases.class);

    private final Ledger ledger;
    private final String stream;
    private final String owner;
    private final long leaseMs;
    private final long marginMs;
    /** shard id -> until when (epoch millis) this instance may read it. */
    private final Map<String, Long> held = new ConcurrentHashMap<>();
    private final Set<String> extras = ConcurrentHashMap.newKeySet();
    private final Set<String> finished = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService heartbeat;
    /** Between start and stop: a heartbeat already waiting for the monitor does nothing once this is false. */
    private volatile boolean running;
    private volatile Set<String> lastShards = Set.of();

    public KinesisShardLeases(Ledger ledger, String stream, String owner, Duration lease) {
        this.ledger = ledger;
        this.stream = stream;
        this.owner = owner;
        this.leaseMs = lease.toMillis();
        this.marginMs = Math.max(1, leaseMs / 10);
        if (leaseMs < 300) {
            throw new IllegalArgumentException("eci.signals.kinesis.lease must be at least 300 ms, not " + lease);
        }
    }

    public String owner() {
        return owner;
    }

    public long heartbeatMs() {
        return Math.max(100, leaseMs / 3);
    }

    /** A first round now, then one every third of the lease; shards gives the stream's current shard ids. */
    public void start(Supplier<Collection<String>> shards) {
        stopHeartbeat();
        synchronized (this) {
            held.clear();
            extras.clear();
            finished.clear();
            running = true;
            round(shards.get());
            heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kinesis-leases-" + stream + "-" + owner);
                t.setDaemon(true);
                return t;
            });
            heartbeat.scheduleWithFixedDelay(() -> heartbeat(shards), heartbeatMs(), heartbeatMs(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void heartbeat(Supplier<Collection<String>> shards) {
        synchronized (this) {
            if (!running) {
                return;
            }
            try {
                round(shards.get());
            } catch (RuntimeException e) {
                LOG.warnf("Kinesis %s: lease heartbeat failed (%s); retried in %d ms", stream, e.getMessage(),
                        heartbeatMs());
            }
        }
    }

    /** Stops the heartbeat and gives every lease back at once (call after the last checkpoint is committed). */
    public void stop() {
        stopHeartbeat();
        synchronized (this) {
            release();
        }
    }

    private void release() {
        try {
            ledger.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE kinesis_shard_lease SET lease_owner = NULL, "
                        + "lease_until = 0, updated_at = ? WHERE stream_name = ? AND lease_owner = ?")) {
                    ps.setLong(1, System.currentTimeMillis());
                    ps.setString(2, stream);
                    ps.setString(3, owner);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM kinesis_lease_member WHERE stream_name = ? AND instance_id = ?")) {
                    ps.setString(1, stream);
                    ps.setString(2, owner);
                    ps.executeUpdate();
                }
                return null;
            });
            LOG.infof("Kinesis %s: %s released its shards %s", stream, owner, new TreeSet<>(held.keySet()));
        } catch (RuntimeException e) {
            LOG.warnf("Kinesis %s: could not release the leases (%s); they expire in %d ms", stream, e.getMessage(),
                    leaseMs);
        } finally {
            held.clear();
            extras.clear();
        }
    }

    /** Stops renewing without releasing: what a crash does (tests). */
    void abandon() {
        stopHeartbeat();
        synchronized (this) {
            held.clear();
            extras.clear();
        }
    }

    /** Stops the heartbeat; not under the monitor, which a running heartbeat may be waiting for. */
    private void stopHeartbeat() {
        ScheduledExecutorService h;
        synchronized (this) {
            running = false;
            h = heartbeat;
            heartbeat = null;
        }
        if (h != null) {
            h.shutdownNow();
            try {
                h.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether this instance may read the shard now. */
    public boolean holds(String shardId) {
        Long until = held.get(shardId);
        return until != null && until > System.currentTimeMillis();
    }

    /** The shards this instance may read now. */
    public Set<String> held() {
        long now = System.currentTimeMillis();
        Set<String> out = new TreeSet<>();
        held.forEach((s, until) -> {
            if (until > now) {
                out.add(s);
            }
        });
        return out;
    }

    /** Whether the shard is closed and was read to its end (by any instance). */
    public boolean finished(String shardId) {
        return finished.contains(shardId);
    }

    /** The shard is closed and read to its end: recorded for every instance, and its lease given back. */
    public synchronized void markFinished(String shardId) {
        ledger.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE kinesis_shard_lease SET finished = TRUE, "
                    + "lease_owner = NULL, lease_until = 0, updated_at = ? WHERE stream_name = ? AND shard_id = ?")) {
                ps.setLong(1, System.currentTimeMillis());
                ps.setString(2, stream);
                ps.setString(3, shardId);
                ps.executeUpdate();
            }
            return null;
        });
        finished.add(shardId);
        held.remove(shardId);
        extras.remove(shardId);
    }

    /**
     * Gives back the shards above this instance's fair share; called by the polling thread between two shards, so
     * every record handed on from them is checkpointed. Returns the shards given back.
     */
    public synchronized Set<String> releaseExtras() {
        if (extras.isEmpty()) {
            return Set.of();
        }
        Set<String> released = new TreeSet<>(extras);
        ledger.inTransaction(c -> {
            for (String shardId : released) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE kinesis_shard_lease SET lease_owner = NULL, "
                        + "lease_until = 0, updated_at = ? WHERE stream_name = ? AND shard_id = ? AND lease_owner = ?")) {
                    ps.setLong(1, System.currentTimeMillis());
                    ps.setString(2, stream);
                    ps.setString(3, shardId);
                    ps.setString(4, owner);
                    ps.executeUpdate();
                }
            }
            return null;
        });
        released.forEach(held::remove);
        extras.removeAll(released);
        LOG.infof("Kinesis %s: %s released %s to balance the shards", stream, owner, released);
        return released;
    }

    private record Row(String shard, String owner, long until, boolean finished) {
    }

    /** A round at once when the stream's shards are not those of the last round (the first listing, a resharding). */
    public void refreshIfChanged(Collection<String> shardIds) {
        if (!Set.copyOf(shardIds).equals(lastShards)) {
            synchronized (this) {
                if (running && !Set.copyOf(shardIds).equals(lastShards)) {
                    round(shardIds);
                }
            }
        }
    }

    /** One heartbeat: membership, rows for new shards, renewal, then take or mark extras up to the fair share. */
    synchronized void round(Collection<String> shardIds) {
        lastShards = Set.copyOf(shardIds);
        long t0 = System.currentTimeMillis();
        Map<String, Row> rows = ledger.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE kinesis_lease_member SET alive_until = ? "
                    + "WHERE stream_name = ? AND instance_id = ?")) {
                ps.setLong(1, t0 + leaseMs);
                ps.setString(2, stream);
                ps.setString(3, owner);
                if (ps.executeUpdate() == 0) {
                    try (PreparedStatement in = c.prepareStatement("INSERT INTO kinesis_lease_member (stream_name, "
                            + "instance_id, alive_until) VALUES (?, ?, ?)")) {
                        in.setString(1, stream);
                        in.setString(2, owner);
                        in.setLong(3, t0 + leaseMs);
                        in.executeUpdate();
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM kinesis_lease_member WHERE stream_name = ? AND alive_until < ?")) {
                ps.setString(1, stream);
                ps.setLong(2, t0);
                ps.executeUpdate();
            }
            for (String shardId : new ArrayList<>(held.keySet())) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE kinesis_shard_lease SET lease_until = ?, "
                        + "updated_at = ? WHERE stream_name = ? AND shard_id = ? AND lease_owner = ?")) {
                    ps.setLong(1, t0 + leaseMs);
                    ps.setLong(2, t0);
                    ps.setString(3, stream);
                    ps.setString(4, shardId);
                    ps.setString(5, owner);
                    if (ps.executeUpdate() == 1) {
                        held.put(shardId, t0 + leaseMs - marginMs);
                    } else {
                        held.remove(shardId);
                        extras.remove(shardId);
                        LOG.warnf("Kinesis %s/%s: lease lost by %s (it lapsed and another instance took it)", stream,
                                shardId, owner);
                    }
                }
            }
            return read(c);
        });
        for (String shardId : shardIds) {
            if (!rows.containsKey(shardId)) {
                insertFree(shardId, t0);
                rows.put(shardId, new Row(shardId, null, 0, false));
            }
        }
        Set<String> live = ledger.inTransaction(c -> {
            Set<String> out = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT instance_id FROM kinesis_lease_member WHERE stream_name = ? AND alive_until > ?")) {
                ps.setString(1, stream);
                ps.setLong(2, t0);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
        live.add(owner);
        List<String> open = new ArrayList<>();
        for (String shardId : new TreeSet<>(shardIds)) {
            Row r = rows.get(shardId);
            if (r.finished()) {
                finished.add(shardId);
                held.remove(shardId);
            } else {
                open.add(shardId);
                if (r.owner() != null && r.until() > t0) {
                    live.add(r.owner());
                }
            }
        }
        int fair = open.isEmpty() ? 0 : (open.size() + live.size() - 1) / live.size();
        List<String> mine = open.stream().filter(held::containsKey).toList();
        if (mine.size() < fair) {
            int want = fair - mine.size();
            for (String shardId : open) {
                if (want == 0) {
                    break;
                }
                Row r = rows.get(shardId);
                if (!held.containsKey(shardId) && (r.owner() == null || r.until() <= t0) && take(shardId, t0)) {
                    want--;
                }
            }
            extras.clear();
        } else if (mine.size() > fair) {
            // give back the last ones (children and newer shards before the older ones)
            extras.clear();
            extras.addAll(mine.subList(fair, mine.size()));
        } else {
            extras.clear();
        }
    }

    private Map<String, Row> read(Connection c) throws SQLException {
        Map<String, Row> rows = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT shard_id, lease_owner, lease_until, finished "
                + "FROM kinesis_shard_lease WHERE stream_name = ?")) {
            ps.setString(1, stream);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getBoolean(4)));
                }
            }
        }
        return rows;
    }

    private void insertFree(String shardId, long now) {
        try {
            ledger.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO kinesis_shard_lease (stream_name, shard_id, "
                        + "lease_owner, lease_until, finished, updated_at) VALUES (?, ?, NULL, 0, FALSE, ?)")) {
                    ps.setString(1, stream);
                    ps.setString(2, shardId);
                    ps.setLong(3, now);
                    ps.executeUpdate();
                }
                return null;
            });
        } catch (Ledger.LedgerException e) {
            if (!(e.getCause() instanceof SQLException sql) || !("23505".equals(sql.getSQLState())
                    || "23000".equals(sql.getSQLState()))) {
                throw e;
            }
            // another instance added it first
        }
    }

    /** Takes a free or expired shard; false when another instance was first. */
    private boolean take(String shardId, long t0) {
        boolean taken = ledger.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE kinesis_shard_lease SET lease_owner = ?, "
                    + "lease_until = ?, updated_at = ? WHERE stream_name = ? AND shard_id = ? AND finished = FALSE "
                    + "AND (lease_owner IS NULL OR lease_until <= ?)")) {
                ps.setString(1, owner);
                ps.setLong(2, t0 + leaseMs);
                ps.setLong(3, t0);
                ps.setString(4, stream);
                ps.setString(5, shardId);
                ps.setLong(6, t0);
                return ps.executeUpdate() == 1;
            }
        });
        if (taken) {
            held.put(shardId, t0 + leaseMs - marginMs);
            LOG.infof("Kinesis %s/%s: leased by %s", stream, shardId, owner);
        }
        return taken;
    }
}
