package io.eciconnector.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jboss.logging.Logger;

/**
 * The name this instance claims ledger rows under, the same after a restart (issue 10.5): so a restarted instance
 * knows the claims of its previous life and takes them back at once instead of waiting out their lease. In order:
 * {@code eci.ledger.instance-id}; the pod name ({@code POD_NAME}, or {@code HOSTNAME} when {@code
 * KUBERNETES_SERVICE_HOST} says this is a pod: a container restarted in its pod keeps the name); else an id kept in
 * a file of the data directory (created with mode 0600 on the first start, locked while this instance runs, so a
 * second process in the same directory never takes the same name: it gets a name of its own for its life).
 */
public final class InstanceId implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(InstanceId.class);
    private static final int MAX = 64;

    private final String id;
    private final String source;
    private final FileChannel channel;

    private InstanceId(String id, String source, FileChannel channel) {
        this.id = id;
        this.source = source;
        this.channel = channel;
    }

    public String id() {
        return id;
    }

    /** Where the id came from (configuration, pod name, the file, or random). */
    public String source() {
        return source;
    }

    public static InstanceId resolve(Optional<String> configured, Map<String, String> env, Path file) {
        Optional<String> named = configured.map(String::trim).filter(s -> !s.isEmpty());
        if (named.isPresent()) {
            return new InstanceId(clean(named.get()), "eci.ledger.instance-id", null);
        }
        String pod = env.get("POD_NAME");
        if (pod != null && !pod.isBlank()) {
            return new InstanceId(clean(pod), "POD_NAME", null);
        }
        String host = env.get("HOSTNAME");
        if (env.containsKey("KUBERNETES_SERVICE_HOST") && host != null && !host.isBlank()) {
            return new InstanceId(clean(host), "HOSTNAME (Kubernetes pod)", null);
        }
        return fromFile(file);
    }

    static InstanceId fromFile(Path file) {
        FileChannel ch = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
            FileAttribute<?>[] attrs = posix
                    ? new FileAttribute<?>[] { PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")) }
                    : new FileAttribute<?>[0];
            ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), attrs);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                String own = random();
                LOG.warnf("The instance id in %s is in use by another running instance: this one claims as %s for "
                        + "its life (a restart of it does not find its claims at once)", file, own);
                return new InstanceId(own, "random (" + file + " in use)", null);
            }
            ByteBuffer buf = ByteBuffer.allocate(256);
            ch.read(buf, 0);
            String kept = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).trim();
            if (!kept.matches("[A-Za-z0-9._-]{1," + MAX + "}")) {
                kept = random();
                ch.truncate(0);
                ch.write(ByteBuffer.wrap((kept + "\n").getBytes(StandardCharsets.UTF_8)), 0);
                ch.force(true);
            }
            return new InstanceId(kept, file.toString(), ch);
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing after a failure
                }
            }
            String own = random();
            LOG.warnf("Cannot keep an instance id in %s (%s): this instance claims as %s for its life", file,
                    e.getMessage(), own);
            return new InstanceId(own, "random (" + file + " unusable)", null);
        }
    }

    private static String random() {
        return "i-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static String clean(String s) {
        String c = s.trim().replaceAll("[^A-Za-z0-9._-]", "_");
        return c.length() > MAX ? c.substring(0, MAX) : c;
    }

    /** Gives the file up (the next start of this directory finds the same id). */
    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debugf("closing %s: %s", source, e.getMessage());
            }
        }
    }
}
