package io.eciconnector.ingest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.eciconnector.testing.Dirs;
import io.eciconnector.testing.PlainCamel;

/**
 * The ingest sources' poll strategy keeps what Camel's own strategy for remote files does: a poll that failed drops
 * the SFTP session, so the next poll starts a new one. Seen on a loaded machine: an SFTP session whose every listing
 * failed was kept, and the source failed 112 polls in a row while the files waited.
 */
class CallCoachingGateTest {

    static final Path ROOT = Path.of("target/gate-sftp").toAbsolutePath();

    SshServer server;
    DefaultCamelContext camel;

    @AfterEach
    void stop() throws Exception {
        if (camel != null) {
            camel.stop();
        }
        if (server != null) {
            server.stop(true);
        }
    }

    @Test
    void aFailedSftpPollDropsTheSessionAndTheNextPollTakesTheFiles() throws Exception {
        Dirs.clean(ROOT);
        // no inbox here (and the route does not make one): every listing fails
        Path broken = Files.createDirectories(ROOT.resolve("broken"));
        Path good = Files.createDirectories(ROOT.resolve("good/inbox"));
        Files.writeString(good.resolve("CALL-1.json"), "{}");
        AtomicInteger sessions = new AtomicInteger();
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(ROOT.resolve("hostkey.ser")));
        server.setPasswordAuthenticator((user, password, session) -> "vendor".equals(user) && "pw".equals(password));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        server.setFileSystemFactory(new VirtualFileSystemFactory() {
            @Override
            public Path getUserHomeDir(SessionContext session) {
                // the first session's file system is broken for its whole life, as the one seen was
                return sessions.getAndIncrement() == 0 ? broken : good.getParent();
            }
        });
        server.start();

        CallCoachingGate gate = new CallCoachingGate();
        gate.callCoaching = new CallCoaching() {
            @Override
            public Status current() {
                return new Status(true, Map.of(), Map.of(), Map.of(), Instant.now(), Instant.now());
            }
        };
        List<String> taken = new CopyOnWriteArrayList<>();
        camel = PlainCamel.context();
        camel.getRegistry().bind("gate", gate);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("sftp://127.0.0.1:" + server.getPort() + "/inbox?username=vendor&password=pw&knownHostsFile="
                        + "&strictHostKeyChecking=no&useUserKnownHostsFile=false&autoCreate=false&delay=200&noop=true"
                        + "&pollStrategy=#gate")
                        .process(e -> taken.add(e.getMessage().getHeader("CamelFileName", String.class)));
            }
        });
        camel.start();

        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> taken.contains("CALL-1.json"));
        assertTrue(sessions.get() >= 2, "taken through a new session, after the broken one: " + sessions.get());
    }
}
