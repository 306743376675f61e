package io.eciconnector.ledger;

import java.time.Duration;
import java.util.Optional;

/** Ledgers outside Quarkus for tests of other packages: several on one database act as several replicas. */
public final class TestLedgers {

    private TestLedgers() {
    }

    /** The shared PostgreSQL that .ci/run starts (trust auth, database test). */
    public static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";

    public static boolean postgresReachable() {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(PG, "postgres", "")) {
            return c.isValid(2);
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    /**
     * A fresh ledger on {@code db} ("h2": a file under target/; "postgresql": its own schema {@code name}, the test
     * skipped where PostgreSQL cannot be reached).
     */
    public static Ledger fresh(String db, String name, Duration lease) throws java.sql.SQLException {
        if (db.equals("postgresql")) {
            org.junit.jupiter.api.Assumptions.assumeTrue(postgresReachable(), "PostgreSQL at 127.0.0.1:5432 not reachable");
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(PG, "postgres", "")) {
                c.createStatement().execute("CREATE SCHEMA IF NOT EXISTS " + name);
            }
            return open(PG + "?currentSchema=" + name, "postgres", lease);
        }
        return open("jdbc:h2:file:./target/ledger-test/" + name, "sa", lease);
    }

    private static final java.util.List<String> SCHEMAS = new java.util.ArrayList<>();

    /** A new database name (an H2 file, a PostgreSQL schema), remembered for {@link #dropSchemas()}. */
    public static synchronized String unique() {
        String name = "eci_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        SCHEMAS.add(name);
        return name;
    }

    /** Drops the PostgreSQL schemas named by {@link #unique()} so far, where PostgreSQL is reachable. */
    public static synchronized void dropSchemas() throws java.sql.SQLException {
        if (postgresReachable()) {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(PG, "postgres", "")) {
                for (String s : SCHEMAS) {
                    c.createStatement().execute("DROP SCHEMA IF EXISTS " + s + " CASCADE");
                }
            }
        }
        SCHEMAS.clear();
    }

    /** A started ledger (migrated) on the URL; each has its own {@link Ledger#instance()}. */
    public static Ledger open(String url, String user) {
        return open(url, user, Duration.ofMinutes(2));
    }

    /** The same with the claim lease given. */
    public static Ledger open(String url, String user, Duration lease) {
        return open(url, user, lease, "test-" + java.util.UUID.randomUUID().toString().substring(0, 8));
    }

    /** The same with the instance id given: a second ledger with the same id is that instance restarted. */
    public static Ledger open(String url, String user, Duration lease, String instanceId) {
        Ledger ledger = new Ledger();
        ledger.settings = new LedgerSettings() {
            public String url() {
                return url;
            }

            public String username() {
                return user;
            }

            public Optional<String> password() {
                return Optional.empty();
            }

            public Optional<String> passwordFile() {
                return Optional.empty();
            }

            public int poolSize() {
                return 4;
            }

            public Duration lease() {
                return lease;
            }

            public Duration retention() {
                return Duration.ofDays(30);
            }

            public long retentionCheckMs() {
                return 3_600_000;
            }

            public Optional<Duration> signalRetention() {
                return Optional.empty();
            }

            public Duration signalReplayGuard() {
                return Duration.ofDays(400);
            }

            public Optional<String> instanceId() {
                return Optional.of(instanceId);
            }

            public String instanceIdFile() {
                return "target/ledger-test/instance-id";
            }
        };
        ledger.start();
        return ledger;
    }

    public static void close(Ledger ledger) {
        ledger.stop();
    }
}
