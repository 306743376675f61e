package io.eciconnector.recording;

import java.net.URI;

/** A recording found at its source: where, how many bytes (-1 when the source does not say) and its audio type. */
public record RecordingInfo(URI uri, long bytes, AudioProbe.Audio audio) {

    /** The recording's length in seconds, from its header and size (see {@link AudioProbe}); null when unknown. */
    public Double seconds() {
        return audio == null ? null : audio.seconds(bytes);
    }

    /** Whether {@link #seconds()} is exact rather than estimated from a bit rate. */
    public boolean exactLength() {
        return audio != null && audio.exactLength();
    }
}
