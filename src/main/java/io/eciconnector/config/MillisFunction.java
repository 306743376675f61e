package io.eciconnector.config;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.camel.quarkus.main.events.BeforeConfigure;
import org.apache.camel.spi.PropertiesFunction;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The route placeholder {@code {{millis:key}}} (or {@code {{millis:key:default}}}): the duration configured under
 * {@code key}, as the number of milliseconds Camel's time options take. The product's durations are written the Quarkus
 * way ({@code 10S}, {@code 500MS}, {@code PT1M}), which Camel's own parser would read as 0 (no timeout at all); a
 * route file says {@code completionTimeout: "{{millis:eci.create.max-wait}}"} and an operator may put a plain number
 * of milliseconds there instead.
 */
@ApplicationScoped
public class MillisFunction implements PropertiesFunction {

    void register(@Observes BeforeConfigure event) {
        event.getCamelContext().getPropertiesComponent().addPropertiesFunction(new MillisFunction());
    }

    @Override
    public String getName() {
        return "millis";
    }

    @Override
    public String apply(String remainder) {
        int colon = remainder.indexOf(':');
        String key = colon < 0 ? remainder : remainder.substring(0, colon);
        String fallback = colon < 0 ? null : remainder.substring(colon + 1);
        String value = ConfigProvider.getConfig().getOptionalValue(key, String.class).orElse(fallback);
        if (value == null) {
            throw new IllegalArgumentException("{{millis:" + remainder + "}}: " + key + " is not configured");
        }
        return String.valueOf(millis(value.trim()));
    }

    /** 2000, 2S, 500MS, 1M, PT2S, 2s: milliseconds. */
    static long millis(String value) {
        if (value.matches("\\d+")) {
            return Long.parseLong(value);
        }
        String v = value.toUpperCase(java.util.Locale.ROOT);
        if (v.startsWith("PT") || v.startsWith("P")) {
            return Duration.parse(v).toMillis();
        }
        if (v.matches("\\d+MS")) {
            return Long.parseLong(v.substring(0, v.length() - 2));
        }
        if (v.matches("\\d+[SMHD]")) {
            return Duration.parse((v.endsWith("D") ? "P" : "PT") + v).toMillis();
        }
        throw new IllegalArgumentException("not a duration: " + value);
    }
}
