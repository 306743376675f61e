package io.eciconnector.signals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import org.jboss.logging.Logger;

import io.quarkus.runtime.annotations.RegisterForReflection;
import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What routes/signals-postcall-s3.yaml lists in the vendor's bucket, a poll at a time. Amazon Connect writes each
 * post-call analysis under {@code {prefix}YYYY/MM/DD/} (UTC), and the bucket keeps every day's files: listing the
 * whole prefix on each poll costs a request per thousand objects, for good, and Camel's S3 consumer went through it 100
 * keys a poll (a new file waited for the whole bucket to come round) and opened every object it listed. So a poll lists
 * day folders only:
 * <ul>
 * <li>today's on every poll, and yesterday's too for the first {@code eci.signals.postcall-s3.yesterday-for} (3 h) of
 * the day: Amazon Connect files an analysis under the day its agent connected, so a call connected before midnight
 * is written into yesterday's folder once it ended; one that ends later than that is found by the next catch-up;</li>
 * <li>every folder of {@code eci.signals.postcall-s3.lookback} (7 days) on the first poll after a start (or after
 * this replica became the leader), and once every {@code eci.signals.postcall-s3.catch-up} (1 h) after that: files a
 * stop, an outage or a late writer left in older folders.</li>
 * </ul>
 * A folder is listed whole, page by page ({@code page-size} keys a request, continuing after the last key of a full
 * page). With {@code eci.signals.postcall-s3.day-folders=false} (a prefix without day folders) each poll lists the whole
 * prefix, the same way. Objects older than the lookback are not read.
 */
@ApplicationScoped
@Named("postCallS3Listing")
@RegisterForReflection
public class PostCallS3Listing {

    private static final Logger LOG = Logger.getLogger(PostCallS3Listing.class);

    static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd");
    /** Exchange properties of the route's listing loop: the folder listed, and the key to continue after. */
    static final String FOLDER = "eciListFolder";
    static final String AFTER = "eciListAfter";

    @ConfigProperty(name = "eci.signals.postcall-s3.bucket", defaultValue = "connect")
    String bucket;

    @ConfigProperty(name = "eci.signals.postcall-s3.prefix", defaultValue = "Analysis/Voice/Redacted/")
    String prefix;

    @ConfigProperty(name = "eci.signals.postcall-s3.day-folders", defaultValue = "true")
    boolean dayFolders;

    @ConfigProperty(name = "eci.signals.postcall-s3.lookback", defaultValue = "7D")
    Duration lookback;

    @ConfigProperty(name = "eci.signals.postcall-s3.catch-up", defaultValue = "1H")
    Duration catchUp;

    @ConfigProperty(name = "eci.signals.postcall-s3.page-size", defaultValue = "1000")
    int pageSize;

    /** How long into a day (UTC) yesterday's folder is still listed on every poll, not only at each catch-up. */
    @ConfigProperty(name = "eci.signals.postcall-s3.yesterday-for", defaultValue = "3H")
    Duration yesterdayFor;

    Clock clock = Clock.systemUTC();

    /** When the whole lookback was last listed (null: not since this bean started). */
    private Instant wholeListedAt;

    @Inject
    PostCallS3Listing() {
    }

    PostCallS3Listing(String bucket, String prefix, boolean dayFolders, Duration lookback, Duration catchUp,
            int pageSize, Clock clock) {
        this(bucket, prefix, dayFolders, lookback, catchUp, pageSize, Duration.ofHours(3), clock);
    }

    PostCallS3Listing(String bucket, String prefix, boolean dayFolders, Duration lookback, Duration catchUp,
            int pageSize, Duration yesterdayFor, Clock clock) {
        this.yesterdayFor = yesterdayFor;
        this.bucket = bucket;
        this.prefix = prefix;
        this.dayFolders = dayFolders;
        this.lookback = lookback;
        this.catchUp = catchUp;
        this.pageSize = pageSize;
        this.clock = clock;
    }

    /** The folders this poll lists, oldest first. */
    public synchronized List<String> folders() {
        String base = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
        if (!dayFolders) {
            return List.of(prefix);
        }
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        // yesterday's folder while a call connected before midnight may still be ending (then at each catch-up)
        long days = now.isBefore(today.atStartOfDay(ZoneOffset.UTC).toInstant().plus(yesterdayFor)) ? 2 : 1;
        if (wholeListedAt == null || !now.isBefore(wholeListedAt.plus(catchUp))) {
            // every day the lookback touches, today's included
            days = Math.max(days, ChronoUnit.DAYS.between(LocalDate.ofInstant(now.minus(lookback), ZoneOffset.UTC), today) + 1);
            wholeListedAt = now;
        }
        List<String> folders = new ArrayList<>();
        for (long d = days - 1; d >= 0; d--) {
            folders.add(base + DAY.format(today.minusDays(d)) + "/");
        }
        return folders;
    }

    /**
     * The time before which the keys of processed objects can be forgotten (routes/signals-postcall-s3.yaml, once an
     * hour): an object is processed after its day folder began, so one kept before the start of the oldest folder the
     * lookback lists, less a day for clocks that disagree, is in a folder no poll lists again. Null with
     * day-folders=false: each poll lists the whole prefix, and a forgotten key would be fetched again.
     */
    public Instant forgetBefore() {
        if (!dayFolders) {
            return null;
        }
        LocalDate oldest = LocalDate.ofInstant(clock.instant().minus(lookback), ZoneOffset.UTC);
        return oldest.minusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** Whether the folder being listed has another page: none listed yet, or the last one was full. */
    public boolean more(Exchange exchange) {
        String after = exchange.getProperty(AFTER, String.class);
        return after == null || !after.isEmpty();
    }

    /** The next page of the folder being listed (properties {@value #FOLDER}, {@value #AFTER}). */
    public ListObjectsRequest page(Exchange exchange) {
        String folder = exchange.getProperty(FOLDER, String.class);
        String after = exchange.getProperty(AFTER, String.class);
        ListObjectsRequest.Builder request = ListObjectsRequest.builder().bucket(bucket).prefix(folder)
                .maxKeys(pageSize);
        if (after != null && !after.isEmpty()) {
            request.marker(after);
        }
        return request.build();
    }

    /**
     * The key to continue after: the last of a full page; empty when the folder has been listed to its end, or when
     * the page did not move past the key it was asked to start after (a store that ignores the marker would otherwise
     * be listed for ever).
     */
    public String next(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<S3Object> page = exchange.getMessage().getBody(List.class);
        String after = exchange.getProperty(AFTER, "", String.class);
        if (page == null || page.size() < pageSize) {
            return "";
        }
        String last = page.get(page.size() - 1).key();
        if (!after.isEmpty() && last.compareTo(after) <= 0) {
            LOG.warnf("Listing of s3://%s/%s stopped: the page after %s ended at %s (the store did not continue after "
                    + "the marker); the rest of the folder is listed at the next poll", bucket,
                    exchange.getProperty(FOLDER, String.class), after, last);
            return "";
        }
        return last;
    }

    /** The objects of a page that are files (a folder placeholder, a key ending in /, is not). */
    public List<S3Object> files(List<S3Object> page) {
        return page.stream().filter(o -> !o.key().endsWith("/")).toList();
    }
}
