package io.eciconnector.salesforce;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Secrets come from the environment (a config value) or from a mounted file, never from route files. */
public final class Secrets {

    private Secrets() {
    }

    /** The value, else the trimmed content of the file, else empty. */
    public static Optional<String> read(Optional<String> value, Optional<String> file) {
        if (value.isPresent() && !value.get().isBlank()) {
            return value;
        }
        return file.map(f -> {
            try {
                return Files.readString(Path.of(f)).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read secret file " + f, e);
            }
        });
    }
}
