package io.eciconnector.recording;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;

import org.junit.jupiter.api.Test;

/** Which recordings the connector may move to its done area: only what lies in the drop's own area. */
class RecordingStoreArchivableTest {

    static RecordingStore store() {
        RecordingStore store = new RecordingStore();
        store.s3DropPrefix = "inbox/";
        return store;
    }

    @Test
    void anS3RecordingUnderTheDropPrefixOfTheDropsOwnBucketIsMoved() {
        assertTrue(store().archivable(URI.create("s3://drops/inbox/recordings/C1.wav"),
                URI.create("s3://drops/inbox/recordings/"), "done/"));
    }

    @Test
    void anS3RecordingInAnotherBucketIsNeverMovedWhateverItsKey() {
        // a vendor's bucket a record may name (eci.recordings.s3-buckets): read-only, even under a key like inbox/
        assertFalse(store().archivable(URI.create("s3://vendor-recordings/inbox/recordings/C1.wav"),
                URI.create("s3://drops/inbox/recordings/"), "done/"));
        assertFalse(store().archivable(URI.create("s3://vendor-recordings/inbox/C1.wav"),
                URI.create("file:///srv/inbox/"), "done/"), "a folder drop naming an S3 recording");
    }

    @Test
    void anS3RecordingOutsideTheDropPrefixOrAlreadyDoneStays() {
        URI root = URI.create("s3://drops/inbox/recordings/");
        assertFalse(store().archivable(URI.create("s3://drops/connect/inst/CallRecordings/C1.wav"), root, "done/"));
        assertFalse(store().archivable(URI.create("s3://drops/done/C1.wav"), root, "done/"));
    }
}
