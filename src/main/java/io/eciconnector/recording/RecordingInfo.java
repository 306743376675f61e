package io.eciconnector.recording;

import java.net.URI;

/** A recording found at its source: where, how many bytes (-1 when the source does not say) and its audio type. */
public record RecordingInfo(URI uri, long bytes, AudioProbe.Audio audio) {
}
