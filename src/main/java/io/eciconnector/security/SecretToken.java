package io.eciconnector.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * A shared token given as a value (environment) or as a file (a mounted Secret). The file is read again when its
 * modification time or size changes (Kubernetes swaps a Secret's files in place), so a rotated token works without a
 * restart; the old one stops working at the same moment. Presented tokens are compared in constant time.
 */
public final class SecretToken {

    private final String name;
    private final Optional<String> value;
    private final Optional<Path> file;
    private volatile Snapshot snapshot;

    private record Snapshot(FileTime modified, long size, byte[] token) {
    }

    public SecretToken(String name, Optional<String> value, Optional<String> file) {
        this.name = name;
        this.value = value.filter(v -> !v.isBlank()).map(String::trim);
        this.file = file.filter(f -> !f.isBlank()).map(Path::of);
    }

    /** True when a value or a file is configured. */
    public boolean configured() {
        return value.isPresent() || file.isPresent();
    }

    /** The token's bytes, or null when none is configured (or the configured file is missing or empty). */
    public byte[] current() {
        if (value.isPresent()) {
            return value.get().getBytes(StandardCharsets.UTF_8);
        }
        if (file.isEmpty()) {
            return null;
        }
        Path f = file.get();
        if (!Files.exists(f)) {
            snapshot = null;
            return null;
        }
        try {
            FileTime modified = Files.getLastModifiedTime(f);
            long size = Files.size(f);
            Snapshot s = snapshot;
            if (s == null || !s.modified().equals(modified) || s.size() != size) {
                String text = Files.readString(f, StandardCharsets.UTF_8).trim();
                s = new Snapshot(modified, size, text.isEmpty() ? null : text.getBytes(StandardCharsets.UTF_8));
                snapshot = s;
            }
            return s.token();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + name + " file " + f, e);
        }
    }

    /** True when the presented token equals the current one (constant time); false when none is configured. */
    public boolean matches(String presented) {
        byte[] want = current();
        return want != null && presented != null
                && MessageDigest.isEqual(want, presented.trim().getBytes(StandardCharsets.UTF_8));
    }

    /** The token as text, or empty. */
    public Optional<String> text() {
        byte[] t = current();
        return t == null ? Optional.empty() : Optional.of(new String(t, StandardCharsets.UTF_8));
    }
}
