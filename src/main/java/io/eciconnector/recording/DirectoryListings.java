package io.eciconnector.recording;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.LongSupplier;

import org.apache.camel.support.LRUCacheFactory;

/**
 * Recent listings of the directories recordings are looked for in, shared by the calls of a poll. A recording not
 * named after its record or call ({@code {contactId}_{time}_UTC.wav}, Amazon Connect) is found by a prefix, which takes
 * a listing of its directory: one listing for every call made a drop of N calls cost N listings of N files (2 to 3.6
 * ms a lookup in a folder of 2,000 files, and a whole remote directory read per call over SFTP). A listing is used for
 * at most {@code maxAgeMillis}; a name not in it is looked for in a new listing when it is older than
 * {@code missAgeMillis} (a recording written just before its record is not missed), so misses cost at most one
 * listing per directory in that time. The connector's own moves are applied to the listings it holds; a file that
 * left a listing otherwise is found gone by the caller's stat, as before.
 */
final class DirectoryListings {

    /** Lists a directory's file names. */
    interface Lister {
        Collection<String> names() throws IOException;
    }

    private record Listing(NavigableSet<String> names, long at) {
    }

    private final Map<String, Listing> listings = LRUCacheFactory.newLRUCache(64);
    private final long maxAgeNanos;
    private final long missAgeNanos;
    private final LongSupplier nanos;

    DirectoryListings(long maxAgeMillis, long missAgeMillis, LongSupplier nanos) {
        this.maxAgeNanos = maxAgeMillis * 1_000_000;
        this.missAgeNanos = missAgeMillis * 1_000_000;
        this.nanos = nanos;
    }

    DirectoryListings() {
        this(2000, 250, System::nanoTime);
    }

    /**
     * The name of the directory that is {@code base} (when not null) plus an audio extension, else the first in name
     * order that starts with {@code prefix} (when not null) and has one.
     */
    Optional<String> find(String dir, String base, String prefix, Lister lister) throws IOException {
        Listing listing = listing(dir, lister, maxAgeNanos);
        Optional<String> found = match(listing.names(), base, prefix);
        if (found.isEmpty() && nanos.getAsLong() - listing.at() > missAgeNanos) {
            found = match(listing(dir, lister, missAgeNanos).names(), base, prefix);
        }
        return found;
    }

    /** A file the connector moved from one directory to another: the listings held say so. */
    void moved(String fromDir, String toDir, String name) {
        Listing from = listings.get(fromDir);
        if (from != null) {
            from.names().remove(name);
        }
        Listing to = listings.get(toDir);
        if (to != null) {
            to.names().add(name);
        }
    }

    private Listing listing(String dir, Lister lister, long maxAge) throws IOException {
        Listing listing = listings.get(dir);
        long now = nanos.getAsLong();
        if (listing == null || now - listing.at() > maxAge) {
            listing = new Listing(new ConcurrentSkipListSet<>(lister.names()), now);
            listings.put(dir, listing);
        }
        return listing;
    }

    private static Optional<String> match(NavigableSet<String> names, String base, String prefix) {
        for (String ext : base == null ? java.util.List.<String>of() : LocalRecordings.EXTENSIONS) {
            if (names.contains(base + ext)) {
                return Optional.of(base + ext);
            }
        }
        if (prefix != null) {
            for (String name : names.tailSet(prefix, true)) {
                if (!name.startsWith(prefix)) {
                    break;
                }
                if (LocalRecordings.EXTENSIONS.stream().anyMatch(name::endsWith)) {
                    return Optional.of(name);
                }
            }
        }
        return Optional.empty();
    }
}
