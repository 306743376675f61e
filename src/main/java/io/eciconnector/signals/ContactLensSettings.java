package io.eciconnector.signals;

import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How Contact Lens records map to telephony API calls (prefix {@code eci.contact-lens}). */
@ConfigMapping(prefix = "eci.contact-lens")
public interface ContactLensSettings {

    /**
     * Which segments become transcript messages: {@code transcript} (final turns, default) or {@code utterance}
     * (partial turns: lower latency, partial text).
     */
    @WithDefault("transcript")
    String messages();

    /**
     * Per-turn sentiment label to IntelligenceSignal__Sentiment value (-1000..1000). Labels not listed send no event.
     * Defaults (application.properties): POSITIVE=1000, NEGATIVE=-1000, NEUTRAL=0, MIXED=0.
     */
    Map<String, String> sentiment();

    /** Post-call analysis: use the redacted copies (Analysis/Voice/Redacted/) rather than the raw ones. */
    @WithDefault("true")
    boolean redacted();

    /** Post-call period scores (-5..5) are multiplied by this to reach -1000..1000. */
    @WithDefault("200")
    double postCallScale();

    /**
     * The longest transcript message text (Content / PartialContent) sent, in characters; a longer segment is refused
     * whole to the dead letters. The telephony API documents no bound for {@code content}; a spoken turn is far shorter.
     */
    @WithDefault("10000")
    int maxContentChars();

    /**
     * A post-call file whose contact was seen on no stream and has no contact trace record with the agent's connect
     * time: false (default) refuses it to the dead letters (its offsets cannot be placed); true times it from the
     * minute the recording's name gives ({contactId}_{YYYYMMDDThh:mm}_UTC.wav), up to 59 s early.
     */
    @WithDefault("false")
    boolean postCallRecordingNameTime();
}
