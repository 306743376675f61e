package io.eciconnector.recording;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Optional;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/** Recordings on an SFTP server (sftp://host:port/path), read as a stream over one SSH session per recording. */
public class SftpRecordings implements RecordingBackend {

    public record Credentials(String username, String password, String privateKeyFile, String knownHostsFile) {
    }

    private final SshClient client;
    private final Credentials credentials;

    public SftpRecordings(Credentials credentials) {
        this.credentials = credentials;
        this.client = SshClient.setUpDefaultClient();
        if (credentials.knownHostsFile() != null) {
            client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE,
                    Path.of(credentials.knownHostsFile())));
        } else {
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        }
        client.start();
    }

    @Override
    public boolean handles(URI uri) {
        return "sftp".equals(uri.getScheme());
    }

    private ClientSession session(URI uri) throws IOException {
        ClientSession session = client.connect(credentials.username(), uri.getHost(), uri.getPort() < 0 ? 22 : uri.getPort())
                .verify(Duration.ofSeconds(20)).getSession();
        try {
            if (credentials.privateKeyFile() != null) {
                try (InputStream in = java.nio.file.Files.newInputStream(Path.of(credentials.privateKeyFile()))) {
                    for (KeyPair kp : SecurityUtils.loadKeyPairIdentities(session, null, in, null)) {
                        session.addPublicKeyIdentity(kp);
                    }
                } catch (java.security.GeneralSecurityException e) {
                    throw new IOException("cannot read the SFTP private key", e);
                }
            }
            if (credentials.password() != null) {
                session.addPasswordIdentity(credentials.password());
            }
            session.auth().verify(Duration.ofSeconds(20));
            return session;
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private <T> T with(URI uri, SftpAction<T> action) throws IOException {
        try (ClientSession session = session(uri);
                SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
            return action.run(sftp);
        }
    }

    interface SftpAction<T> {
        T run(SftpClient sftp) throws IOException;
    }

    @Override
    public Optional<RecordingInfo> stat(URI uri) throws IOException {
        return with(uri, sftp -> {
            try {
                SftpClient.Attributes attrs = sftp.stat(uri.getPath());
                if (!attrs.isRegularFile()) {
                    return Optional.empty();
                }
                try (InputStream in = sftp.read(uri.getPath())) {
                    return Optional.of(new RecordingInfo(uri, attrs.getSize(), AudioProbe.probe(RecordingBackend.readHead(in))));
                }
            } catch (SftpException e) {
                if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    @Override
    public InputStream open(URI uri) throws IOException {
        ClientSession session = session(uri);
        SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
        return new FilterInputStream(sftp.read(uri.getPath())) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    sftp.close();
                    session.close();
                }
            }
        };
    }

    @Override
    public Optional<URI> find(URI location, String base, String prefix) throws IOException {
        String dir = location.getPath().replaceAll("/+$", "");
        // from a recent listing of the directory, shared by the calls of a poll (DirectoryListings): one remote
        // directory read for a poll's calls, not one per call
        String at = dir.isEmpty() ? "/" : dir;
        return listings.find(location.getAuthority() + at, base, prefix, () -> with(location, sftp -> {
            java.util.List<String> names = new java.util.ArrayList<>();
            try {
                for (SftpClient.DirEntry e : sftp.readDir(at)) {
                    names.add(e.getFilename());
                }
            } catch (SftpException e) {
                if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    throw e;
                }
            }
            return names;
        })).map(name -> URI.create(location.getScheme() + "://" + location.getAuthority() + dir + "/" + name));
    }

    private final DirectoryListings listings = new DirectoryListings();

    /** Creates the directory and any missing parent. */
    static void mkdirs(SftpClient sftp, String dir) throws IOException {
        StringBuilder path = new StringBuilder();
        for (String part : dir.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            path.append('/').append(part);
            try {
                sftp.stat(path.toString());
            } catch (SftpException e) {
                if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    throw e;
                }
                sftp.mkdir(path.toString());
            }
        }
    }

    @Override
    public URI archive(URI uri, String area) throws IOException {
        String path = uri.getPath();
        String dir = path.substring(0, path.lastIndexOf('/'));
        String name = path.substring(path.lastIndexOf('/') + 1);
        String targetDir = Path.of(dir).resolve(area).normalize().toString();
        String target = targetDir + "/" + name;
        with(uri, sftp -> {
            mkdirs(sftp, targetDir);
            try {
                sftp.rename(path, target, SftpClient.CopyMode.Overwrite);
            } catch (SftpException e) {
                if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    throw e;
                }
            }
            return null;
        });
        listings.moved(uri.getAuthority() + (dir.isEmpty() ? "/" : dir), uri.getAuthority() + targetDir, name);
        return URI.create(uri.getScheme() + "://" + uri.getAuthority() + target);
    }
}
