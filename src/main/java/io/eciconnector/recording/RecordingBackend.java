package io.eciconnector.recording;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Optional;

/** One kind of recording source (file, s3, sftp, http). Recordings are only ever streamed, never held whole. */
public interface RecordingBackend {

    /** Bytes read from the start of a recording to tell its type. */
    int HEAD_BYTES = 64 * 1024;

    boolean handles(URI uri);

    /** Size and audio type, reading at most {@link #HEAD_BYTES}; empty when there is no such recording. */
    Optional<RecordingInfo> stat(URI uri) throws IOException;

    /** The recording's bytes as a stream, for the upload. */
    InputStream open(URI uri) throws IOException;

    /**
     * A recording in {@code location} (a directory or prefix) named {@code base}.{wav,mp3,flac} or starting with
     * {@code prefix}; empty when there is none.
     */
    Optional<URI> find(URI location, String base, String prefix) throws IOException;

    /** Moves a recording into the done area {@code area} (same source); answers its new location. Idempotent. */
    URI archive(URI uri, String area) throws IOException;

    static byte[] readHead(InputStream in) throws IOException {
        return in.readNBytes(HEAD_BYTES);
    }
}
