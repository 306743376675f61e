package io.eciconnector.recording;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.eciconnector.security.OwnerOnly;

/** Recordings on a local or mounted file system (file: URIs). */
public class LocalRecordings implements RecordingBackend {

    static final List<String> EXTENSIONS = List.of(".wav", ".mp3", ".flac", ".WAV", ".MP3", ".FLAC");

    @Override
    public boolean handles(URI uri) {
        return "file".equals(uri.getScheme());
    }

    @Override
    public Optional<RecordingInfo> stat(URI uri) throws IOException {
        Path p = Path.of(uri);
        if (!Files.isRegularFile(p)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(p)) {
            return Optional.of(new RecordingInfo(uri, Files.size(p), AudioProbe.probe(RecordingBackend.readHead(in))));
        }
    }

    @Override
    public InputStream open(URI uri) throws IOException {
        return Files.newInputStream(Path.of(uri));
    }

    @Override
    public Optional<URI> find(URI location, String base, String prefix) throws IOException {
        Path dir = Path.of(location);
        for (String ext : EXTENSIONS) {
            Path p = dir.resolve(base + ext);
            if (Files.isRegularFile(p)) {
                return Optional.of(p.toUri());
            }
        }
        if (prefix == null || !Files.isDirectory(dir)) {
            return Optional.empty();
        }
        // by prefix: from a recent listing of the directory, shared by the calls of a poll (DirectoryListings)
        return listings.find(dir.toString(), null, prefix, () -> {
            try (Stream<Path> files = Files.list(dir)) {
                return files.map(p -> p.getFileName().toString()).toList();
            }
        }).map(name -> dir.resolve(name).toUri());
    }

    private final DirectoryListings listings = new DirectoryListings();

    @Override
    public URI archive(URI uri, String area) throws IOException {
        Path from = Path.of(uri);
        Path dir = from.getParent().resolve(area).normalize();
        Path to = dir.resolve(from.getFileName());
        // the done area is the connector's: recordings (personal data) kept there are its user's alone
        OwnerOnly.directory(dir);
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            if (!Files.isRegularFile(to)) {
                throw e;
            }
        }
        OwnerOnly.file(to);
        listings.moved(from.getParent().toString(), dir.toString(), from.getFileName().toString());
        return to.toUri();
    }
}
