package io.eciconnector.salesforce;

import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

/** The org's API usage as last reported by Sforce-Limit-Info (api-usage=used/max). */
@ApplicationScoped
public class ApiUsage {

    private static final Pattern USAGE = Pattern.compile("api-usage=(\\d+)/(\\d+)");
    private final AtomicLong used = new AtomicLong(-1);
    private final AtomicLong max = new AtomicLong(-1);
    private final AtomicLong requests = new AtomicLong();

    public void record(String limitInfo) {
        requests.incrementAndGet();
        if (limitInfo == null) {
            return;
        }
        Matcher m = USAGE.matcher(limitInfo);
        if (m.find()) {
            used.set(Long.parseLong(m.group(1)));
            max.set(Long.parseLong(m.group(2)));
        }
    }

    public long used() {
        return used.get();
    }

    public long max() {
        return max.get();
    }

    /** Share of the daily allocation used, 0..1; 0 when unknown. */
    public double share() {
        long m = max.get();
        return m <= 0 ? 0 : (double) used.get() / m;
    }

    /** API requests this connector sent since start. */
    public long requestsSent() {
        return requests.get();
    }
}
