package io.eciconnector.vendor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import io.eciconnector.model.MappedCall;

/** Reads one vendor record (a file or object holding one call or many) into canonical calls. */
public interface VendorMapper {

    /** The vendor name used in route files and in the ledger: generic, amazon-connect, aircall, ... */
    String name();

    /**
     * Reads the record from a stream, one call at a time: each call is handed to {@code out} as soon as it is read
     * (the record is never held whole). Calls that cannot be read are handed on as failed {@link MappedCall}s naming
     * the rule. A record that cannot be read, or that stops being readable or breaks a bound part-way, throws a
     * {@link RecordException} saying how many calls were handed on before.
     */
    long read(InputStream record, String fileName, RecordLimits limits, CallSink out)
            throws RecordException, IOException, InterruptedException;

    /**
     * Reads a small record held in memory (a call's own original, kept in the ledger): all its calls, or the
     * RecordException of a record that cannot be read at all.
     */
    default List<MappedCall> read(byte[] record, String fileName) throws RecordException {
        List<MappedCall> out = new ArrayList<>();
        try {
            read(new ByteArrayInputStream(record), fileName, RecordLimits.DEFAULTS, out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not from a byte array
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecordException("record " + fileName + ": interrupted", 0, null);
        }
        return out;
    }

    /** Where the calls of a record go, one at a time. */
    interface CallSink {
        void accept(MappedCall call) throws IOException, InterruptedException;
    }

    /**
     * A record that completes an earlier record of the same call (Twilio: a Call resource and its Recording resource,
     * in either order): the two as one record, readable by {@link #read}; null when these two do not combine.
     */
    default String combine(String earlier, String later) {
        return null;
    }

    /** A part of a call that waits for another record of the same call (the message says which). */
    class IncompleteCall extends RuntimeException {
        public IncompleteCall(String waitingFor) {
            super(waitingFor, null, false, false);
        }
    }

    /**
     * The record as a whole is unreadable (not JSON, not CSV, wrong shape), or its rest from some point on is (broken
     * there, or over a bound): {@code callsBefore} calls were handed on before that point, and {@code rest} is the
     * unread rest as a record of its own (a CSV header and the rows from the broken one on) when it was small enough
     * to keep, else null.
     */
    class RecordException extends Exception {
        private final long callsBefore;
        private final String rest;

        public RecordException(String message) {
            this(message, 0, null);
        }

        public RecordException(String message, long callsBefore, String rest) {
            super(message);
            this.callsBefore = callsBefore;
            this.rest = rest;
        }

        public long callsBefore() {
            return callsBefore;
        }

        public String rest() {
            return rest;
        }
    }
}
