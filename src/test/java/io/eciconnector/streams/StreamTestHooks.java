package io.eciconnector.streams;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Test hooks around the hand-over to the signal intake (direct:contact-lens), on only where eci.test.stream-hooks=true:
 * every attempt and every successful hand-over is recorded with its eciSignalSource and eciSignalRef, and the intake
 * can be made to fail for records whose body contains a marker (a segment id), a given number of times.
 */
public class StreamTestHooks extends RouteConfigurationBuilder {

    /** One hand-over: where from, which position, when produced (eciSignalTime), the record. */
    public record HandOver(String source, String ref, Long time, String body) {
    }

    static final List<HandOver> ATTEMPTS = new ArrayList<>();
    static final List<HandOver> DELIVERED = new ArrayList<>();
    static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();

    /** The next {@code times} hand-overs of a record containing {@code marker} throw. */
    static void failNext(String marker, int times) {
        FAILURES.put(marker, new AtomicInteger(times));
    }

    static List<HandOver> delivered() {
        synchronized (DELIVERED) {
            return new ArrayList<>(DELIVERED);
        }
    }

    static List<HandOver> attempts() {
        synchronized (ATTEMPTS) {
            return new ArrayList<>(ATTEMPTS);
        }
    }

    static List<HandOver> delivered(String marker) {
        return delivered().stream().filter(h -> h.body().contains(marker)).toList();
    }

    static HandOver of(Exchange e) {
        return new HandOver(e.getMessage().getHeader("eciSignalSource", String.class),
                e.getMessage().getHeader("eciSignalRef", String.class),
                e.getMessage().getHeader("eciSignalTime", Long.class),
                new String(e.getMessage().getBody(byte[].class), StandardCharsets.UTF_8));
    }

    @Override
    public void configuration() {
        if (!ConfigProvider.getConfig().getOptionalValue("eci.test.stream-hooks", Boolean.class).orElse(false)) {
            return;
        }
        routeConfiguration().interceptSendToEndpoint("direct:contact-lens").process(e -> {
            HandOver h = of(e);
            synchronized (ATTEMPTS) {
                ATTEMPTS.add(h);
            }
            for (Map.Entry<String, AtomicInteger> f : FAILURES.entrySet()) {
                if (h.body().contains(f.getKey()) && f.getValue().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new IllegalStateException("test: the intake refuses " + f.getKey());
                }
            }
        }).afterUri("direct:stream-test-delivered");
        from("direct:stream-test-delivered").routeId("stream-test-delivered").process(e -> {
            synchronized (DELIVERED) {
                DELIVERED.add(of(e));
            }
        });
    }
}
