package io.eciconnector.ingest;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.SynchronousQueue;

import io.eciconnector.model.MappedCall;
import io.eciconnector.vendor.RecordLimits;
import io.eciconnector.vendor.VendorMapper;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The calls of one record, one at a time, for the route's {@code split} (streaming). A record streamed from its source
 * is read by the vendor's reader on a thread of its own that hands each call over only when the route asks for the
 * next one, so the record is never held whole and at most the call being taken in plus the one read ahead are in
 * memory. A record already read whole (no larger than one call may be) is mapped on the route's own thread when the
 * first item is asked for: its calls are few and small, and a thread per record cost more than the mapping (about
 * one poll thread's sample in eight in IngestBench).
 * <p>
 * The first call is held until the second shows: a record of exactly one call is marked {@link Item#singleCall()}
 * (its recording is paired by the record's name). A record that cannot be read, or whose rest cannot be read, ends
 * with one {@link Item#isUnreadable()} item (after the calls read before it). Any other failure of the reader (the
 * source's stream broke) is thrown from {@link #hasNext()} and fails the record, as reading it in place would.
 */
final class RecordCalls implements Iterator<RecordCalls.Item>, Closeable {

    /** One item of a record: a call, or the unreadable rest of the record. */
    @RegisterForReflection
    public static final class Item {
        private final MappedCall call;
        private final boolean singleCall;
        private final VendorMapper.RecordException unreadable;

        Item(MappedCall call, boolean singleCall, VendorMapper.RecordException unreadable) {
            this.call = call;
            this.singleCall = singleCall;
            this.unreadable = unreadable;
        }

        /** The call (null for the unreadable rest of a record). */
        public MappedCall call() {
            return call;
        }

        /** The record holds this call only (its recording may be named after the record). */
        public boolean singleCall() {
            return singleCall;
        }

        /** Why the record, or its rest, could not be read (null for a call). */
        public VendorMapper.RecordException recordException() {
            return unreadable;
        }

        /** For the routes: ${body.unreadable}. */
        public boolean isUnreadable() {
            return unreadable != null;
        }

        /** For the routes: ${body.externalId}, the vendor's id of the call (null when it has none). */
        public String getExternalId() {
            return call == null ? null : call.externalId();
        }

        @Override
        public String toString() {
            return unreadable != null ? "unreadable record: " + unreadable.getMessage()
                    : "call " + call.externalId() + (singleCall ? " (single)" : "");
        }
    }

    /** What the reader thread hands over. */
    private record Handed(MappedCall call, VendorMapper.RecordException unreadable, Throwable failure, boolean end) {
    }

    private final SynchronousQueue<Handed> handoff = new SynchronousQueue<>();
    /** A record read whole: what its reader handed over, read on the route's thread at the first pull (else null). */
    private final Deque<Handed> mapped;
    private final Runnable readWhole;
    private final Deque<Item> ready = new ArrayDeque<>();
    private final InputStream body;
    private final Thread reader;
    private boolean started;
    private boolean ended;
    private int seen;
    private MappedCall first;
    private volatile boolean closed;

    /**
     * @param whole the record's bytes when it was read whole first (small records), else null and {@code body} is
     *              read as it comes
     */
    RecordCalls(VendorMapper mapper, InputStream body, byte[] whole, String name, RecordLimits limits) {
        this.body = body;
        if (whole != null) {
            this.mapped = new ArrayDeque<>();
            this.reader = null;
            this.readWhole = () -> readInPlace(mapper, new ByteArrayInputStream(whole), name, limits);
        } else {
            this.mapped = null;
            this.readWhole = null;
            this.reader = new Thread(() -> read(mapper, body, name, limits), "eci-record-reader");
            this.reader.setDaemon(true);
        }
    }

    /** Reads a record held whole on this thread: its calls, then how it ended. */
    private void readInPlace(VendorMapper mapper, InputStream from, String name, RecordLimits limits) {
        try {
            mapped.add(readAll(mapper, from, name, limits, call -> mapped.add(new Handed(call, null, null, false))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            mapped.add(new Handed(null, null, new IllegalStateException(e), true));
        }
    }

    /** The reader thread: each call handed over when asked for, then how the record ended. */
    private void read(VendorMapper mapper, InputStream from, String name, RecordLimits limits) {
        try {
            handoff.put(readAll(mapper, from, name, limits, call -> handoff.put(new Handed(call, null, null, false))));
        } catch (InterruptedException e) {
            // closed: nobody waits for the rest
        }
    }

    /** Hands each call of the record to {@code out}; answers how the record ended (its end, unreadable rest, failure). */
    private static Handed readAll(VendorMapper mapper, InputStream from, String name, RecordLimits limits,
            VendorMapper.CallSink out) throws InterruptedException {
        try {
            mapper.read(from, name, limits, out);
            return new Handed(null, null, null, true);
        } catch (VendorMapper.RecordException e) {
            return new Handed(null, e, null, true);
        } catch (IOException | RuntimeException | Error e) {
            return new Handed(null, null, e, true);
        }
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && !ended) {
            pull();
        }
        return !ready.isEmpty();
    }

    @Override
    public Item next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.poll();
    }

    /** Takes the reader's next hand-over and turns it into items (the first call waits for the second). */
    private void pull() {
        if (!started) {
            started = true;
            if (reader != null) {
                reader.start();
            } else {
                readWhole.run();
            }
        }
        Handed h;
        if (mapped != null) {
            h = mapped.poll();
        } else {
            try {
                h = handoff.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException(new InterruptedException("interrupted while reading the record"));
            }
        }
        if (h.call() != null) {
            if (++seen == 1) {
                first = h.call();
                return;
            }
            if (first != null) {
                ready.add(new Item(first, false, null));
                first = null;
            }
            ready.add(new Item(h.call(), false, null));
            return;
        }
        ended = true;
        if (h.failure() != null) {
            // the record stays for the next poll: the call held back is not taken in now (as reading in place)
            first = null;
            close();
            if (h.failure() instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            if (h.failure() instanceof RuntimeException re) {
                throw re;
            }
            throw (Error) h.failure();
        }
        if (first != null) {
            ready.add(new Item(first, h.unreadable() == null, null));
            first = null;
        }
        if (h.unreadable() != null) {
            ready.add(new Item(null, false, h.unreadable()));
        }
    }

    /** How many calls of the record were read so far (each handed to the route once). */
    int callsRead() {
        return seen;
    }

    /** Whether the reader thread is still at the record (for tests). */
    boolean reading() {
        return reader != null && reader.isAlive();
    }

    /** Stops the reader (when the route stops early) and closes the record's stream. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (started && reader != null && reader.isAlive()) {
            reader.interrupt();
        }
        try {
            body.close();
        } catch (IOException ignored) {
            // closing the source's stream; nothing to do
        }
    }
}
