package io.eciconnector.sources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import io.eciconnector.testing.Dirs;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** A real SFTP server for the tests: Apache MINA SSHD in-process, serving target/sftp-root with a password. */
public class SftpServerResource implements QuarkusTestResourceLifecycleManager {

    public static final Path ROOT = Path.of("target/sftp-root").toAbsolutePath();
    public static final String USER = "vendor";
    public static final String PASSWORD = "s3cret-sftp";
    private SshServer server;

    @Override
    public Map<String, String> start() {
        try {
            Dirs.clean(ROOT);
            Files.createDirectories(ROOT.resolve("inbox"));
            server = SshServer.setUpDefaultServer();
            server.setHost("127.0.0.1");
            server.setPort(0);
            server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(Path.of("target/sftp-hostkey.ser")));
            server.setPasswordAuthenticator((user, password, session) -> USER.equals(user) && PASSWORD.equals(password));
            server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
            server.setFileSystemFactory(new VirtualFileSystemFactory(ROOT));
            server.start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of("eci.ingest.sftp.host", "127.0.0.1", "eci.ingest.sftp.port", String.valueOf(server.getPort()),
                "eci.ingest.sftp.dir", "inbox", "eci.sftp.username", USER, "eci.sftp.password", PASSWORD);
    }

    @Override
    public void stop() {
        try {
            if (server != null) {
                server.stop(true);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
