package io.eciconnector.streams;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import io.eciconnector.testing.Dirs;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real Kafka broker for the tests, in this JVM from the Kafka jars (test scope): KRaft mode, one node that is both
 * broker and controller, its storage formatted here, on free ports, with the topic {@value #TOPIC} of
 * {@value #PARTITIONS} partitions.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    public static final String TOPIC = "contact-lens";
    public static final int PARTITIONS = 3;
    static volatile String bootstrap;
    static volatile long startMillis;
    private KafkaRaftServer server;
    private Path dir;

    @Override
    public Map<String, String> start() {
        long t0 = System.nanoTime();
        try {
            int broker = freePort();
            int controller = freePort();
            dir = Files.createDirectories(Path.of("target/kafka-run/" + broker)).toAbsolutePath();
            String logDir = dir.resolve("log").toString();
            Properties p = new Properties();
            p.put("process.roles", "broker,controller");
            p.put("node.id", "1");
            p.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
            p.put("listeners", "PLAINTEXT://127.0.0.1:" + broker + ",CONTROLLER://127.0.0.1:" + controller);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + broker);
            p.put("controller.listener.names", "CONTROLLER");
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.put("log.dirs", logDir);
            p.put("num.partitions", "1");
            p.put("auto.create.topics.enable", "false");
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "1");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
            KafkaConfig config = KafkaConfig.fromProps(p, false);
            new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream())).setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString()).setDirectories(List.of(logDir))
                    .setMetadataLogDirectory(logDir).setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION).run();
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            bootstrap = "127.0.0.1:" + broker;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            startMillis = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            System.out.println("Kafka (KRaft) broker up with topic " + TOPIC + " in " + startMillis + " ms");
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the Kafka broker", e);
        }
        return Map.of("eci.signals.kafka.brokers", bootstrap, "eci.signals.kafka.topic", TOPIC);
    }

    public static String bootstrap() {
        return bootstrap;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A producer of String records to the test broker (acks=all, idempotent). */
    public static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new StringSerializer());
    }

    public static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
        }
        if (dir != null) {
            Dirs.clean(dir);
        }
    }
}
