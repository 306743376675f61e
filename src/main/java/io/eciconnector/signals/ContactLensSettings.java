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
}
