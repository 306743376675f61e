package io.eciconnector.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * Recordings found by prefix share a recent listing of their directory: a drop of N calls named like Amazon Connect's
 * ({contactId}_{time}_UTC.wav) took N listings of the folder before, one per call.
 */
class DirectoryListingsTest {

    final AtomicLong millis = new AtomicLong(1_000_000);
    final DirectoryListings listings = new DirectoryListings(2000, 250, () -> millis.get() * 1_000_000);
    final List<String> files = new ArrayList<>();
    final AtomicInteger listed = new AtomicInteger();
    final DirectoryListings.Lister lister = () -> {
        listed.incrementAndGet();
        return List.copyOf(files);
    };

    @Test
    void theCallsOfAPollShareOneListing() throws Exception {
        for (int i = 0; i < 100; i++) {
            files.add("c" + i + "_20261120T10:00_UTC.wav");
            files.add("c" + i + ".json");
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(Optional.of("c" + i + "_20261120T10:00_UTC.wav"),
                    listings.find("/inbox", "c" + i, "c" + i + "_", lister));
        }
        assertEquals(1, listed.get(), "one listing for the hundred calls");
        millis.addAndGet(2001);
        listings.find("/inbox", "c1", "c1_", lister);
        assertEquals(2, listed.get(), "a listing is used for two seconds at most");
    }

    @Test
    void aNameTheListingLacksIsLookedForInANewOneOnceItIsAQuarterOfASecondOld() throws Exception {
        assertEquals(Optional.empty(), listings.find("/inbox", "c1", "c1_", lister));
        files.add("c1_20261120T10:00_UTC.wav");
        millis.addAndGet(100);
        assertEquals(Optional.empty(), listings.find("/inbox", "c1", "c1_", lister), "a listing 100 ms old is used");
        assertEquals(1, listed.get());
        millis.addAndGet(200);
        assertEquals(Optional.of("c1_20261120T10:00_UTC.wav"), listings.find("/inbox", "c1", "c1_", lister));
        assertEquals(2, listed.get());
    }

    @Test
    void theExactNameFirstThenTheFirstByPrefixWithAnAudioExtension() throws Exception {
        files.addAll(List.of("c1_b.txt", "c1_c.mp3", "c1_a.json", "c1_d.wav", "c1.flac", "c10_a.wav"));
        assertEquals(Optional.of("c1.flac"), listings.find("/inbox", "c1", "c1_", lister));
        assertEquals(Optional.of("c1_c.mp3"), listings.find("/inbox", null, "c1_", lister));
        assertEquals(Optional.empty(), listings.find("/inbox", "c2", null, lister));
    }

    @Test
    void theConnectorsOwnMovesAreInTheListingsItHolds() throws Exception {
        files.add("c1_x.wav");
        assertEquals(Optional.of("c1_x.wav"), listings.find("/inbox", null, "c1_", lister));
        DirectoryListings.Lister done = () -> {
            listed.incrementAndGet();
            return List.of();
        };
        assertEquals(Optional.empty(), listings.find("/done/day", null, "c1_", done));
        listings.moved("/inbox", "/done/day", "c1_x.wav");
        assertEquals(Optional.empty(), listings.find("/inbox", null, "c1_", lister), "moved away");
        assertEquals(Optional.of("c1_x.wav"), listings.find("/done/day", null, "c1_", done), "moved there");
        assertEquals(2, listed.get(), "no listing again for either");
    }
}
