package io.eciconnector.streams;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.aws2.kinesis.Kinesis2Constants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.eciconnector.ledger.Ledger;
import io.eciconnector.ledger.TestLedgers;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Shard leases between two consumer instances sharing one ledger database (two Ledger objects on one H2 in-memory
 * database or one PostgreSQL schema, each with its own instance id), with the shards of a 4-shard kinesalite stream:
 * they split the shards 2 and 2, never both hold a shard, and when one crashes (its leases lapse) or stops (it gives
 * them back) the other holds all four; then the same with two real checkpointing consumers in two Camel contexts.
 */
class KinesisShardLeasesTest {

    static final Duration LEASE = Duration.ofSeconds(3);
    static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";
    static final KinesaliteResource KINESALITE = new KinesaliteResource();
    static final List<String> SCHEMAS = new ArrayList<>();

    @BeforeAll
    static void kinesalite() {
        KINESALITE.start();
    }

    @AfterAll
    static void stop() throws SQLException {
        KINESALITE.stop();
        if (postgresReachable()) {
            try (Connection c = DriverManager.getConnection(PG, "postgres", "")) {
                for (String s : SCHEMAS) {
                    c.createStatement().execute("DROP SCHEMA IF EXISTS " + s + " CASCADE");
                }
            }
        }
    }

    static boolean postgresReachable() {
        try (Connection c = DriverManager.getConnection(PG, "postgres", "")) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** The URL of a fresh database: an H2 in-memory one, or a new PostgreSQL schema (dropped after the class). */
    static String freshDatabase(String db) throws SQLException {
        String name = "eci_leases_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        if (db.equals("postgresql")) {
            assumeTrue(postgresReachable(), "PostgreSQL at 127.0.0.1:5432 not reachable");
            try (Connection c = DriverManager.getConnection(PG, "postgres", "")) {
                c.createStatement().execute("CREATE SCHEMA " + name);
            }
            synchronized (SCHEMAS) {
                SCHEMAS.add(name);
            }
            return PG + "?currentSchema=" + name;
        }
        return "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
    }

    static Ledger ledger(String url) {
        return TestLedgers.open(url, url.startsWith("jdbc:postgresql:") ? "postgres" : "sa");
    }

    /** A new ACTIVE stream of the given shard count in kinesalite; its shard ids. */
    static List<String> stream(KinesisClient k, String name, int shards) throws InterruptedException {
        k.createStream(b -> b.streamName(name).shardCount(shards));
        long deadline = System.currentTimeMillis() + 10_000;
        while (k.describeStream(b -> b.streamName(name)).streamDescription().streamStatus() != StreamStatus.ACTIVE) {
            assertTrue(System.currentTimeMillis() < deadline, "stream ACTIVE within 10 s");
            Thread.sleep(50);
        }
        return k.listShards(b -> b.streamName(name)).shards().stream().map(Shard::shardId).toList();
    }

    /**
     * What the consumer's polling thread does with the leases, every 50 ms: a round when the shards changed, the
     * extra shards given back; and a watcher that records every moment both instances held the same shard.
     */
    static final class Driver implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<String> overlaps = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new ArrayList<>();

        Driver(Collection<String> shards, List<KinesisShardLeases> instances) {
            for (KinesisShardLeases l : instances) {
                threads.add(daemon(() -> {
                    while (running.get()) {
                        try {
                            l.refreshIfChanged(shards);
                            l.releaseExtras();
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        } catch (RuntimeException e) {
                            // a stopped instance's ledger
                        }
                    }
                }));
            }
            threads.add(daemon(() -> {
                while (running.get()) {
                    for (int i = 0; i < instances.size(); i++) {
                        for (int j = i + 1; j < instances.size(); j++) {
                            Set<String> both = new TreeSet<>(instances.get(i).held());
                            both.retainAll(instances.get(j).held());
                            if (!both.isEmpty()) {
                                overlaps.add(both + " held by " + instances.get(i).owner() + " and "
                                        + instances.get(j).owner());
                            }
                        }
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }

        static Thread daemon(Runnable r) {
            Thread t = new Thread(r, "lease-test-driver");
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(2000);
            }
        }
    }

    static long awaitHolds(KinesisShardLeases l, Set<String> shards, Duration atMost) {
        long t0 = System.nanoTime();
        await().atMost(atMost).pollInterval(Duration.ofMillis(10)).until(() -> l.held().equals(shards));
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void twoInstancesSplitFourShardsAndTheSurvivorTakesThemAllWithinTheLease(String db) throws Exception {
        String url = freshDatabase(db);
        String name = "leases-" + db;
        List<String> shards;
        try (KinesisClient k = KinesaliteResource.client()) {
            shards = stream(k, name, 4);
        }
        assertEquals(4, shards.size());
        Set<String> all = new TreeSet<>(shards);
        Ledger la = ledger(url);
        Ledger lb = ledger(url);
        Ledger lc = ledger(url);
        try {
            KinesisShardLeases a = new KinesisShardLeases(la, name, la.instance(), LEASE);
            KinesisShardLeases b = new KinesisShardLeases(lb, name, lb.instance(), LEASE);
            KinesisShardLeases c = new KinesisShardLeases(lc, name, lc.instance(), LEASE);
            long heartbeat = a.heartbeatMs();
            Driver driver = new Driver(shards, List.of(a, b, c));
            try {
                a.start(() -> shards);
                assertEquals(all, a.held(), "alone, it takes every shard");
                b.start(() -> shards);
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                        .until(() -> a.held().size() == 2 && b.held().size() == 2);
                Set<String> union = new TreeSet<>(a.held());
                union.addAll(b.held());
                assertEquals(all, union, "2 + 2, every shard held");

                // b crashes: no release, its leases lapse; a takes them over once they have expired, not before
                Set<String> ofB = b.held();
                b.abandon();
                long crash = awaitHolds(a, all, LEASE.multipliedBy(3));
                System.out.printf("[%s] takeover after a crash: %d ms (lease %d ms, heartbeat %d ms)%n", db, crash,
                        LEASE.toMillis(), heartbeat);
                assertTrue(crash >= LEASE.toMillis() - heartbeat - 200,
                        "not taken before b's leases " + ofB + " expired: " + crash + " ms");
                assertTrue(crash <= LEASE.toMillis() + heartbeat + 1000, "taken within the lease: " + crash + " ms");

                // a third instance joins (2 + 2 again), then stops: it gives its shards back, a takes them at once
                c.start(() -> shards);
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                        .until(() -> a.held().size() == 2 && c.held().size() == 2);
                c.stop();
                long graceful = awaitHolds(a, all, LEASE);
                System.out.printf("[%s] takeover after a stop: %d ms%n", db, graceful);
                // c renewed at most a heartbeat before it stopped: waiting for its leases to lapse would take longer
                assertTrue(graceful < LEASE.toMillis() - heartbeat, "released shards taken at a's next heartbeat, "
                        + "not after the leases lapsed: " + graceful + " ms");
                a.stop();
                assertEquals(Set.of(), a.held());
            } finally {
                driver.close();
                a.abandon();
                b.abandon();
                c.abandon();
            }
            assertEquals(List.of(), driver.overlaps, "no shard ever held by two instances at once");
        } finally {
            TestLedgers.close(la);
            TestLedgers.close(lb);
            TestLedgers.close(lc);
        }
    }

    /** One record handed on by a consumer instance. */
    record Delivery(String instance, String shard, String seq) {
    }

    static CamelContext consumer(String stream, Ledger ledger, KinesisClient client, List<Delivery> deliveries)
            throws Exception {
        KinesisCheckpoints checkpoints = new KinesisCheckpoints();
        checkpoints.ledger = ledger;
        CamelContext camel = io.eciconnector.testing.PlainCamel.context();
        camel.getRegistry().bind("leaseTestClient", client);
        camel.addComponent("aws2-kinesis", new CheckpointedKinesisComponent(checkpoints, ledger, LEASE));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("aws2-kinesis:" + stream + "?amazonKinesisClient=#leaseTestClient&cborEnabled=false"
                        + "&iteratorType=TRIM_HORIZON&delay=50&greedy=true&shardMonitorInterval=500")
                        .routeId("kinesis-" + ledger.instance())
                        .process(e -> deliveries.add(new Delivery(ledger.instance(),
                                e.getMessage().getHeader(Kinesis2Constants.SHARD_ID, String.class),
                                e.getMessage().getHeader(Kinesis2Constants.SEQUENCE_NUMBER, String.class))));
            }
        });
        camel.start();
        return camel;
    }

    static Map<String, Set<String>> shardsByInstance(List<Delivery> ds) {
        return ds.stream().collect(Collectors.groupingBy(Delivery::instance, TreeMap::new,
                Collectors.mapping(Delivery::shard, Collectors.toCollection(TreeSet::new))));
    }

    @Test
    void twoCamelConsumersSplitTheShardsAndTheSurvivorResumesAfterTheCheckpointsOfTheOther() throws Exception {
        String url = freshDatabase("h2");
        String name = "leases-camel";
        Ledger la = ledger(url);
        Ledger lb = ledger(url);
        List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        try (KinesisClient k = KinesaliteResource.client()) {
            List<String> shards = stream(k, name, 4);
            // a hash key in each shard: the start of its range
            List<String> keys = k.listShards(b -> b.streamName(name)).shards().stream()
                    .map(s -> s.hashKeyRange().startingHashKey()).toList();
            // each context its own client: stopping a context closes it
            CamelContext a = consumer(name, la, KinesaliteResource.client(), deliveries);
            CamelContext b = consumer(name, lb, KinesaliteResource.client(), deliveries);
            try {
                // balanced: 2 leases each in the database
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                        .until(() -> owners(la, name).equals(Map.of(la.instance(), 2L, lb.instance(), 2L)));
                Thread.sleep(300);
                List<String> first = put(k, name, keys, 5);
                await().atMost(Duration.ofSeconds(10)).until(() -> seqs(deliveries).containsAll(first));
                Map<String, Set<String>> split = shardsByInstance(deliveries.stream()
                        .filter(d -> first.contains(d.seq())).toList());
                assertEquals(2, split.size(), "both instances read: " + split);
                split.values().forEach(s -> assertEquals(2, s.size(), "2 shards each: " + split));

                // b's consumer stops (its route: stopping a whole context would, through the Camel CLI connector, stop
                // every context of the JVM): a takes its shards and resumes after b's checkpoints
                Set<String> ofB = split.get(lb.instance());
                long t0 = System.nanoTime();
                b.getRouteController().stopRoute("kinesis-" + lb.instance());
                List<String> second = put(k, name, keys, 5);
                await().atMost(LEASE.multipliedBy(2)).pollInterval(Duration.ofMillis(10))
                        .until(() -> seqs(deliveries).containsAll(second));
                long takeover = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("[camel] b stopped: its shards %s read by a within %d ms%n", ofB, takeover);
                assertEquals(Set.copyOf(shards), shardsByInstance(deliveries.stream()
                        .filter(d -> second.contains(d.seq())).toList()).get(la.instance()), "a reads all four");
                List<String> all = new ArrayList<>(first);
                all.addAll(second);
                List<String> handed = seqs(deliveries);
                assertEquals(all.size(), handed.size(), "each record handed on once, none lost: " + deliveries);
                assertEquals(new HashSet<>(all), new HashSet<>(handed));

                // b comes back (2 + 2 again), then "crashes": it loses the database, so it neither renews its leases
                // nor checkpoints; a takes b's shards once their leases lapsed and resumes after b's checkpoints
                b.getRouteController().startRoute("kinesis-" + lb.instance());
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                        .until(() -> owners(la, name).equals(Map.of(la.instance(), 2L, lb.instance(), 2L)));
                Thread.sleep(300);
                int before = deliveries.size();
                long crashedAt = System.nanoTime();
                TestLedgers.close(lb);
                List<String> third = put(k, name, keys, 5);
                await().atMost(LEASE.multipliedBy(3)).pollInterval(Duration.ofMillis(10))
                        .until(() -> seqs(deliveries.stream().filter(d -> d.instance().equals(la.instance())).toList())
                                .containsAll(third));
                long crashTakeover = (System.nanoTime() - crashedAt) / 1_000_000;
                System.out.printf("[camel] b crashed: its shards read by a within %d ms (lease %d ms)%n", crashTakeover,
                        LEASE.toMillis());
                assertTrue(crashTakeover >= LEASE.toMillis() - 1000 - 200, "not before b's leases lapsed");
                List<Delivery> after = deliveries.subList(before, deliveries.size());
                assertEquals(Set.copyOf(shards), shardsByInstance(after).get(la.instance()), "a reads all four");
                // b may have handed on a record it could not checkpoint (in flight at the crash): only that one per
                // shard, again and again until its lease ran out locally; a hands it on again (the intake de-duplicates)
                Map<String, Set<String>> ofBAfterCrash = after.stream().filter(d -> d.instance().equals(lb.instance()))
                        .collect(Collectors.groupingBy(Delivery::shard, Collectors.mapping(Delivery::seq,
                                Collectors.toSet())));
                ofBAfterCrash.values().forEach(v -> assertEquals(1, v.size(), "one record in flight: " + ofBAfterCrash));
                List<String> byA = seqs(after.stream().filter(d -> d.instance().equals(la.instance())).toList());
                assertEquals(third.size(), byA.size(), "a hands each record on once: " + byA);
            } finally {
                a.stop();
                b.stop();
            }
        } finally {
            TestLedgers.close(la);
            TestLedgers.close(lb);
        }
    }

    /** Unexpired leases per owner, as the database has them. */
    static Map<String, Long> owners(Ledger ledger, String stream) {
        long now = System.currentTimeMillis();
        return ledger.inTransaction(c -> {
            Map<String, Long> m = new TreeMap<>();
            try (var ps = c.prepareStatement("SELECT lease_owner, COUNT(*) FROM kinesis_shard_lease WHERE stream_name = ? "
                    + "AND lease_owner IS NOT NULL AND lease_until > ? GROUP BY lease_owner")) {
                ps.setString(1, stream);
                ps.setLong(2, now);
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        m.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            return m;
        });
    }

    static List<String> seqs(List<Delivery> ds) {
        return ds.stream().map(Delivery::seq).toList();
    }

    /** n records into each shard (by its starting hash key); their sequence numbers. */
    static List<String> put(KinesisClient k, String stream, List<String> keys, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (String key : keys) {
                PutRecordResponse r = k.putRecord(b -> b.streamName(stream).partitionKey(UUID.randomUUID().toString())
                        .explicitHashKey(key).data(SdkBytes.fromString("{}", StandardCharsets.UTF_8)));
                out.add(r.sequenceNumber());
            }
        }
        return out;
    }
}
