package io.eciconnector.salesforce;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The org's daily API allocation, shared with every other integration (prefix {@code eci.budget}). */
@ConfigMapping(prefix = "eci.budget")
public interface BudgetSettings {

    /** Above this share of the daily allocation the connector slows down (full batches only, one upload at a time). */
    @WithDefault("0.80")
    double slowAt();

    /** Above this share it pauses sending, and reads the usage again after pause-check. */
    @WithDefault("0.95")
    double pauseAt();

    /** While paused, how often the usage is read again (GET /limits) to resume by itself. */
    @WithDefault("5M")
    Duration pauseCheck();

    /** How long a 403 REQUEST_LIMIT_EXCEEDED pauses sending before the usage is read again. */
    @WithDefault("15M")
    Duration limitExceededPause();
}
