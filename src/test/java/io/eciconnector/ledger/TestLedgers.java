package io.eciconnector.ledger;

import java.time.Duration;
import java.util.Optional;

/** Ledgers outside Quarkus for tests of other packages: several on one database act as several replicas. */
public final class TestLedgers {

    private TestLedgers() {
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
