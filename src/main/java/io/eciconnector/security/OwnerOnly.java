package io.eciconnector.security;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and directories of personal data and secrets (the ledger, dead letters, tokens, keys) readable by the
 * connector's user only: directories 0700, files 0600, set explicitly so that the umask does not decide. On a file
 * system without POSIX permissions nothing is changed.
 */
public final class OwnerOnly {

    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnly() {
    }

    static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Creates the directory and its missing parents, each 0700; a directory that already exists is left as it is (it
     * may be shared, such as /tmp: only what the connector makes is the connector's).
     */
    public static Path directory(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        java.util.ArrayDeque<Path> missing = new java.util.ArrayDeque<>();
        for (Path p = absolute; p != null && !Files.exists(p); p = p.getParent()) {
            missing.push(p);
        }
        while (!missing.isEmpty()) {
            Path p = missing.pop();
            try {
                if (posix()) {
                    Files.createDirectory(p, PosixFilePermissions.asFileAttribute(DIRECTORY));
                    Files.setPosixFilePermissions(p, DIRECTORY);
                } else {
                    Files.createDirectory(p);
                }
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // made meanwhile by another thread or process: theirs
            }
        }
        return dir;
    }

    /** Makes an existing file 0600 (nothing when it does not exist). */
    public static void file(Path file) throws IOException {
        if (posix() && Files.isRegularFile(file)) {
            Files.setPosixFilePermissions(file, FILE);
        }
    }
}
