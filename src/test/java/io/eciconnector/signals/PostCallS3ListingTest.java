package io.eciconnector.signals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The folders and pages routes/signals-postcall-s3.yaml lists in the vendor's bucket. */
class PostCallS3ListingTest {

    static final String PREFIX = "Analysis/Voice/Redacted/";

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        final AtomicReference<Instant> now;

        MovingClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    @Test
    void keysAreForgottenOnlyBeforeTheOldestFolderListedLessADay() {
        MovingClock clock = new MovingClock(Instant.parse("2026-12-02T00:30:00Z"));
        PostCallS3Listing listing = new PostCallS3Listing("connect", PREFIX, true, Duration.ofDays(7),
                Duration.ofHours(1), 1000, clock);
        assertEquals(PREFIX + "2026/11/25/", listing.folders().get(0), "the oldest folder listed");
        assertEquals(Instant.parse("2026-11-24T00:00:00Z"), listing.forgetBefore(),
                "a file of 25 November may be processed from its first second: a day before it");
        PostCallS3Listing whole = new PostCallS3Listing("connect", "analysis/", false, Duration.ofDays(7),
                Duration.ofHours(1), 1000, clock);
        assertEquals(null, whole.forgetBefore(), "the whole prefix is listed each poll: nothing forgotten");
    }

    @Test
    void theWholeLookbackOnTheFirstPollAndEachCatchUpTodayAndYesterdayInBetween() {
        MovingClock clock = new MovingClock(Instant.parse("2026-12-02T00:30:00Z"));
        PostCallS3Listing listing = new PostCallS3Listing("connect", PREFIX, true, Duration.ofDays(7),
                Duration.ofHours(1), 1000, clock);
        List<String> first = listing.folders();
        assertEquals(8, first.size(), "every day the 7 days touch, oldest first: " + first);
        assertEquals(PREFIX + "2026/11/25/", first.get(0));
        assertEquals(PREFIX + "2026/12/02/", first.get(7));
        clock.now.set(Instant.parse("2026-12-02T00:30:10Z"));
        assertEquals(List.of(PREFIX + "2026/12/01/", PREFIX + "2026/12/02/"), listing.folders(),
                "between catch-ups: yesterday's (a call ending near midnight) and today's");
        clock.now.set(Instant.parse("2026-12-02T01:30:00Z"));
        assertEquals(8, listing.folders().size(), "an hour later, the whole lookback again");
        clock.now.set(Instant.parse("2026-12-02T01:30:05Z"));
        assertEquals(2, listing.folders().size());
    }

    @Test
    void yesterdaysFolderOnEveryPollOnlyInTheFirstHoursOfTheDay() {
        MovingClock clock = new MovingClock(Instant.parse("2026-12-02T10:00:00Z"));
        PostCallS3Listing listing = new PostCallS3Listing("connect", PREFIX, true, Duration.ofDays(7),
                Duration.ofHours(1), 1000, Duration.ofHours(3), clock);
        assertEquals(8, listing.folders().size(), "the first poll: the whole lookback");
        clock.now.set(Instant.parse("2026-12-02T10:00:10Z"));
        assertEquals(List.of(PREFIX + "2026/12/02/"), listing.folders(),
                "ten hours into the day: today's folder only (a request a page less on every poll)");
        clock.now.set(Instant.parse("2026-12-03T02:30:00Z"));
        assertEquals(8, listing.folders().size(), "the catch-up, which lists yesterday's too");
        clock.now.set(Instant.parse("2026-12-03T02:59:59Z"));
        assertEquals(List.of(PREFIX + "2026/12/02/", PREFIX + "2026/12/03/"), listing.folders(),
                "a call connected before midnight that ended since is filed under yesterday");
        clock.now.set(Instant.parse("2026-12-03T03:00:00Z"));
        assertEquals(List.of(PREFIX + "2026/12/03/"), listing.folders());
        clock.now.set(Instant.parse("2026-12-03T03:30:01Z"));
        List<String> catchUp = listing.folders();
        assertEquals(8, catchUp.size(), "an hour after the last catch-up: a late file in yesterday's is found");
        assertTrue(catchUp.contains(PREFIX + "2026/12/02/"));
    }

    @Test
    void aLookbackLongerThanAMonthListsEveryDayOfIt() {
        PostCallS3Listing listing = new PostCallS3Listing("connect", PREFIX, true, Duration.ofDays(60),
                Duration.ofHours(1), 1000, new MovingClock(Instant.parse("2026-12-02T12:00:00Z")));
        List<String> folders = listing.folders();
        assertEquals(61, folders.size());
        assertEquals(PREFIX + "2026/10/03/", folders.get(0));
    }

    @Test
    void aPrefixWithoutDayFoldersIsListedWholeEachPoll() {
        PostCallS3Listing listing = new PostCallS3Listing("connect", "analysis", false, Duration.ofDays(7),
                Duration.ofHours(1), 1000, Clock.systemUTC());
        assertEquals(List.of("analysis"), listing.folders());
        assertEquals(List.of("analysis"), listing.folders());
        PostCallS3Listing noSlash = new PostCallS3Listing("connect", "Analysis/Voice", true, Duration.ofDays(1),
                Duration.ofHours(1), 1000, new MovingClock(Instant.parse("2026-12-02T12:00:00Z")));
        assertEquals(List.of("Analysis/Voice/2026/12/01/", "Analysis/Voice/2026/12/02/"), noSlash.folders());
    }

    @Test
    void aFullPageIsFollowedByTheKeysAfterItsLastOne() {
        PostCallS3Listing listing = new PostCallS3Listing("connect", PREFIX, true, Duration.ofDays(7),
                Duration.ofHours(1), 2, Clock.systemUTC());
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(PostCallS3Listing.FOLDER, PREFIX + "2026/12/02/");
        assertTrue(listing.more(exchange), "a folder not listed yet");
        ListObjectsRequest first = listing.page(exchange);
        assertEquals("connect", first.bucket());
        assertEquals(PREFIX + "2026/12/02/", first.prefix());
        assertEquals(2, first.maxKeys());
        assertNull(first.marker());
        List<S3Object> full = List.of(S3Object.builder().key(PREFIX + "2026/12/02/a.json").build(),
                S3Object.builder().key(PREFIX + "2026/12/02/b.json").build());
        exchange.getMessage().setBody(full);
        assertEquals(PREFIX + "2026/12/02/b.json", listing.next(exchange));
        exchange.setProperty(PostCallS3Listing.AFTER, listing.next(exchange));
        assertTrue(listing.more(exchange), "after a full page");
        assertEquals(PREFIX + "2026/12/02/b.json", listing.page(exchange).marker());
        exchange.getMessage().setBody(List.of(S3Object.builder().key(PREFIX + "2026/12/02/c.json").build()));
        assertEquals("", listing.next(exchange), "a page that is not full is the folder's end");
        exchange.setProperty(PostCallS3Listing.AFTER, "");
        assertFalse(listing.more(exchange));
        exchange.getMessage().setBody(List.of());
        assertEquals("", listing.next(exchange));
    }

    @Test
    void aStoreThatIgnoresTheMarkerIsNotListedForEver() {
        PostCallS3Listing listing = new PostCallS3Listing("connect", PREFIX, true, Duration.ofDays(7),
                Duration.ofHours(1), 2, Clock.systemUTC());
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(PostCallS3Listing.FOLDER, PREFIX + "2026/12/02/");
        exchange.setProperty(PostCallS3Listing.AFTER, PREFIX + "2026/12/02/b.json");
        // the same first page again, though it was asked for the keys after b.json
        exchange.getMessage().setBody(List.of(S3Object.builder().key(PREFIX + "2026/12/02/a.json").build(),
                S3Object.builder().key(PREFIX + "2026/12/02/b.json").build()));
        assertEquals("", listing.next(exchange));
    }

    @Test
    void folderPlaceholdersAreNotFiles() {
        PostCallS3Listing listing = new PostCallS3Listing("connect", PREFIX, true, Duration.ofDays(7),
                Duration.ofHours(1), 1000, Clock.systemUTC());
        List<S3Object> page = List.of(S3Object.builder().key(PREFIX + "2026/12/02/").build(),
                S3Object.builder().key(PREFIX + "2026/12/02/c1_analysis_redacted_2026-12-02T10:00:00Z.json").build());
        assertEquals(List.of(page.get(1)), listing.files(page));
    }
}
